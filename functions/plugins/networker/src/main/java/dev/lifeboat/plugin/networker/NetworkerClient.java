package dev.lifeboat.plugin.networker;

import dev.lifeboat.plugin.PluginTls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.TransientRetry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * One NetWorker REST v3 server as one user sees it (backup-systems.md §2.1–2.2, §2.8): JSON over HTTP with Basic auth on
 * every request, since NetWorker keeps no session, and HTTP answers turned into Lifeboat's typed errors.
 *
 * <p>Errors: 401 → {@link TerminalError#BAD_CREDENTIALS}; 403 → {@link TerminalError#FORBIDDEN}; 404 → the code the
 * caller names for the thing it looked up (UNKNOWN_VM, UNKNOWN_JOB, ...); 429 → {@link RetryableError#THROTTLED};
 * 5xx → {@link RetryableError#SERVER_ERROR}; a timeout → {@link RetryableError#TIMEOUT}; a refused or broken connection
 * → {@link RetryableError#UNREACHABLE}; any other 4xx → {@link TerminalError#REFUSED} with NetWorker's {@code message}.
 * The password never appears in a message: it is not put into one, and any text from outside is scrubbed of it.
 *
 * <p>Paths given to the methods are relative to the base ({@code https://host:9090/nwrestapi/v3/global}) and already
 * encoded (see {@link #seg}); absolute URIs (a job's {@code Location}) are followed exactly as given.
 */
public final class NetworkerClient {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Longest piece of a NetWorker error text carried into a Lifeboat message. */
    private static final int MAX_TEXT = 500;

    private final HttpClient http;
    private final URI base;
    private final String user;
    private final String password;
    private final String authorization;
    private final Duration requestTimeout;
    private final TransientRetry retry;
    private int requests;

    /** What the caller looked up, so that a 404 becomes the right UNKNOWN_* error with a message a person can act on. */
    public record Lookup(String notFoundCode, String what) {
        public Lookup {
            Objects.requireNonNull(notFoundCode);
            Objects.requireNonNull(what);
        }
    }

    /** An HTTP answer: status, {@code Location} header (resolved against the request URI) and body text. */
    public record Response(int status, Optional<URI> location, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * @param endpoint the manager's endpoint: the {@code .../nwrestapi/v3/global} base, or a shorter form (server root,
     *                 {@code .../nwrestapi/v3}) which is completed to it
     * @param user     the NetWorker part of the manager's credentials
     * @param password the NetWorker part of the password
     */
    public NetworkerClient(HttpClient http, String endpoint, String user, String password, Duration requestTimeout) {
        this(http, endpoint, user, password, requestTimeout, TransientRetry.until(java.time.Instant.now().plus(dev.lifeboat.plugin.Session.DEFAULT_BUDGET)));
    }

    /** @param retry the command's retries of reads and declined requests, within its deadline */
    public NetworkerClient(HttpClient http, String endpoint, String user, String password, Duration requestTimeout, TransientRetry retry) {
        this.retry = Objects.requireNonNull(retry);
        this.http = Objects.requireNonNull(http);
        this.base = normalise(endpoint);
        this.user = Objects.requireNonNull(user);
        this.password = Objects.requireNonNull(password);
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = Objects.requireNonNull(requestTimeout);
    }

    /**
     * An HTTP client for one trust setting. HTTP/1.1 only (NetWorker's REST server is a plain HTTPS service; the JDK's
     * h2c upgrade attempt on http:// only adds headers). Redirects are not followed, so the Basic credentials go only
     * where Lifeboat sends them.
     *
     * @param caBundlePem trusted CA certificates (PEM) instead of the JVM's trust store; null for the JVM's
     * @param insecureTls trust any certificate and any host name (labs only)
     */
    public static HttpClient httpClient(Duration connectTimeout, String caBundlePem, boolean insecureTls) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout);
        if (insecureTls) {
            b.sslContext(PluginTls.insecure().context());
        } else if (caBundlePem != null && !caBundlePem.isBlank()) {
            b.sslContext(PluginTls.fromPem(caBundlePem).context());
        }
        return b.build();
    }

    public URI base() {
        return base;
    }

    /** HTTP requests this client sent, retries included (for the request-count measurements). */
    public int requests() {
        return requests;
    }

    public TransientRetry retry() {
        return retry;
    }

    /** The base followed by a relative, already encoded path ({@code ""} is the base itself). */
    public URI resolve(String path) {
        if (path.isEmpty()) {
            return base;
        }
        return URI.create(base + (path.startsWith("/") ? path : "/" + path));
    }

    /** One path segment, percent-encoded (a space as {@code %20}: group names such as "Bronze Tier" exist). */
    public static String seg(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query parameter value, form-encoded as NetWorker's clients send {@code q=} (backup-systems.md §2.2). */
    public static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- calls that succeed or throw ---------------------------------------------------------------------------------

    /** GET a JSON resource; any non-2xx answer becomes the typed error. */
    public JsonNode get(String path, Lookup lookup) {
        return get(resolve(path), lookup);
    }

    public JsonNode get(URI uri, Lookup lookup) {
        Response r = exchange("GET", uri, null);
        if (!r.ok()) {
            throw error("GET", uri, r, lookup);
        }
        return json(r.body());
    }

    /** GET a text resource (a job's log). */
    public String getText(URI uri, Lookup lookup) {
        Response r = exchange("GET", uri, null);
        if (!r.ok()) {
            throw error("GET", uri, r, lookup);
        }
        return scrub(r.body());
    }

    /**
     * POST a JSON body; any 2xx is success. The exact codes NetWorker answers are partly [U] (201 for ops, 201/204 for
     * work items, §2.4–2.5), so this accepts them all and leaves the {@code Location} to the caller.
     */
    public Response post(String path, JsonNode body, Lookup lookup) {
        URI uri = resolve(path);
        Response r = exchange("POST", uri, body);
        if (!r.ok()) {
            throw error("POST", uri, r, lookup);
        }
        return r;
    }

    // ---- the raw exchange ------------------------------------------------------------------------------------------------

    /**
     * One request with the Basic credentials and JSON headers; answers whatever status came back, and throws only when
     * no answer came (timeout → TIMEOUT, connection refused or broken → UNREACHABLE, TLS not trusted → REFUSED).
     */
    public Response exchange(String method, URI uri, JsonNode body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(withoutFragment(uri)).timeout(requestTimeout)
                .header("Authorization", authorization).header("Accept", "application/json");
        if (body != null) {
            rb.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else if (method.equals("POST")) {
            rb.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> resp;
        HttpRequest request = rb.build();
        try {
            // NetWorker keeps no session (§2.1), so every read is safe to repeat; an op (POST) is not.
            resp = retry.send(!method.equals("POST"), () -> {
                requests++;
                return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            }, a -> TransientRetry.Answer.of(a.statusCode(), a.headers().firstValue("Retry-After").orElse(null)));
        } catch (HttpTimeoutException e) {
            // Also the connect timeout (HttpConnectTimeoutException is a subclass): a slow server may answer next time.
            throw new RetryableError(RetryableError.TIMEOUT, "NetWorker did not answer " + method + " " + describe(uri)
                    + " within " + (e instanceof java.net.http.HttpConnectTimeoutException ? "the connect timeout" : requestTimeout.toMillis() + " ms"), e);
        } catch (SSLHandshakeException e) {
            // Retrying does not make an untrusted certificate trusted: the manager's CA bundle must be set.
            throw new TerminalError(TerminalError.REFUSED, "the TLS handshake with " + uri.getHost() + " failed ("
                    + scrub(e.getMessage()) + "); give the manager the CA bundle that signed NetWorker's certificate", e);
        } catch (ConnectException e) {
            throw new RetryableError(RetryableError.UNREACHABLE, "could not connect to NetWorker at " + uri.getHost() + ":"
                    + port(uri) + " (" + e.getClass().getSimpleName() + ")", e);
        } catch (IOException e) {
            // Connection reset, closed without an answer, DNS failure: the network or the server may recover.
            throw new RetryableError(RetryableError.UNREACHABLE, "the connection to NetWorker at " + uri.getHost() + ":"
                    + port(uri) + " broke during " + method + " " + describe(uri) + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + scrub(e.getMessage())) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableError(RetryableError.TIMEOUT, "interrupted while waiting for NetWorker", e);
        }
        Optional<URI> location = resp.headers().firstValue("Location").map(l -> uri.resolve(l.trim()));
        return new Response(resp.statusCode(), location, resp.body() == null ? "" : resp.body());
    }

    /** The typed error for a non-2xx answer. */
    public PluginError error(String method, URI uri, Response r, Lookup lookup) {
        String said = message(r);
        String where = method + " " + describe(uri);
        int s = r.status();
        if (s == 401) {
            return new TerminalError(TerminalError.BAD_CREDENTIALS, "NetWorker refused the credentials of user '" + user
                    + "' (HTTP 401 to " + where + ")");
        }
        if (s == 403) {
            return new TerminalError(TerminalError.FORBIDDEN, "NetWorker user '" + user + "' may not " + where
                    + " (HTTP 403" + suffix(said) + "); give the user the NetWorker privileges Lifeboat needs");
        }
        if (s == 404) {
            Lookup l = lookup != null ? lookup : new Lookup(TerminalError.REFUSED, "the resource");
            return new TerminalError(l.notFoundCode(), "NetWorker does not know " + l.what() + " (HTTP 404 to " + where + suffix(said) + ")");
        }
        if (s == 429) {
            return new RetryableError(RetryableError.THROTTLED, "NetWorker is throttling requests (HTTP 429 to " + where + suffix(said) + ")");
        }
        if (s >= 500) {
            return new RetryableError(RetryableError.SERVER_ERROR, "NetWorker failed with HTTP " + s + " to " + where + suffix(said));
        }
        return new TerminalError(TerminalError.REFUSED, "NetWorker refused " + where + " (HTTP " + s + ")" + (said.isEmpty() ? "" : ": " + said));
    }

    /** NetWorker's error text: the {@code message} field (§2.8), else the start of the body, scrubbed of the password. */
    public String message(Response r) {
        String body = r.body() == null ? "" : r.body().trim();
        if (body.isEmpty()) {
            return "";
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("message")) {
                return clip(scrub(n.get("message").asText()));
            }
        } catch (JsonProcessingException e) {
            // not JSON: fall through to the text itself
        }
        return clip(scrub(body));
    }

    /** Text from outside with the password cut out, should a server or a proxy ever echo it. */
    public String scrub(String text) {
        if (text == null) {
            return "";
        }
        String out = text;
        if (!password.isEmpty()) {
            out = out.replace(password, "[redacted]");
        }
        String basic = authorization.substring("Basic ".length());
        return out.replace(basic, "[redacted]");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------------

    static JsonNode json(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // A 2xx that is not JSON tells nothing the plugin can use; treat it as an empty answer.
            return JSON.createObjectNode();
        }
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** A path for messages: relative to the base when it is under it, else the full URI without query noise. */
    private String describe(URI uri) {
        String u = withoutFragment(uri).toString();
        String b = base.toString();
        return u.startsWith(b) ? (u.length() == b.length() ? "/" : u.substring(b.length())) : u;
    }

    private static String suffix(String said) {
        return said.isEmpty() ? "" : ": " + said;
    }

    private static String clip(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    static URI withoutFragment(URI uri) {
        if (uri.getRawFragment() == null) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s.substring(0, s.indexOf('#')));
    }

    /**
     * {@code https://nw:9090/nwrestapi/v3/global} as given; {@code https://nw:9090} and {@code .../nwrestapi/v3}
     * completed to it (backup-systems.md §2.1). A trailing slash is dropped so paths join with one.
     */
    static URI normalise(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager has no endpoint");
        }
        String e = endpoint.strip();
        while (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        URI u;
        try {
            u = URI.create(e);
        } catch (IllegalArgumentException ex) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's endpoint is not a URL: " + endpoint);
        }
        if (u.getScheme() == null || u.getHost() == null) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's endpoint is not an http(s) URL: " + endpoint);
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (path.isEmpty()) {
            e = e + "/nwrestapi/v3/global";
        } else if (path.endsWith("/nwrestapi")) {
            e = e + "/v3/global";
        } else if (path.matches(".*/nwrestapi/v\\d+")) {
            e = e + "/global";
        }
        return URI.create(e);
    }
}
