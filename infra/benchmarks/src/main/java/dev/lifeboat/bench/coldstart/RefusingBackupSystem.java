package dev.lifeboat.bench.coldstart;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The backup system of the plugins' first event: a loopback HTTP server that answers every request at once with 401.
 * A closed port would not do: the plugins retry a refused connection (the backup system may be restarting) with
 * growing waits, so their first request would time those waits instead of the plugin's own start.
 */
final class RefusingBackupSystem implements AutoCloseable {
    private final HttpServer server;

    private RefusingBackupSystem(HttpServer server) {
        this.server = server;
    }

    static RefusingBackupSystem start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"coldstart\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        return new RefusingBackupSystem(server);
    }

    /** With the trailing slash the Veeam endpoint needs. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
