package dev.lifeboat.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.local.template.FunctionDef;
import dev.lifeboat.local.template.HttpApiDef;
import dev.lifeboat.local.template.HttpRoute;
import dev.lifeboat.local.template.JwtAuthorizer;
import dev.lifeboat.local.template.SamTemplate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The template's HTTP API on a local port, as {@code sam local start-api} serves it: routes from the functions'
 * {@code HttpApi} events, payload format 2.0 events, the JWT authorizer's answers, and the handlers run in this JVM.
 *
 * <pre>{@code
 * try (LocalHttpApi api = new LocalHttpApi(template, environments, "127.0.0.1", 0).start()) {
 *     URI base = api.baseUri();
 * }
 * }</pre>
 */
public final class LocalHttpApi implements AutoCloseable {
    static {
        // The JDK server writes headers and body apart; without TCP_NODELAY the client's delayed ACK adds ~40 ms to
        // each answer. The property is read once, when the JDK's server configuration is first loaded.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }


    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 3000;
    /** API Gateway's payload limit; the handlers enforce the API's own, smaller limit. */
    public static final int MAX_BODY_BYTES = 10 * 1024 * 1024;

    private static final int MAX_DRAIN_BYTES = 64 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SamTemplate template;
    private final Map<String, Map<String, String>> environments;
    private final String host;
    private final int requestedPort;
    private final List<HttpRoute> routes;
    private final RouteTable routeTable;
    private final Map<HttpRoute, Optional<JwtAuthorizer>> authorizers = new HashMap<>();
    private final Map<String, LocalFunction> functions = new LinkedHashMap<>();
    private LocalTokens tokens = LocalTokens.fromEnvironment();
    private PrintStream log = System.err;
    private ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
    private HttpServer server;
    private ExecutorService executor;
    private LocalConsole console;

    /**
     * @param environments function logical id → its environment (see {@link LocalEnvironment}); a function
     *                     missing here gets an empty map
     * @param port         0 for any free port, see {@link #port()}
     * @throws IllegalArgumentException when a route uses an authorizer that is not a JWT authorizer
     */
    public LocalHttpApi(SamTemplate template, Map<String, Map<String, String>> environments, String host, int port) {
        this.template = template;
        this.environments = Map.copyOf(environments);
        this.host = host;
        this.requestedPort = port;
        this.routes = template.httpRoutes();
        this.routeTable = new RouteTable(routes);
        for (HttpRoute route : routes) {
            authorizers.put(route, authorizer(template, route));
        }
    }

    /** Defaults: {@value #DEFAULT_HOST}:{@value #DEFAULT_PORT}. */
    public LocalHttpApi(SamTemplate template, Map<String, Map<String, String>> environments) {
        this(template, environments, DEFAULT_HOST, DEFAULT_PORT);
    }

    /** Signing key of accepted tokens; default {@link LocalTokens#keyFromEnvironment()}. Call before start. */
    public LocalHttpApi withJwtKey(String key) {
        this.tokens = new LocalTokens(key);
        return this;
    }

    /** Serves the web console under {@code /console/} beside the API (see {@link LocalConsole}). Call before start. */
    public LocalHttpApi withConsole(LocalConsole console) {
        this.console = console;
        return this;
    }

    /** Where access lines, handler logs and stack traces go; default {@code System.err}. Call before start. */
    public LocalHttpApi withLog(PrintStream log) {
        this.log = log;
        return this;
    }

    /** Where handler classes are loaded from; default the creating thread's context class loader. */
    public LocalHttpApi withClassLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
        return this;
    }

    /** The template's functions as this API runs them (warm, one at a time each), by logical id; empty before start. */
    public synchronized Map<String, LocalFunction> functions() {
        return Map.copyOf(functions);
    }

