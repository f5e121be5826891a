package dev.lifeboat.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server that passes each request through the fault switch before the simulator's handler. A dropped
 * request is answered by closing the connection, which a client sees as a reset or an early end of stream.
 */
public final class SimulatorServer implements AutoCloseable {
    static {
        // The JDK server writes headers and body apart; without TCP_NODELAY the client's delayed ACK adds ~40 ms to
        // each answer. The property is read once, when the JDK's server configuration is first loaded.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Faults faults;

    private SimulatorServer(HttpServer server, ExecutorService executor, Faults faults) {
        this.server = server;
        this.executor = executor;
        this.faults = faults;
    }

    /** Starts on 127.0.0.1:{@code port} (0: any free port). {@code errorBody} renders an injected error in the system's own format. */
    public static SimulatorServer start(int port, Faults faults, HttpHandler handler, ErrorBody errorBody) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "simulator-" + port);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try {
                Faults.Fate fate = faults.next(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                if (!faults.latency().isZero()) {
                    Thread.sleep(faults.latency().toMillis());
                }
                switch (fate) {
                    case DROP -> {
                        // No answer at all: closing the exchange below ends the connection mid-request.
                    }
                    case ERROR -> {
                        byte[] body = errorBody.render(faults.errorStatus(), "Injected fault").getBytes(StandardCharsets.UTF_8);
                        exchange.getResponseHeaders().set("Content-Type", errorBody.contentType());
                        exchange.sendResponseHeaders(faults.errorStatus(), body.length);
                        exchange.getResponseBody().write(body);
                    }
                    case SERVE -> handler.handle(exchange);
                    // The simulator acts on the request; its answer goes nowhere and the connection closes below.
                    case SERVE_THEN_DROP -> handler.handle(new MutedExchange(exchange));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                try {
                    byte[] body = errorBody.render(500, "Simulator error: " + e).getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(500, body.length);
                    exchange.getResponseBody().write(body);
                } catch (IOException ignored) {
                    // the connection is gone; nothing more to tell the client
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
        return new SimulatorServer(server, executor, faults);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port() + "/");
    }

    public Faults faults() {
        return faults;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** How a backup system writes an error body. */
    public interface ErrorBody {
        String render(int status, String message);

        String contentType();
    }

    /** Reads a request body as UTF-8 text. */
    public static String body(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Answers {@code status} with a text body of the given type (no body for 204). */
    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        if (body == null || status == 204) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
