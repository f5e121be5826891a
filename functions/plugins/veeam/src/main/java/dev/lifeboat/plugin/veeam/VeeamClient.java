package dev.lifeboat.plugin.veeam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.plugin.CommandJson;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.TransientRetry;
import dev.lifeboat.plugin.WarmSessions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * One logon session with Veeam Backup Enterprise Manager REST, for the length of one plugin command
 * (backup-systems.md §1). Speaks JSON only: every request sends exactly {@code Accept: application/json}, since EM
 * 9.5U4 answers a POST with several Accept types with 400 "Node [root] does not exist." (§1.2 [C, BY]).
 *
 * <ul>
 *   <li>Logs on lazily with Basic auth ({@code POST sessionMngr/?v=latest}, §1.1) and sends the token as header
 *       {@code X-RestSvcSessionId} on every call. No cookie handler is installed: if the cookie were sent too, it
 *       would win over the header (§1.1 [V]).</li>
 *   <li>A 401 during a call means the session expired (15 min idle, §1.1): it logs on again once and repeats that call;
 *       a second 401 is {@link RetryableError} SESSION_EXPIRED. A 401 of the logon itself is {@link TerminalError}
 *       BAD_CREDENTIALS.</li>
 *   <li>{@link #close()} logs off ({@code DELETE logonSessions/{id}}, §1.1) unless {@link #keepSessionOpen()} was called;
 *       a failing logoff never hides the command's result.</li>
 *   <li>Error statuses become typed errors keyed on the HTTP status, with EM's {@code Message} (§1.11).</li>
 *   <li>{@link #awaitTask} polls a 202's Task until {@code Finished}, through {@code OperationFinished} (§1.7), within
 *       {@link Options#taskDeadline()}.</li>
 * </ul>
 * The password never appears in a message: messages carry EM's text, the user name and the endpoint only.
 */
public final class VeeamClient implements AutoCloseable {
    static final String SESSION_HEADER = "X-RestSvcSessionId";
    private static final String JSON = "application/json";
    private static final Duration FIRST_POLL = Duration.ofMillis(50);

    /**
     * Timeouts of one command.
     *
     * @param requestTimeout longest wait for one HTTP answer (connect included)
     * @param taskDeadline longest wait for a Task to reach {@code Finished}: adding an include or starting a quick
     *                     backup or restore is accepted in seconds; the backup itself is never waited for here
     * @param taskPollInterval longest pause between two polls of a Task (the first polls come sooner)
     */
    public record Options(Duration requestTimeout, Duration taskDeadline, Duration taskPollInterval) {
        public static final String REQUEST_TIMEOUT_VARIABLE = "VEEAM_REQUEST_TIMEOUT_SECONDS";
        public static final String TASK_DEADLINE_VARIABLE = "VEEAM_TASK_DEADLINE_SECONDS";

        public Options {
            Objects.requireNonNull(requestTimeout);
            Objects.requireNonNull(taskDeadline);
            Objects.requireNonNull(taskPollInterval);
            if (requestTimeout.isNegative() || requestTimeout.isZero() || taskDeadline.isNegative() || taskPollInterval.isNegative()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
        }

        /** 20 s per request, 15 s for a task, polled at most every 500 ms. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(20), Duration.ofSeconds(15), Duration.ofMillis(500));
        }

        /** The defaults, overridden by {@value #REQUEST_TIMEOUT_VARIABLE} and {@value #TASK_DEADLINE_VARIABLE} when set. */
        public static Options fromEnvironment(Map<String, String> env) {
            Options d = defaults();
            return new Options(seconds(env, REQUEST_TIMEOUT_VARIABLE, d.requestTimeout()), seconds(env, TASK_DEADLINE_VARIABLE, d.taskDeadline()),
                    d.taskPollInterval());
        }

        public Options withRequestTimeout(Duration d) {
            return new Options(d, taskDeadline, taskPollInterval);
        }

        public Options withTaskDeadline(Duration d) {
            return new Options(requestTimeout, d, taskPollInterval);
        }

        public Options withTaskPollInterval(Duration d) {
            return new Options(requestTimeout, taskDeadline, d);
        }

        private static Duration seconds(Map<String, String> env, String name, Duration absent) {
            String v = env.get(name);
            if (v == null || v.isBlank()) return absent;
            try {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.strip()) * 1000));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number of seconds, not '" + v + "'");
            }
        }
    }

    /** An answer: its status and its JSON body ({@link MissingNode} when empty). */
    public record Response(int status, JsonNode body) {}

    /**
     * A Task as last seen (§1.7).
     *
     * @param state {@code Running}, {@code OperationFinished} or {@code Finished}; {@code Finished} also for a 2xx
     *              answer that carried no Task at all (tolerated: EM documents 202 + Task, any 2xx is accepted)
     */
    public record Task(String id, String state, boolean success, String message, JsonNode doc) {
        public boolean finished() {
            return "Finished".equalsIgnoreCase(state);
        }

        /** The {@code Rel="Related"} link of this type (BackupJobSession, RestoreSession), or any Related link. */
        public Optional<String> related(String type) {
            Optional<String> typed = VeeamJson.link(doc, "Related", type);
            return typed.isPresent() ? typed : VeeamJson.link(doc, "Related", null);
        }
    }

    /** A logon session as kept between commands ({@link WarmSessions}): the token and where to log it off. */
    public record Logon(String token, String logoffPath) {}

    private final HttpClient http;
    private final URI base;
    private final String user;
    private final Secret password;
    private final Options options;
    private final TransientRetry retry;
    private final WarmSessions<Logon> warm;
    private final WarmSessions.Key warmKey;
    private String token;
    private String logoffPath;
    private boolean keepSession;
    private int requests;

    /** A client that logs on for this command only and retries until the default budget of a command. */
    public VeeamClient(HttpClient http, String endpoint, String user, Secret password, Options options) {
        this(http, endpoint, user, password, options, TransientRetry.until(Instant.now().plus(dev.lifeboat.plugin.Session.DEFAULT_BUDGET)),
                null, null);
    }

    /**
     * @param retry   the command's retries (its deadline comes from the Lambda context)
     * @param warm    logon sessions kept while the Lambda is warm, or null to log on and off per command
     * @param warmKey the manager's key in {@code warm} (endpoint, user, secret version)
     */
    public VeeamClient(HttpClient http, String endpoint, String user, Secret password, Options options, TransientRetry retry,
                       WarmSessions<Logon> warm, WarmSessions.Key warmKey) {
        this.http = Objects.requireNonNull(http);
        this.base = normalise(endpoint);
        this.user = Objects.requireNonNull(user);
        this.password = Objects.requireNonNull(password);
        this.options = Objects.requireNonNull(options);
        this.retry = Objects.requireNonNull(retry);
        this.warm = warm;
        this.warmKey = warm == null ? null : Objects.requireNonNull(warmKey);
    }

    /** HTTP requests this client sent, retries included (for the request-count measurements). */
    public int requests() {
        return requests;
    }

    /**
     * The API base with a trailing {@code /}, so relative paths resolve under it: {@code https://em:9398/api} and
     * {@code https://em:9398/api/} are the same endpoint. A bare host ({@code https://em:9398}) gets {@code /api/}, the
     * only base path EM has (§1.1).
     */
    static URI normalise(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the Veeam manager has no endpoint");
        }
        URI uri;
        try {
            uri = new URI(endpoint.strip());
        } catch (URISyntaxException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the Veeam endpoint is not a URL: " + endpoint);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the Veeam endpoint must be an http(s) URL with a host: " + endpoint);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/") ? "/api/" : uri.getRawPath();
        if (!path.endsWith("/")) path = path + "/";
        try {
            return new URI(scheme + "://" + uri.getRawAuthority() + path);
        } catch (URISyntaxException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the Veeam endpoint is not a URL: " + endpoint);
        }
    }

    public URI base() {
        return base;
    }

    public Options options() {
        return options;
    }

    // ---- session ------------------------------------------------------------------------------------------------

    /** {@code POST sessionMngr/?v=latest} with Basic auth → 201 and the token in header {@code X-RestSvcSessionId} (§1.1 [V]). */
    public void logon() {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password.reveal()).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = request(base.resolve("sessionMngr/?v=latest")).header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.noBody());
        // A logon is safe to repeat: a lost answer leaves at most an unused session, which EM times out.
        HttpResponse<String> r = send(b.build(), "POST sessionMngr", true);
        if (r.statusCode() == 401) {
            throw new TerminalError(TerminalError.BAD_CREDENTIALS, "Veeam Enterprise Manager at " + base
                    + " refused the user name or password of '" + user + "' (HTTP 401)");
        }
        if (r.statusCode() / 100 != 2) {
            throw error(r, "logging on to Veeam Enterprise Manager at " + base, TerminalError.REFUSED);
        }
        // Header names arrive in the server's case (the JDK server writes X-restsvcsessionid); HttpHeaders compares
        // them case-insensitively. The cookie is a fallback only.
        String t = r.headers().firstValue(SESSION_HEADER).orElseGet(() -> cookieToken(r));
        if (t == null || t.isBlank()) {
            throw new TerminalError(TerminalError.REFUSED, "Veeam Enterprise Manager at " + base
                    + " answered the logon without an X-RestSvcSessionId header; is the endpoint the EM REST API (…/api/)?");
        }
        token = t.strip();
        JsonNode doc = parse(r);
        // Logoff target: the LogonSession's Delete link [V, VD delete_loginsessions_id], else logonSessions/{SessionId}.
        logoffPath = VeeamJson.link(doc, "Delete", null).map(this::relative)
                .orElseGet(() -> Optional.ofNullable(VeeamJson.text(doc, "SessionId")).map(id -> "logonSessions/" + id).orElse(null));
        if (warm != null) {
            warm.keep(warmKey, new Logon(token, logoffPath));
        }
    }

    /** The warm session of this manager when one is kept, else a new logon. */
    private void ensureLogon() {
        if (token != null) return;
        Optional<Logon> kept = warm == null ? Optional.empty() : warm.take(warmKey);
        if (kept.isPresent()) {
            token = kept.get().token();
            logoffPath = kept.get().logoffPath();
        } else {
            logon();
        }
    }

    private static String cookieToken(HttpResponse<String> r) {
        for (String c : r.headers().allValues("Set-Cookie")) {
            for (String part : c.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(SESSION_HEADER)) return part.substring(eq + 1).trim();
            }
        }
        return null;
    }

    /**
     * Leave the session open after {@link #close()}: a Task still running belongs to this logon session (VD
     * {@code tasks_intro}: tasks are those created "within the currently existing logon session"), and logging off
     * may end it (the simulator cancels it). EM times the session out after 15 idle minutes (§1.1).
     */
    public void keepSessionOpen() {
        keepSession = true;
    }

    public boolean loggedOn() {
        return token != null;
    }

    /**
     * Logs off, unless the session is kept for the next commands ({@link WarmSessions}); a failure is swallowed so that
     * it never hides the command's result or error.
     */
    @Override
    public void close() {
        if (token == null || keepSession || logoffPath == null || warm != null) return;
        try {
            send(request(uri(logoffPath)).header(SESSION_HEADER, token).DELETE().build(), "DELETE logonSessions", true);
        } catch (PluginError | IllegalArgumentException ignored) {
            // Best effort: an unclosed session times out on EM after 15 idle minutes.
        } finally {
            token = null;
        }
    }

    // ---- calls --------------------------------------------------------------------------------------------------

    /** GET and parse; a 404 becomes a {@link TerminalError} with {@code notFoundCode}. */
    public JsonNode get(String path, String notFoundCode) {
        Response r = call("GET", path, null, notFoundCode);
        return r.body();
    }

    /** POST a JSON body (or none); 2xx answers come back, others become typed errors. */
    public Response post(String path, JsonNode body, String notFoundCode) {
        return call("POST", path, body, notFoundCode);
    }

    /** DELETE; with {@code notFoundCode} null a 404 comes back as a Response instead of an error. */
    public Response delete(String path, String notFoundCode) {
        return call("DELETE", path, null, notFoundCode);
    }

    /**
     * One call with the session header; a 401 logs on again once and repeats the call (401 means EM did not act on it).
     * {@code notFoundCode} null: a 404 is returned to the caller.
     */
    public Response call(String method, String path, JsonNode body, String notFoundCode) {
        ensureLogon();
        String what = method + " " + stripQuery(path);
        boolean idempotent = !method.equals("POST");
        HttpResponse<String> r = send(build(method, path, body), what, idempotent);
        if (r.statusCode() == 401) {
            if (warm != null) warm.forget(warmKey, new Logon(token, logoffPath));
            token = null;
            logoffPath = null; // the expired session is gone already
            logon();
            r = send(build(method, path, body), what, idempotent);
            if (r.statusCode() == 401) {
                throw new RetryableError(RetryableError.SESSION_EXPIRED, what + ": Veeam Enterprise Manager rejected a fresh logon session "
                        + "(HTTP 401 twice)" + quoted(veeamMessage(r.body())));
            }
        }
        if (r.statusCode() == 404 && notFoundCode == null) {
            return new Response(404, MissingNode.getInstance());
        }
        if (r.statusCode() / 100 != 2) {
            throw error(r, what, notFoundCode);
        }
        return new Response(r.statusCode(), parse(r));
    }

    private HttpRequest build(String method, String path, JsonNode body) {
        HttpRequest.Builder b = request(uri(path)).header(SESSION_HEADER, token);
        if (body != null) {
            b.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(options.requestTimeout()).header("Accept", JSON);
    }

    private HttpResponse<String> send(HttpRequest request, String what, boolean idempotent) {
        try {
            return retry.send(idempotent, () -> {
                requests++;
                return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            }, r -> TransientRetry.Answer.of(r.statusCode(), r.headers().firstValue("Retry-After").orElse(null)));
        } catch (HttpConnectTimeoutException e) {
            throw new RetryableError(RetryableError.UNREACHABLE, what + ": could not connect to " + hostPort() + " within "
                    + seconds(options.requestTimeout()), e);
        } catch (HttpTimeoutException e) {
            throw new RetryableError(RetryableError.TIMEOUT, what + ": Veeam Enterprise Manager at " + hostPort() + " did not answer within "
                    + seconds(options.requestTimeout()), e);
        } catch (ConnectException e) {
            throw new RetryableError(RetryableError.UNREACHABLE, what + ": connection to " + hostPort() + " refused", e);
        } catch (SSLException e) {
            throw new RetryableError(RetryableError.UNREACHABLE, what + ": TLS with " + hostPort() + " failed ("
                    + e.getMessage() + "); check the manager's CA bundle", e);
        } catch (IOException e) {
            throw new RetryableError(RetryableError.UNREACHABLE, what + ": connection to " + hostPort() + " failed ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableError(RetryableError.TIMEOUT, what + ": interrupted while waiting for Veeam", e);
        }
    }

    // ---- tasks --------------------------------------------------------------------------------------------------

    /**
     * Follows the Task a 202 answered (§1.7) with {@code GET tasks/{id}} until {@code Finished}; {@code OperationFinished}
     * (done on the backup server, EM still collecting) is polled through. Returns the last Task seen: unfinished when
     * {@link Options#taskDeadline()} passed first, and the caller decides.
     */
    public Task awaitTask(Response accepted, String what) {
        JsonNode doc = accepted.body();
        String id = VeeamJson.text(doc, "TaskId");
        if (id == null) {
            // Tolerance [U]: EM documents 202 + Task for every action; a 2xx without a Task is taken as done.
            return new Task(null, "Finished", true, null, doc);
        }
        String path = Optional.ofNullable(VeeamJson.text(doc, "Href")).map(this::relative).orElse("tasks/" + id);
        Instant deadline = Instant.now().plus(options.taskDeadline());
        if (deadline.isAfter(retry.deadline())) deadline = retry.deadline();
        Duration pause = FIRST_POLL.compareTo(options.taskPollInterval()) < 0 ? FIRST_POLL : options.taskPollInterval();
        while (!"Finished".equalsIgnoreCase(VeeamJson.text(doc, "State"))) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) break;
            sleep(pause.compareTo(left) < 0 ? pause : left);
            pause = pause.multipliedBy(2).compareTo(options.taskPollInterval()) < 0 ? pause.multipliedBy(2) : options.taskPollInterval();
            doc = get(path, TerminalError.REFUSED);
        }
        JsonNode result = VeeamJson.field(doc, "Result");
        return new Task(id, VeeamJson.text(doc, "State"), VeeamJson.bool(result, "Success"), VeeamJson.text(result, "Message"), doc);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableError(RetryableError.TIMEOUT, "interrupted while waiting for a Veeam task", e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /**
     * The path of an EM link relative to the API base. Links are absolute ({@code https://em:9398/api/tasks/task-1});
     * following them relative to the configured endpoint keeps working when EM names itself by another host name
     * than the one Lifeboat reaches it by (a NAT, a load balancer).
     */
    String relative(String href) {
        if (href == null) return null;
        String b = base.toString();
        if (href.regionMatches(true, 0, b, 0, b.length())) return href.substring(b.length());
        int api = href.toLowerCase(Locale.ROOT).indexOf("/api/");
        if (href.contains("://") && api >= 0) return href.substring(api + "/api/".length());
        return href;
    }

    private URI uri(String path) {
        try {
            return base.resolve(path.startsWith("/") ? path.substring(1) : path);
        } catch (IllegalArgumentException e) {
            throw new TerminalError(TerminalError.REFUSED, "not a usable Veeam API path: " + path);
        }
    }

    /** A query parameter value, percent-encoded (spaces as %20, which EM reads in filters). */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode parse(HttpResponse<String> r) {
        String body = r.body();
        if (body == null || body.isBlank()) return MissingNode.getInstance();
        try {
            return CommandJson.TREES.read(body);
        } catch (IOException e) {
            throw new TerminalError(TerminalError.REFUSED, "Veeam Enterprise Manager at " + base + " answered " + r.request().method() + " "
                    + stripQuery(r.request().uri().getPath()) + " with a body that is not JSON; EM 9.5 Update 4 or later is needed (§1.2)");
        }
    }

    /** A non-2xx answer as a typed error; keyed on the status, with EM's Message (§1.11). */
    private PluginError error(HttpResponse<String> r, String what, String notFoundCode) {
        int s = r.statusCode();
        String text = what + ": Veeam answered HTTP " + s + quoted(veeamMessage(r.body()));
        if (s == 401) return new RetryableError(RetryableError.SESSION_EXPIRED, text);
        if (s == 403) return new TerminalError(TerminalError.FORBIDDEN, text + " (only Portal Administrators may start or edit jobs)");
        if (s == 404) return new TerminalError(notFoundCode == null ? TerminalError.REFUSED : notFoundCode, text);
        if (s == 408) return new RetryableError(RetryableError.TIMEOUT, text);
        if (s == 429) return new RetryableError(RetryableError.THROTTLED, text);
        if (s >= 500) return new RetryableError(RetryableError.SERVER_ERROR, text);
        return new TerminalError(TerminalError.REFUSED, text);
    }

    private String quoted(String message) {
        return message == null ? "" : " \"" + redact(message) + "\"";
    }

    private static final Pattern XML_MESSAGE = Pattern.compile("Message\\s*=\\s*\"([^\"]*)\"|<Message>([^<]*)</Message>");

    /**
     * EM's error text: {@code Message} of the JSON Error body (§1.11 [C, BY]); the XML form's layout is [U], so an
     * attribute or element named Message is read too (injected faults may come as XML).
     */
    static String veeamMessage(String body) {
        if (body == null || body.isBlank()) return null;
        try {
            JsonNode n = CommandJson.TREES.read(body);
            String m = VeeamJson.text(n, "Message");
            if (m != null) return m;
        } catch (IOException ignored) {
            // not JSON: try XML below
        }
        Matcher m = XML_MESSAGE.matcher(body);
        if (m.find()) return m.group(1) != null ? m.group(1) : m.group(2);
        return null;
    }

    /** Belt and braces: EM has no reason to echo the password, but if a message did, it is cut out. */
    String redact(String message) {
        String p = password.reveal();
        return p.length() >= 4 && message.contains(p) ? message.replace(p, "[redacted]") : message;
    }

    private String hostPort() {
        return base.getHost() + (base.getPort() > 0 ? ":" + base.getPort() : "");
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