    /**
     * Binds and starts serving.
     *
     * @throws PortInUseException when the port is taken, with a message for people
     */
    public synchronized LocalHttpApi start() throws IOException {
        if (server != null) {
            return this;
        }
        for (FunctionDef function : template.functions()) {
            functions.put(function.logicalId(), new LocalFunction(function,
                    environments.getOrDefault(function.logicalId(), Map.of()), classLoader, log));
        }
        try {
            server = HttpServer.create(new InetSocketAddress(host, requestedPort), 128);
        } catch (BindException e) {
            throw new PortInUseException(host, requestedPort, e);
        }
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "lifeboat-api-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** The bound port (the chosen one when constructed with 0). */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("Not started");
        }
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}, without a trailing slash. */
    public URI baseUri() {
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + shownHost + ":" + port());
    }

    public List<HttpRoute> routes() {
        return routes;
    }

    /** Whether a request on this route needs a token. */
    public boolean requiresToken(HttpRoute route) {
        return authorizers.getOrDefault(route, Optional.empty()).isPresent();
    }

    /** Stops serving; handler instances are dropped with it. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Optional<JwtAuthorizer> authorizer(SamTemplate template, HttpRoute route) {
        Optional<HttpApiDef> api = template.httpApi(route.apiId());
        String name = route.authorizer() != null ? route.authorizer()
                : api.map(HttpApiDef::defaultAuthorizer).orElse(null);
        if (name == null || name.equals("NONE")) {
            return Optional.empty();
        }
        JwtAuthorizer jwt = api.map(definition -> definition.jwtAuthorizers().get(name)).orElse(null);
        if (jwt == null) {
            throw new IllegalArgumentException("Route " + route.routeKey() + " of " + route.functionLogicalId()
                    + " uses authorizer " + name + " of API " + route.apiId()
                    + ", which is not a JWT authorizer there; the local runtime runs JWT authorizers only");
        }
        return Optional.of(jwt);
    }

    private void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String requestId = requestId();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawPath = exchange.getRequestURI().getRawPath();
        String target = "-";
        HttpApiResponse response;
        try {
            Map<String, List<String>> headers = lowerCase(exchange.getRequestHeaders());
            byte[] body = readBody(exchange.getRequestBody(), headers);
            if (body == null) {
                response = HttpApiResponse.json(413, "{\"message\":\"Request Entity Too Large\"}");
            } else if (console != null && console.serves(rawPath)) {
                target = "console";
                response = console.handle(method, rawPath, body,
                        exchange.getRemoteAddress().getAddress());
            } else {
                RouteTable.Match match = routeTable.match(method, rawPath);
                if (match == null) {
                    response = HttpApiResponse.json(404, "{\"message\":\"Not Found\"}");
                } else {
                    target = match.route().functionLogicalId();
                    response = authorizeAndInvoke(exchange, match, method, rawPath, headers, body, requestId);
                }
            }
        } catch (RuntimeException | IOException e) {
            log.println("[api] " + method + " " + rawPath + " failed inside the local runtime:");
            e.printStackTrace(log);
            response = HttpApiResponse.json(500, "{\"message\":\"Internal Server Error\"}");
        }
        send(exchange, response, requestId);
        log.printf("[api] %s %s -> %d %s %d ms%n", method, rawPath, response.status(), target,
                (System.nanoTime() - started) / 1_000_000);
    }

    private HttpApiResponse authorizeAndInvoke(HttpExchange exchange, RouteTable.Match match, String method,
            String rawPath, Map<String, List<String>> headers, byte[] body, String requestId) throws IOException {
        HttpRoute route = match.route();
        Map<String, String> claims = null;
        Optional<JwtAuthorizer> authorizer = authorizers.getOrDefault(route, Optional.empty());
        if (authorizer.isPresent()) {
            String token = token(authorizer.get(), headers, exchange.getRequestURI().getRawQuery());
            try {
                claims = HttpApiEvents.claimsAsText(tokens.verify(token));
            } catch (LocalTokens.InvalidTokenException e) {
                // The client only learns "Unauthorized", as from API Gateway; the reason helps the developer.
                log.println("[api] " + method + " " + rawPath + ": 401, token refused: " + e.getMessage());
                List<Map.Entry<String, String>> unauthorized = new ArrayList<>();
                unauthorized.add(HttpApiResponse.header("content-type", "application/json"));
                unauthorized.add(HttpApiResponse.header("www-authenticate", "Bearer"));
                return new HttpApiResponse(401, unauthorized,
                        "{\"message\":\"Unauthorized\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        HttpApiEvents.Request request = new HttpApiEvents.Request(method, rawPath,
                exchange.getRequestURI().getRawQuery(), headers, body,
                exchange.getRemoteAddress().getAddress().getHostAddress(), exchange.getLocalAddress().getPort(),
                exchange.getProtocol());
        Map<String, Object> event = HttpApiEvents.event(request, match, claims, requestId, Instant.now());
        LocalFunction function = functions.get(route.functionLogicalId());
        byte[] output;
        try {
            output = function.invoke(JSON.writeValueAsBytes(event), requestId);
        } catch (Exception e) {
            log.println("[api] " + route.functionLogicalId() + " threw (request " + requestId + "):");
            e.printStackTrace(log);
            return HttpApiResponse.json(500, "{\"message\":\"Internal Server Error\"}");
        }
        try {
            return HttpApiResponse.fromLambda(output);
        } catch (HttpApiResponse.InvalidResponseException e) {
            log.println("[api] " + route.functionLogicalId() + " answered no valid payload 2.0 response (request "
                    + requestId + "): " + e.getMessage());
            return HttpApiResponse.json(500, "{\"message\":\"Internal Server Error\"}");
        }
    }

    /** The token from the authorizer's identity source; a {@code Bearer } prefix is optional, as on API Gateway. */
    private static String token(JwtAuthorizer authorizer, Map<String, List<String>> headers, String rawQuery) {
        String source = authorizer.identitySource();
        String value = null;
        if (source.startsWith("$request.header.")) {
            List<String> values = headers.get(source.substring("$request.header.".length()).toLowerCase(Locale.ROOT));
            value = values == null || values.isEmpty() ? null : values.get(0);
        } else if (source.startsWith("$request.querystring.")) {
            value = HttpApiEvents.queryParameters(rawQuery).get(source.substring("$request.querystring.".length()));
        }
        if (value == null) {
            return null;
        }
        value = value.trim();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            value = value.substring(7).trim();
        }
        return value;
    }

    /** The body, or {@code null} when it is over {@link #MAX_BODY_BYTES}. */
    private static byte[] readBody(InputStream in, Map<String, List<String>> headers) throws IOException {
        List<String> declared = headers.get("content-length");
        if (declared != null && !declared.isEmpty()) {
            try {
                if (Long.parseLong(declared.get(0).trim()) > MAX_DRAIN_BYTES) {
                    // Not worth reading; the server closes the connection after the answer.
                    return null;
                }
            } catch (NumberFormatException ignored) {
                // Let the reading below decide.
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        // Read on past the limit (up to a bound) so the client gets the 413 instead of a reset connection.
        while ((read = in.read(buffer)) > 0) {
            total += read;
            if (total <= MAX_BODY_BYTES) {
                body.write(buffer, 0, read);
            } else if (total > MAX_DRAIN_BYTES) {
                break;
            }
        }
        return total > MAX_BODY_BYTES ? null : body.toByteArray();
    }

    private static void send(HttpExchange exchange, HttpApiResponse response, String requestId) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        for (Map.Entry<String, String> header : response.headers()) {
            headers.add(header.getKey(), header.getValue());
        }
        headers.set("apigw-requestid", requestId);
        boolean noBody = response.body().length == 0 || exchange.getRequestMethod().equalsIgnoreCase("HEAD")
                || response.status() == 204 || response.status() == 304;
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
        exchange.close();
    }

    private static Map<String, List<String>> lowerCase(Headers headers) {
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT),
                key -> new ArrayList<>()).addAll(values));
        lower.replaceAll((name, values) -> Collections.unmodifiableList(values));
        return lower;
    }

    /** Shaped like API Gateway's ids (e.g. {@code JKJaXmPLvHcESHA=}), which clients sometimes log or parse. */
    private static String requestId() {
        byte[] random = new byte[11];
        ThreadLocalRandom.current().nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    /** The port is taken: a message that says what to do. */
    public static final class PortInUseException extends BindException {
        private static final long serialVersionUID = 1L;

        public PortInUseException(String host, int port, Throwable cause) {
            super("Port " + port + " on " + host + " is already in use (another `sam local start-api` or local "
                    + "runtime?). Stop that process or choose another port with --port.");
            initCause(cause);
        }
    }
}
