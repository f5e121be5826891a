package dev.lifeboat.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A fault-injecting reverse proxy on loopback, for a backup system that the project runs as it is rather than
 * simulates (vcsim): the faults it cannot make itself are made in front of it.
 *
 * <p>Each request passes the {@link Faults} switch first (drop the connection, answer a plain-text HTTP error as a load
 * balancer would, or wait before answering), then the {@link Rule}s a test added, in order: the first rule that
 * answers wins, and a rule may forward the request itself and change the answer. A request no rule answers is
 * forwarded to the upstream as it came (method, path, body, headers but the hop-by-hop ones) and its answer returned
 * as it came. The upstream may be https with any certificate (the proxy trusts it blindly: a test tool); the proxy
 * serves plain http, or https with a server SSLContext the test gives.
 *
 * <p>Bodies are handled as UTF-8 text: the protocols it fronts (SOAP, XML, JSON) are text.
 */
public final class FaultProxy implements AutoCloseable {
    static {
        // As in SimulatorServer: without TCP_NODELAY the JDK server's split writes cost ~40 ms per answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Headers that belong to one connection, not to the request or the answer, and the ones the JDK sets itself. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect", "date", "via", "warning", "from");

    /** A request as the proxy received it. Header names are case-insensitive. */
    public record Exchange(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** An answer; a null body answers without one. Header names are case-insensitive. */
    public record Answer(int status, Map<String, List<String>> headers, String body) {
        public static Answer of(int status, String contentType, String body) {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.put("Content-Type", List.of(contentType));
            return new Answer(status, headers, body);
        }

        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** What a rule answers to send nothing at all: the connection closes without an answer. */
        public static final Answer NONE = new Answer(-1, Map.of(), null);
    }

    /** Sends a request on to the upstream and returns its answer. */
    @FunctionalInterface
    public interface Upstream {
        Answer forward(Exchange request) throws IOException, InterruptedException;
    }

    /** Answers a request instead of the upstream (or forwards it and changes the answer); null lets it pass. */
    @FunctionalInterface
    public interface Rule {
        Answer apply(Exchange request, Upstream upstream) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Faults faults;
    private final URI upstream;
    private final HttpClient client;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final boolean https;

    private FaultProxy(HttpServer server, ExecutorService executor, Faults faults, URI upstream, HttpClient client, boolean https) {
        this.server = server;
        this.executor = executor;
        this.faults = faults;
        this.upstream = upstream;
        this.client = client;
        this.https = https;
    }

    /** Plain http on 127.0.0.1 (a free port) in front of {@code upstream} (its scheme, host and port; the path is ignored). */
    public static FaultProxy start(URI upstream, Faults faults) throws IOException {
        return start(upstream, faults, null);
    }

    /** As {@link #start(URI, Faults)}, serving https with {@code serverTls} (its key and certificate) when not null. */
    public static FaultProxy start(URI upstream, Faults faults, SSLContext serverTls) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        HttpServer server;
        if (serverTls == null) {
            server = HttpServer.create(loopback, 0);
        } else {
            HttpsServer s = HttpsServer.create(loopback, 0);
            s.setHttpsConfigurator(new HttpsConfigurator(serverTls));
            server = s;
        }
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trustAll())
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        FaultProxy proxy = new FaultProxy(server, executor, faults, upstream, client, serverTls != null);
        server.createContext("/", proxy::handle);
        server.start();
        return proxy;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT/} (https when started with a server SSLContext). */
    public URI baseUri() {
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + port() + "/");
    }

    public Faults faults() {
        return faults;
    }

    /** Adds a rule after the ones already there. */
    public FaultProxy addRule(Rule rule) {
        rules.add(rule);
        return this;
    }

    public void clearRules() {
        rules.clear();
    }

    private void handle(HttpExchange exchange) {
        try {
            Faults.Fate fate = faults.next(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            if (!faults.latency().isZero()) {
                Thread.sleep(faults.latency().toMillis());
            }
            switch (fate) {
                case DROP -> {
                    // No answer: closing the exchange below ends the connection.
                }
                case ERROR -> send(exchange, Answer.of(faults.errorStatus(), "text/plain; charset=utf-8", "Injected fault"));
                case SERVE -> {
                    Answer a = answer(request(exchange));
                    if (a != Answer.NONE) {
                        send(exchange, a);
                    }
                }
                case SERVE_THEN_DROP -> answer(request(exchange)); // forwarded and acted on; the answer goes nowhere
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            try {
                send(exchange, Answer.of(502, "text/plain; charset=utf-8", "FaultProxy: " + e));
            } catch (IOException | RuntimeException ignored) {
                // the client is gone (it timed out, say); nothing more to tell it
            }
        } finally {
            exchange.close();
        }
    }

    private Answer answer(Exchange request) throws IOException, InterruptedException {
        for (Rule rule : rules) {
            Answer answer = rule.apply(request, this::forward);
            if (answer != null) {
                return answer;
            }
        }
        return forward(request);
    }

    private static Exchange request(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        return new Exchange(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()), headers, body);
    }

    /** Forwards as it came; usable from rules that want the real answer to change it. */
    public Answer forward(Exchange request) throws IOException, InterruptedException {
        URI target = URI.create(upstream.getScheme() + "://" + upstream.getRawAuthority() + request.pathAndQuery());
        HttpRequest.Builder out = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .method(request.method(), request.body().isEmpty() && !request.method().equals("POST") && !request.method().equals("PUT")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(request.body(), StandardCharsets.UTF_8));
        request.headers().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                for (String v : values) {
                    try {
                        out.header(name, v);
                    } catch (IllegalArgumentException restricted) {
                        // a header the JDK client sets itself
                    }
                }
            }
        });
        HttpResponse<String> response = client.send(out.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":") && !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                headers.put(name, values);
            }
        });
        return new Answer(response.statusCode(), headers, response.body());
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        List<String> skip = new ArrayList<>(HOP_BY_HOP);
        answer.headers().forEach((name, values) -> {
            if (!skip.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, new ArrayList<>(values));
            }
        });
        if (answer.body() == null) {
            exchange.sendResponseHeaders(answer.status(), -1);
            return;
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** The upstream is a local test system with a throw-away certificate: trust it, whatever host name it names. */
    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
