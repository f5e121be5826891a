package dev.lifeboat.plugin.vmware;

import dev.lifeboat.plugin.PluginTls;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.TransientRetry;
import dev.lifeboat.plugin.WarmSessions;
import dev.lifeboat.plugin.vmware.Xml.Node;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A minimal vim25 SOAP 1.1 client for VM snapshots (backup-systems.md §3): envelopes written by hand, answers read
 * with StAX, over one OkHttpClient per plugin instance. A command opens a {@link Session} (one vCenter login, its
 * {@code vmware_soap_session} cookie kept by hand), makes a few calls and logs out.
 *
 * <p>Errors leave as the plugin contract's typed errors: SOAP faults by their vim25 type (InvalidLogin,
 * NotAuthenticated, ManagedObjectNotFound, ...), HTTP and transport failures by what a retry can mend. No message
 * ever carries the password.
 */
public final class VimClient {
    /**
     * The API version the envelopes are written for. Pinned rather than taken from the server: the handful of calls
     * here are the same since vSphere 5, and a newer vCenter answers a 6.5 client in the 6.5 shape the parser knows.
     */
    public static final String SOAP_ACTION = "urn:vim25/6.5";
    static final String SESSION_COOKIE = "vmware_soap_session";
    /** The largest answer read; a snapshot tree is a few kilobytes, anything near this is not vCenter. */
    private static final long MAX_ANSWER_BYTES = 8L << 20;
    private static final MediaType TEXT_XML = MediaType.get("text/xml; charset=utf-8");
    private static final Moref SERVICE_INSTANCE = new Moref("ServiceInstance", "ServiceInstance");
    /** How far {@code parent} is followed before giving up; real inventories are a handful of levels deep. */
    private static final int MAX_INVENTORY_DEPTH = 64;

    /**
     * @param connectTimeout TCP and TLS set-up
     * @param callTimeout one whole SOAP call; a command makes a few, and must end well inside the Lambda timeout
     */
    public record Config(Duration connectTimeout, Duration callTimeout) {
        public static final Config DEFAULT = new Config(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** A managed object reference: {@code <x type="VirtualMachine">vm-57</x>}. */
    public record Moref(String type, String value) {
        public Moref {
            Objects.requireNonNull(type);
            Objects.requireNonNull(value);
        }

        @Override
        public String toString() {
            return type + ":" + value;
        }
    }

    /** ServiceContent.about: what checkConnection shows. */
    public record About(String fullName, String apiType, String apiVersion, String instanceUuid) {}

    /** The parts of a Task's {@code info} the plugin reads; state is {@code queued|running|success|error}. */
    public record TaskInfo(Moref task, String state, Integer progress, Moref result, String errorType, String errorMessage,
                           Instant startTime, Instant completeTime) {}

    /** One node of a VM's snapshot tree, flattened. */
    public record SnapshotInfo(Moref snapshot, Moref vm, String name, String description, Instant createTime) {}

    private final Config config;
    private final OkHttpClient base;
    /** Clients that share {@link #base}'s pool and threads but trust differently; few managers per Lambda. */
    private final Map<TlsKey, OkHttpClient> byTrust = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TlsKey, OkHttpClient> eldest) {
            return size() > 8;
        }
    };

    private record TlsKey(String caBundlePem, boolean insecure) {}

    /**
     * Session cookies kept while the Lambda is warm, per vCenter, user and secret version. vCenter ends a session idle
     * for 30 minutes by default (vpxd {@code config.vmacore.soap.sessionTimeout}); 20 minutes stays below it, and a
     * session ended earlier answers NotAuthenticated, which logs in again once.
     */
    private final WarmSessions<String> warm = new WarmSessions<>(Duration.ofMinutes(20));
    /** vCenter's ServiceContent (the morefs of its managers) does not change while it runs: kept beside the login. */
    private final WarmSessions<Node> contents = new WarmSessions<>(Duration.ofMinutes(20));

    public VimClient(Config config) {
        this.config = Objects.requireNonNull(config);
        this.base = new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                // OkHttp would silently resend a POST after some connection failures; CreateSnapshot_Task must never
                // run twice behind our back. A failure surfaces as UNREACHABLE and the workflow decides.
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .followSslRedirects(false)
                // Lambda freezes between invocations; a short keep-alive means fewer dead pooled connections.
                .connectionPool(new ConnectionPool(4, 20, TimeUnit.SECONDS))
                .build();
    }

    public Config config() {
        return config;
    }

    /** A session for one command; nothing is sent until the first call. */
    public Session open(Refs.Manager manager, String user, Secret password) {
        return open(manager.endpoint(), manager.caBundlePem(), manager.insecureTls(), user, password);
    }

    /**
     * A session for one plugin command that retries its idempotent calls within the command's deadline and keeps its
     * login for the next commands of the same manager ({@link Session#loginOrReuse()}).
     */
    public Session open(Refs.Manager manager, String user, Secret password, TransientRetry retry) {
        URI sdk = sdkUri(manager.endpoint());
        return new Session(sdk, clientFor(sdk, manager.caBundlePem(), manager.insecureTls()), user, password, retry,
                WarmSessions.Key.of(manager, sdk.toString(), user));
    }

    /**
     * A session with a vCenter that is not the manager's endpoint (a NetWorker manager names the vCenter of each VM),
     * with the same trust rules as {@link #open(Refs.Manager, String, Secret)}.
     *
     * @param endpoint    {@code https://vc.example.com} or {@code https://vc.example.com/sdk}
     * @param caBundlePem trusted CA certificates (PEM); null or blank: the JVM's trust store
     * @param insecureTls trust any certificate and host name (labs only); wins over a bundle
     */
    public Session open(String endpoint, String caBundlePem, boolean insecureTls, String user, Secret password) {
        URI sdk = sdkUri(endpoint);
        return new Session(sdk, clientFor(sdk, caBundlePem, insecureTls), user, password,
                TransientRetry.until(Instant.now().plus(dev.lifeboat.plugin.Session.DEFAULT_BUDGET)), null);
    }

    /** {@code https://vc.example.com} and {@code https://vc.example.com/} mean {@code .../sdk}; other paths stay. */
    static URI sdkUri(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint == null ? "" : endpoint.strip());
        } catch (URISyntaxException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's endpoint is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's endpoint must be an https:// URL of vCenter, like https://vc.example.com/sdk");
        }
        if (uri.getRawUserInfo() != null) {
            // A password in a URL ends up in logs; credentials travel by secret reference only.
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's endpoint must not carry credentials (user:password@)");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/") ? "/sdk" : uri.getRawPath();
        return URI.create(scheme + "://" + uri.getRawAuthority() + path);
    }

    private OkHttpClient clientFor(URI sdk, String caBundlePem, boolean insecureTls) {
        if (!sdk.getScheme().equals("https")) {
            return base;
        }
        String pem = caBundlePem == null || caBundlePem.isBlank() ? null : caBundlePem;
        // insecureTls is the manager's explicit lab switch: when set, it wins over a bundle that may also be there.
        TlsKey key = new TlsKey(insecureTls ? null : pem, insecureTls);
        if (key.caBundlePem() == null && !key.insecure()) {
            return base; // the JVM's default trust store and OkHttp's host-name check
        }
        synchronized (byTrust) {
            OkHttpClient client = byTrust.get(key);
            if (client == null) {
                PluginTls.Trust trust = key.insecure() ? PluginTls.insecure() : PluginTls.fromPem(key.caBundlePem());
                // Derived clients share the pool, but OkHttp never reuses a connection across trust settings: the
                // socket factory and host-name verifier are part of a connection's address.
                OkHttpClient.Builder b = base.newBuilder().sslSocketFactory(trust.context().getSocketFactory(), trust.trustManager());
                if (trust.hostnameVerifier() != null) {
                    b.hostnameVerifier(trust.hostnameVerifier());
                }
                client = b.build();
                byTrust.put(key, client);
            }
            return client;
        }
    }

    /**
     * One vCenter login for the length of a command. Not thread-safe; a command runs on one thread. The password is
     * kept only to log in again once when vCenter says the session is gone (NotAuthenticated).
     */
    public final class Session implements AutoCloseable {
        private final URI sdk;
        private final OkHttpClient http;
        private final String user;
        private final Secret password;
        private String cookie;
        private Node serviceContent;
        private boolean loggedIn;
        private boolean renewed;
        /** False after a timeout or an unreachable server: then close() does not wait on a Logout that cannot work. */
        private boolean healthy = true;
        private final TransientRetry retry;
        /** The key of this login among the kept ones; null: log in and out per command. */
        private final WarmSessions.Key warmKey;
        private int requests;

        private Session(URI sdk, OkHttpClient http, String user, Secret password, TransientRetry retry, WarmSessions.Key warmKey) {
            this.sdk = sdk;
            this.http = http;
            this.user = user;
            this.password = password;
            this.retry = retry;
            this.warmKey = warmKey;
        }

        /** HTTP requests this session sent, retries included (for the request-count measurements). */
        public int requests() {
            return requests;
        }

        /**
         * The kept login of this manager when there is one (no request at all), else {@link #login()}. A kept cookie
         * that vCenter has dropped meanwhile answers NotAuthenticated at the first call, which logs in again once.
         */
        public void loginOrReuse() {
            if (warmKey != null) {
                java.util.Optional<String> kept = warm.take(warmKey);
                if (kept.isPresent()) {
                    cookie = kept.get();
                    loggedIn = true;
                    return;
                }
            }
            login();
        }

        /** Where this session talks to, without credentials (they never are in it). */
        public URI sdk() {
            return sdk;
        }

        // ---- the service instance and the session --------------------------------------------------------------

        /** RetrieveServiceContent, once per session (needs no login). */
        Node serviceContent() {
            if (serviceContent == null && warmKey != null) {
                serviceContent = contents.take(warmKey).orElse(null);
            }
            if (serviceContent == null) {
                Node response = call("RetrieveServiceContent", "<_this type=\"ServiceInstance\">ServiceInstance</_this>", false);
                serviceContent = required(response.child("returnval"), "RetrieveServiceContent");
                if (warmKey != null) {
                    contents.keep(warmKey, serviceContent);
                }
            }
            return serviceContent;
        }

        public About about() {
            Node about = serviceContent().child("about");
            if (about == null) {
                return new About(null, null, null, null);
            }
            return new About(about.text("fullName"), about.text("apiType"), about.text("apiVersion"), about.text("instanceUuid"));
        }

        private Moref manager(String name, String fallbackType) {
            Node n = serviceContent().child(name);
            if (n == null || n.text().isBlank()) {
                throw new TerminalError(TerminalError.REFUSED, "vCenter at " + where() + " has no " + name + " in its service content");
            }
            return new Moref(n.type() == null ? fallbackType : n.type(), n.text());
        }

        /** Login; InvalidLogin becomes BAD_CREDENTIALS. */
        public void login() {
            Moref sessionManager = manager("sessionManager", "SessionManager");
            cookie = null;
            call("Login", this_(sessionManager) + "<userName>" + Xml.escape(user) + "</userName><password>"
                    + Xml.escape(password.reveal()) + "</password>", false);
            if (cookie == null) {
                throw new TerminalError(TerminalError.REFUSED, "vCenter at " + where() + " accepted the login but set no "
                        + SESSION_COOKIE + " cookie");
            }
            loggedIn = true;
            if (warmKey != null) {
                warm.keep(warmKey, cookie);
            }
        }

        /** Logout; best effort, since the session also ends by itself when idle. */
        public void logout() {
            if (!loggedIn) {
                return;
            }
            loggedIn = false;
            try {
                call("Logout", this_(manager("sessionManager", "SessionManager")), false);
            } catch (PluginError e) {
                // Nothing to do about it: vCenter drops idle sessions (30 minutes by default).
            } finally {
                cookie = null;
            }
        }

        @Override
        public void close() {
            if (healthy && warmKey == null) {
                logout();
            }
            // OkHttp is told not to retry on its own (above), so a pooled connection that the server or a frozen
            // Lambda let go stale would fail the next command's first call. Each command starts on a fresh one.
            http.connectionPool().evictAll();
        }

        // ---- operations -------------------------------------------------------------------------------------------

        /** SessionManager.currentSession: proves the session works (any user may read it). Null when unset. */
        Node currentSession() {
            return properties(manager("sessionManager", "SessionManager"), "currentSession").get("currentSession");
        }

        /** SearchIndex.FindByUuid with the VM's instance UUID; null when no VM has it. */
        public Moref findVmByInstanceUuid(String uuid) {
            Node response = call("FindByUuid", this_(manager("searchIndex", "SearchIndex")) + "<uuid>" + Xml.escape(uuid)
                    + "</uuid><vmSearch>true</vmSearch><instanceUuid>true</instanceUuid>", true);
            Node r = response.child("returnval");
            return r == null || r.text().isBlank() ? null : new Moref(r.type() == null ? "VirtualMachine" : r.type(), r.text());
        }

        /** SearchIndex.FindByInventoryPath ({@code DC0}, {@code DC0/vm/DC0_H0_VM0}, {@code DC0/host/DC0_C0}); null when absent. */
        public Moref findByInventoryPath(String inventoryPath) {
            Node response = call("FindByInventoryPath", this_(manager("searchIndex", "SearchIndex")) + "<inventoryPath>"
                    + Xml.escape(inventoryPath) + "</inventoryPath>", true);
            Node r = response.child("returnval");
            return r == null || r.text().isBlank() || r.type() == null ? null : new Moref(r.type(), r.text());
        }

        /**
         * RetrievePropertiesEx of one object: property path → value (see {@link VimClient#value}): a {@link Moref}, a
         * {@code String}, a {@code List<Object>} or a {@code Map<String, Object>}. Properties that are unset, or that
         * vCenter cannot give (a {@code missingSet}, e.g. an invalid path), are absent. An object vCenter does not
         * have is a ManagedObjectNotFound fault (UNKNOWN_VM for a VM, else REFUSED).
         */
        public Map<String, Object> properties(Moref obj, List<String> paths) {
            return properties(List.of(obj), paths).getOrDefault(obj, Map.of());
        }

        /**
         * The same properties of several objects in one RetrievePropertiesEx (one {@code propSet} per type, one
         * {@code objectSet} per object). Objects vCenter answered nothing for are absent from the map.
         */
        public Map<Moref, Map<String, Object>> properties(List<Moref> objs, List<String> paths) {
            if (objs.isEmpty()) {
                return Map.of();
            }
            StringBuilder spec = new StringBuilder("<specSet>");
            objs.stream().map(Moref::type).distinct().forEach(type -> {
                spec.append("<propSet><type>").append(Xml.escape(type)).append("</type>");
                for (String p : paths) {
                    spec.append("<pathSet>").append(Xml.escape(p)).append("</pathSet>");
                }
                spec.append("</propSet>");
            });
            for (Moref o : objs) {
                spec.append("<objectSet><obj type=\"").append(Xml.escape(o.type())).append("\">").append(Xml.escape(o.value()))
                        .append("</obj></objectSet>");
            }
            spec.append("</specSet><options/>");
            Node response = call("RetrievePropertiesEx", this_(manager("propertyCollector", "PropertyCollector")) + spec, true);
            Map<Moref, Map<String, Object>> out = new LinkedHashMap<>();
            VimClient.objects(response).forEach((obj, vals) -> {
                Map<String, Object> converted = new LinkedHashMap<>();
                vals.forEach((path, val) -> converted.put(path, value(val)));
                out.put(obj, converted);
            });
            return out;
        }

        /**
         * The Datacenter an entity is in, by walking {@code parent} up (host → compute resource → host folder(s) →
         * datacenter); the entity itself when it is one. Null when the walk reaches the root folder without one.
         */
        public Moref datacenterOf(Moref entity) {
            Moref at = entity;
            for (int depth = 0; at != null && depth < MAX_INVENTORY_DEPTH; depth++) {
                if (at.type().equals("Datacenter")) {
                    return at;
                }
                at = asMoref(properties(at, List.of("parent")).get("parent"));
            }
            return null;
        }

        /**
         * The hosts that mount a datastore and can use it now: {@code Datastore.host} entries whose
         * {@code mountInfo.mounted} and {@code mountInfo.accessible} are not false, in vCenter's order.
         */
        public List<Moref> hostsMounting(Moref datastore) {
            return mountingHosts(properties(datastore, List.of("host")).get("host"));
        }

        /** RetrievePropertiesEx of one object: property path → its {@code val}. Unset properties are absent. */
        Map<String, Node> properties(Moref obj, String... paths) {
            StringBuilder pathSet = new StringBuilder();
            for (String p : paths) {
                pathSet.append("<pathSet>").append(Xml.escape(p)).append("</pathSet>");
            }
            Node response = call("RetrievePropertiesEx", this_(manager("propertyCollector", "PropertyCollector"))
                    + "<specSet><propSet><type>" + Xml.escape(obj.type()) + "</type>" + pathSet + "</propSet>"
                    + "<objectSet><obj type=\"" + Xml.escape(obj.type()) + "\">" + Xml.escape(obj.value()) + "</obj></objectSet>"
                    + "</specSet><options/>", true);
            return VimClient.properties(response, obj);
        }

        /** One answer of a paged retrieval: the objects with their {@code val}s, and the token of the next (null: none). */
        public record ObjectPage(Map<Moref, Map<String, Node>> objects, String token) {}

        /** ViewManager.CreateContainerView over the whole inventory (root folder, recursive) for objects of {@code type}. */
        public Moref createContainerView(String type) {
            Node root = required(serviceContent().child("rootFolder"), "the root folder");
            return task(call("CreateContainerView", this_(manager("viewManager", "ViewManager")) + "<container type=\"Folder\">"
                    + Xml.escape(root.text()) + "</container><type>" + Xml.escape(type) + "</type><recursive>true</recursive>", true),
                    "CreateContainerView", "ContainerView");
        }

        /**
         * RetrievePropertiesEx of every {@code type} object of a ContainerView (traversal spec on {@code view}, the view
         * itself skipped), at most {@code maxObjects} per answer; the rest follows by {@link #continueRetrieve}.
         */
        public ObjectPage retrieveFromView(Moref view, String type, List<String> paths, int maxObjects) {
            StringBuilder spec = new StringBuilder("<specSet><propSet><type>").append(Xml.escape(type)).append("</type>");
            paths.forEach(p -> spec.append("<pathSet>").append(Xml.escape(p)).append("</pathSet>"));
            spec.append("</propSet><objectSet><obj type=\"ContainerView\">").append(Xml.escape(view.value())).append("</obj><skip>true</skip>")
                    .append("<selectSet xsi:type=\"TraversalSpec\"><name>view</name><type>ContainerView</type><path>view</path>")
                    .append("<skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>").append(maxObjects)
                    .append("</maxObjects></options>");
            return objectPage(call("RetrievePropertiesEx", this_(manager("propertyCollector", "PropertyCollector")) + spec, true));
        }

        /** ContinueRetrievePropertiesEx: the next answer of a retrieval; the token lives as long as this login. */
        public ObjectPage continueRetrieve(String token) {
            return objectPage(call("ContinueRetrievePropertiesEx", this_(manager("propertyCollector", "PropertyCollector"))
                    + "<token>" + Xml.escape(token) + "</token>", true));
        }

        /** Properties of several objects as their {@code val} nodes, in the order asked (objects vCenter lacks are absent). */
        public Map<Moref, Map<String, Node>> nodes(List<Moref> objs, List<String> paths) {
            StringBuilder spec = new StringBuilder("<specSet>");
            objs.stream().map(Moref::type).distinct().forEach(type -> {
                spec.append("<propSet><type>").append(Xml.escape(type)).append("</type>");
                paths.forEach(p -> spec.append("<pathSet>").append(Xml.escape(p)).append("</pathSet>"));
                spec.append("</propSet>");
            });
            objs.forEach(o -> spec.append("<objectSet><obj type=\"").append(Xml.escape(o.type())).append("\">")
                    .append(Xml.escape(o.value())).append("</obj></objectSet>"));
            Map<Moref, Map<String, Node>> answered = VimClient.objects(call("RetrievePropertiesEx",
                    this_(manager("propertyCollector", "PropertyCollector")) + spec + "</specSet><options/>", true));
            Map<Moref, Map<String, Node>> out = new LinkedHashMap<>();
            objs.stream().filter(answered::containsKey).forEach(o -> out.put(o, answered.get(o)));
            return out;
        }

        /** DestroyView; a view already gone (with its login) is no matter. */
        public void destroyView(Moref view) {
            try {
                call("DestroyView", this_(view), true);
            } catch (PluginError e) {
                // the view dies with the session anyway
            }
        }

        private ObjectPage objectPage(Node response) {
            Node returnval = response.child("returnval");
            String token = returnval == null ? null : returnval.text("token");
            return new ObjectPage(VimClient.objects(response), token == null || token.isBlank() ? null : token);
        }

        public Moref createSnapshot(Moref vm, String name, String description) {
            return task(call("CreateSnapshot_Task", this_(vm) + "<name>" + Xml.escape(name) + "</name><description>"
                    + Xml.escape(description) + "</description><memory>false</memory><quiesce>false</quiesce>", true), "CreateSnapshot_Task");
        }

        public Moref revertToSnapshot(Moref snapshot) {
            return task(call("RevertToSnapshot_Task", this_(snapshot), true), "RevertToSnapshot_Task");
        }

        /** removeChildren=false: only this snapshot goes; consolidate=true: its delta disks are merged now. */
        public Moref removeSnapshot(Moref snapshot) {
            return task(call("RemoveSnapshot_Task", this_(snapshot)
                    + "<removeChildren>false</removeChildren><consolidate>true</consolidate>", true), "RemoveSnapshot_Task");
        }

        public TaskInfo taskInfo(Moref task) {
            return VimClient.taskInfo(task, properties(task, "info.state", "info.progress", "info.result", "info.error",
                    "info.startTime", "info.completeTime"));
        }

        /** The VM's whole snapshot tree, depth first; empty when it has none. */
        public List<SnapshotInfo> snapshots(Moref vm) {
            return VimClient.snapshots(properties(vm, "snapshot").get("snapshot"));
        }

        private Moref task(Node response, String method) {
            return task(response, method, "Task");
        }

        private Moref task(Node response, String method, String type) {
            Node r = response.child("returnval");
            if (r == null || r.text().isBlank()) {
                throw new TerminalError(TerminalError.REFUSED, "vCenter answered " + method + " without a " + type);
            }
            return new Moref(r.type() == null ? type : r.type(), r.text());
        }

        // ---- the wire -------------------------------------------------------------------------------------------

        /**
         * One SOAP call. When vCenter says the session is gone (NotAuthenticated, as a fault or, from
         * RetrievePropertiesEx, as a missing property), logs in again once per session and repeats the call: vCenter
         * ran nothing for an unauthenticated call, so repeating it cannot do anything twice.
         */
        private Node call(String method, String body, boolean needsSession) {
            try {
                return exchange(method, body);
            } catch (NotAuthenticated e) {
                if (!needsSession || renewed) {
                    throw new RetryableError(RetryableError.SESSION_EXPIRED, "vCenter at " + where() + " refused " + method
                            + ": the session is not authenticated" + (renewed ? " even after logging in again" : ""));
                }
                renewed = true;
                login();
                try {
                    return exchange(method, body);
                } catch (NotAuthenticated again) {
                    throw new RetryableError(RetryableError.SESSION_EXPIRED, "vCenter at " + where() + " refused " + method
                            + ": the session is not authenticated even after logging in again");
                }
            }
        }

        private Node exchange(String method, String body) {
            Request.Builder request = new Request.Builder()
                    .url(sdk.toString())
                    .header("SOAPAction", SOAP_ACTION)
                    .post(RequestBody.create(envelope(method, body), TEXT_XML));
            if (cookie != null) {
                request.header("Cookie", cookie);
            }
            int status;
            byte[] answer;
            Request built = request.build();
            try {
                // Every vim25 method but the *_Task ones only reads or logs in, so repeating it does nothing twice; a
                // task (a snapshot, a revert) is never repeated here. A SOAP fault comes as HTTP 500 and is vCenter's
                // answer, not a failure to retry: only 502/503/504/429 and broken connections are.
                Raw raw = retry.send(!method.endsWith("_Task"), () -> {
                    requests++;
                    try (Response response = http.newCall(built).execute()) {
                        return new Raw(response.code(), response.headers("Set-Cookie"), read(response.body(), method),
                                response.header("Retry-After"));
                    }
                }, r -> TransientRetry.Answer.of(r.status() == 500 ? 200 : r.status(), r.retryAfter()));
                status = raw.status();
                for (String setCookie : raw.setCookies()) {
                    String pair = setCookie.split(";", 2)[0].strip();
                    if (pair.startsWith(SESSION_COOKIE + "=")) {
                        cookie = pair;
                    }
                }
                answer = raw.body();
            } catch (IOException e) {
                throw transportError(e, method);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetryableError(RetryableError.TIMEOUT, "interrupted while waiting for vCenter", e);
            }
            Reply reply;
            try {
                reply = reply(status, answer);
            } catch (RuntimeException e) {
                throw httpError(status, method, e);
            }
            if (reply.fault() != null) {
                if (reply.fault().isNotAuthenticated()) {
                    throw new NotAuthenticated();
                }
                throw redact(faultError(method, reply.fault(), where()));
            }
            if (method.equals("RetrievePropertiesEx") && missingForNoSession(reply.response())) {
                // vcsim (and vCenter for some properties) answers an unauthenticated read with missingSet entries.
                throw new NotAuthenticated();
            }
            return reply.response();
        }

        private record Raw(int status, List<String> setCookies, byte[] body, String retryAfter) {}

        private byte[] read(ResponseBody body, String method) throws IOException {
            try (java.io.InputStream in = body.byteStream()) {
                byte[] bytes = in.readNBytes((int) MAX_ANSWER_BYTES + 1);
                if (bytes.length > MAX_ANSWER_BYTES) {
                    throw new TerminalError(TerminalError.REFUSED, "vCenter's answer to " + method + " is larger than "
                            + MAX_ANSWER_BYTES + " bytes");
                }
                return bytes;
            }
        }

        private PluginError transportError(IOException e, String method) {
            healthy = false;
            return VimClient.transportError(e, method, where());
        }

        private PluginError httpError(int status, String method, RuntimeException parseProblem) {
            return VimClient.httpError(status, method, where(), parseProblem);
        }

        /** Defence in depth: whatever vCenter or a proxy wrote, the password never leaves in a message. */
        private PluginError redact(PluginError e) {
            String secret = password.reveal();
            if (secret.length() < 4 || !e.detail().contains(secret)) {
                return e;
            }
            String detail = e.detail().replace(secret, "[redacted]");
            return e instanceof RetryableError ? new RetryableError(e.code(), detail, e.getCause())
                    : new TerminalError(e.code(), detail, e.getCause());
        }

        private String where() {
            return sdk.getHost() + (sdk.getPort() < 0 ? "" : ":" + sdk.getPort());
        }
    }

    /**
     * The cause of the error a ManagedObjectNotFound fault becomes: the object vCenter does not have. Read it with
     * {@link #notFound(Throwable)}, so a caller can tell "that datastore is gone" from other refusals.
     */
    public static final class ObjectNotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Moref obj;

        ObjectNotFound(Moref obj) {
            super("managed object not found: " + obj, null, false, false);
            this.obj = obj;
        }

        public Moref obj() {
            return obj;
        }
    }

    /** The object a ManagedObjectNotFound error names, or null when the error is something else. */
    public static Moref notFound(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ObjectNotFound n) {
                return n.obj();
            }
        }
        return null;
    }

    /** Raised inside a session when vCenter says it is not authenticated; never leaves {@link Session#call}. */
    private static final class NotAuthenticated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAuthenticated() {
            super(null, null, false, false);
        }
    }

    // ---- envelopes and answers (static, so unit tests feed them captured envelopes) -------------------------------

    static String this_(Moref ref) {
        return "<_this type=\"" + Xml.escape(ref.type()) + "\">" + Xml.escape(ref.value()) + "</_this>";
    }

    static String envelope(String method, String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<soapenv:Envelope xmlns:soapenv=\"" + Xml.SOAP_ENV + "\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
                + " xmlns:xsi=\"" + Xml.XSI + "\"><soapenv:Body><" + method + " xmlns=\"" + Xml.VIM + "\">" + body + "</" + method
                + "></soapenv:Body></soapenv:Envelope>";
    }

    /** A SOAP fault: its vim25 type (from the detail), faultstring, and the object a ManagedObjectNotFound names. */
    record Fault(String type, String faultString, Moref obj) {
        boolean isNotAuthenticated() {
            return "NotAuthenticated".equals(type);
        }
    }

    /** What came back: the {@code XxxResponse} element, or a fault. */
    record Reply(Node response, Fault fault) {}

    /**
     * Reads an answer. A fault is accepted with any status (vCenter uses 500); a response only with 200. Anything
     * else (not XML, not SOAP, a response with another status) throws IllegalArgumentException.
     */
    static Reply reply(int status, byte[] body) {
        Node envelope = Xml.parse(body);
        if (!envelope.name().equals("Envelope") || !Xml.SOAP_ENV.equals(envelope.namespace())) {
            throw new IllegalArgumentException("not a SOAP envelope");
        }
        Node soapBody = envelope.child("Body");
        Node first = soapBody == null ? null : soapBody.first();
        if (first == null) {
            throw new IllegalArgumentException("an empty SOAP body");
        }
        if (first.name().equals("Fault") && Xml.SOAP_ENV.equals(first.namespace())) {
            return new Reply(null, fault(first));
        }
        if (status != 200) {
            throw new IllegalArgumentException("HTTP " + status + " with a response that is not a fault");
        }
        return new Reply(first, null);
    }

    static Fault fault(Node fault) {
        String faultString = fault.text("faultstring");
        Node detail = fault.child("detail");
        Node specific = detail == null ? null : detail.first();
        String type = null;
        Moref obj = null;
        if (specific != null) {
            type = specific.xsiType() != null ? specific.xsiType()
                    : specific.name().endsWith("Fault") ? specific.name().substring(0, specific.name().length() - 5) : specific.name();
            Node o = specific.child("obj");
            if (o != null && o.type() != null) {
                obj = new Moref(o.type(), o.text());
            }
        }
        return new Fault(type, faultString == null ? "" : faultString.strip(), obj);
    }

    /**
     * The error for a fault (NotAuthenticated is handled before: it renews the session). ManagedObjectNotFound says
     * what is gone by the type of the object it names.
     */
    static PluginError faultError(String method, Fault f, String where) {
        String type = f.type() == null ? "unknown fault" : f.type();
        String said = f.faultString().isEmpty() ? type : f.faultString() + " (" + type + ")";
        if ("InvalidLogin".equals(f.type())) {
            return new TerminalError(TerminalError.BAD_CREDENTIALS, "vCenter at " + where + " refused the login: " + said);
        }
        if ("ManagedObjectNotFound".equals(f.type())) {
            String objType = f.obj() == null ? "" : f.obj().type();
            String what = f.obj() == null ? "an object" : f.obj().toString();
            String code = switch (objType) {
                case "VirtualMachine" -> TerminalError.UNKNOWN_VM;
                case "VirtualMachineSnapshot" -> TerminalError.UNKNOWN_RESTORE_POINT;
                case "Task" -> TerminalError.UNKNOWN_JOB;
                default -> TerminalError.REFUSED;
            };
            return new TerminalError(code, "vCenter at " + where + " no longer has " + what + " (" + method + ")",
                    f.obj() == null ? null : new ObjectNotFound(f.obj()));
        }
        if ("NoPermission".equals(f.type())) {
            return new TerminalError(TerminalError.FORBIDDEN, "vCenter at " + where + " refused " + method
                    + ": the user lacks a privilege: " + said);
        }
        return new TerminalError(TerminalError.REFUSED, "vCenter at " + where + " refused " + method + ": " + said);
    }

    static PluginError httpError(int status, String method, String where, RuntimeException parseProblem) {
        String what = "vCenter at " + where + " answered " + method + " with HTTP " + status;
        if (status == 429) {
            return new RetryableError(RetryableError.THROTTLED, what);
        }
        if (status >= 500) {
            return new RetryableError(RetryableError.SERVER_ERROR, what + " and no SOAP fault");
        }
        if (status == 200) {
            return new TerminalError(TerminalError.REFUSED, what + " but not a SOAP answer (" + parseProblem.getMessage()
                    + "): is the endpoint vCenter's /sdk?");
        }
        return new TerminalError(TerminalError.REFUSED, what + ": is the endpoint vCenter's /sdk?");
    }

    static PluginError transportError(IOException e, String method, String where) {
        if (e instanceof SSLPeerUnverifiedException) {
            return new TerminalError(TerminalError.REFUSED, "TLS: the certificate of vCenter at " + where
                    + " does not name that host (" + e.getMessage() + "); use the host name the certificate names", e);
        }
        if (e instanceof SSLException && untrusted(e)) {
            return new TerminalError(TerminalError.REFUSED, "TLS: the certificate of vCenter at " + where + " is not trusted; give the"
                    + " manager the CA certificate that signed it (caBundlePem), e.g. vCenter's VMCA root", e);
        }
        if (e instanceof SSLException && String.valueOf(e.getMessage()).contains("Unsupported or unrecognized SSL message")) {
            return new TerminalError(TerminalError.REFUSED, "TLS: vCenter at " + where + " does not speak TLS on that port", e);
        }
        if (e instanceof InterruptedIOException && !(e instanceof java.nio.channels.ClosedByInterruptException)) {
            // SocketTimeoutException (connect/read) and OkHttp's call timeout ("timeout") alike.
            return new RetryableError(RetryableError.TIMEOUT, "vCenter at " + where + " did not answer " + method + " in time", e);
        }
        if (e instanceof ConnectException) {
            return new RetryableError(RetryableError.UNREACHABLE, "vCenter at " + where + " refused the connection", e);
        }
        if (e instanceof UnknownHostException) {
            return new RetryableError(RetryableError.UNREACHABLE, "the host of vCenter at " + where + " is unknown", e);
        }
        if (e instanceof SSLHandshakeException) {
            return new RetryableError(RetryableError.UNREACHABLE, "TLS handshake with vCenter at " + where + " failed: " + e.getMessage(), e);
        }
        return new RetryableError(RetryableError.UNREACHABLE, "the connection to vCenter at " + where + " failed during " + method
                + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }

    /** A certificate problem somewhere in the cause chain: retrying cannot mend it. */
    private static boolean untrusted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    /** Every object of a RetrievePropertiesEx response, with its {@code val}s by property path, in answer order. */
    static Map<Moref, Map<String, Node>> objects(Node response) {
        Map<Moref, Map<String, Node>> out = new LinkedHashMap<>();
        Node returnval = response.child("returnval");
        if (returnval == null) {
            return out;
        }
        for (Node objects : returnval.all("objects")) {
            Node o = objects.child("obj");
            if (o == null || o.type() == null) {
                continue;
            }
            Map<String, Node> vals = out.computeIfAbsent(new Moref(o.type(), o.text()), k -> new LinkedHashMap<>());
            for (Node propSet : objects.all("propSet")) {
                Node val = propSet.child("val");
                if (val != null) {
                    vals.put(propSet.text("name"), val);
                }
            }
        }
        return out;
    }

    /**
     * A property value as plain Java: a managed object reference ({@code type} attribute) → {@link Moref}; an
     * {@code ArrayOf…} → {@code List} of its items, each converted; an element without children → its text (strings,
     * numbers, booleans and enums alike, as vCenter wrote them); any other data object → {@code Map} of its fields by
     * name (a field that repeats → a {@code List}), each converted.
     */
    static Object value(Node val) {
        if (val.type() != null) {
            return new Moref(val.type(), val.text());
        }
        if (val.xsiType() != null && val.xsiType().startsWith("ArrayOf")) {
            List<Object> items = new ArrayList<>();
            for (Node item : val.children()) {
                items.add(value(item));
            }
            return items;
        }
        if (val.children().isEmpty()) {
            return val.text();
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Node child : val.children()) {
            Object v = value(child);
            Object before = fields.get(child.name());
            if (before == null) {
                fields.put(child.name(), v);
            } else if (before instanceof RepeatedField list) {
                list.add(v);
            } else {
                RepeatedField list = new RepeatedField();
                list.add(before);
                list.add(v);
                fields.put(child.name(), list);
            }
        }
        return fields;
    }

    /** A field that occurs more than once in a data object; told apart from a value that is itself a list. */
    private static final class RepeatedField extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;
    }

    /** The value if it is a {@link Moref}, else null. */
    public static Moref asMoref(Object value) {
        return value instanceof Moref m ? m : null;
    }

    /** The {@link Moref}s of a value: one reference, or a list's references; empty for anything else. */
    public static List<Moref> asMorefs(Object value) {
        if (value instanceof Moref m) {
            return List.of(m);
        }
        List<Moref> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Moref m) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** The hosts of a {@code Datastore.host} value (ArrayOfDatastoreHostMount) that have it mounted and accessible. */
    static List<Moref> mountingHosts(Object hostMounts) {
        List<Moref> out = new ArrayList<>();
        List<?> mounts = hostMounts instanceof List<?> l ? l : hostMounts == null ? List.of() : List.of(hostMounts);
        for (Object mount : mounts) {
            if (!(mount instanceof Map<?, ?> m) || !(m.get("key") instanceof Moref host)) {
                continue;
            }
            Object info = m.get("mountInfo");
            if (info instanceof Map<?, ?> i && ("false".equals(i.get("mounted")) || "false".equals(i.get("accessible")))) {
                continue;
            }
            out.add(host);
        }
        return out;
    }

    /** The {@code val}s of one object in a RetrievePropertiesEx response. */
    static Map<String, Node> properties(Node response, Moref obj) {
        Map<String, Node> out = new LinkedHashMap<>();
        Node returnval = response.child("returnval");
        if (returnval == null) {
            return out;
        }
        for (Node objects : returnval.all("objects")) {
            Node o = objects.child("obj");
            if (o != null && !o.text().equals(obj.value())) {
                continue;
            }
            for (Node propSet : objects.all("propSet")) {
                Node val = propSet.child("val");
                if (val != null) {
                    out.put(propSet.text("name"), val);
                }
            }
        }
        return out;
    }

    /** True when a property is missing because the session is not authenticated. */
    static boolean missingForNoSession(Node response) {
        Node returnval = response.child("returnval");
        if (returnval == null) {
            return false;
        }
        for (Node objects : returnval.all("objects")) {
            for (Node missing : objects.all("missingSet")) {
                Node localized = missing.child("fault");
                Node fault = localized == null ? null : localized.child("fault");
                if (fault != null && "NotAuthenticated".equals(fault.xsiType())) {
                    return true;
                }
            }
        }
        return false;
    }

    static TaskInfo taskInfo(Moref task, Map<String, Node> p) {
        Node state = p.get("info.state");
        if (state == null) {
            throw new TerminalError(TerminalError.REFUSED, "vCenter answered no info.state for " + task);
        }
        Node progress = p.get("info.progress");
        Integer percent = null;
        if (progress != null) {
            try {
                percent = Integer.valueOf(progress.text().strip());
            } catch (NumberFormatException e) {
                percent = null;
            }
        }
        Node result = p.get("info.result");
        Moref resultRef = result == null || result.type() == null || result.text().isBlank() ? null : new Moref(result.type(), result.text());
        Node error = p.get("info.error");
        String errorType = null;
        String errorMessage = null;
        if (error != null) {
            Node fault = error.child("fault");
            errorType = fault == null ? null : fault.xsiType();
            errorMessage = error.text("localizedMessage");
        }
        return new TaskInfo(task, state.text().strip(), percent, resultRef, errorType, errorMessage,
                time(p.get("info.startTime")), time(p.get("info.completeTime")));
    }

    /** Flattens a {@code VirtualMachineSnapshotInfo} (null: no snapshots), parents before children. */
    static List<SnapshotInfo> snapshots(Node snapshotInfo) {
        List<SnapshotInfo> out = new ArrayList<>();
        if (snapshotInfo != null) {
            for (Node tree : snapshotInfo.all("rootSnapshotList")) {
                walk(tree, out);
            }
        }
        return out;
    }

    private static void walk(Node tree, List<SnapshotInfo> out) {
        Node snapshot = tree.child("snapshot");
        Node vm = tree.child("vm");
        if (snapshot != null) {
            out.add(new SnapshotInfo(new Moref(snapshot.type() == null ? "VirtualMachineSnapshot" : snapshot.type(), snapshot.text()),
                    vm == null ? null : new Moref(vm.type() == null ? "VirtualMachine" : vm.type(), vm.text()),
                    tree.text("name"), tree.text("description"), time(tree.child("createTime"))));
        }
        for (Node child : tree.all("childSnapshotList")) {
            walk(child, out);
        }
    }

    /** xsd:dateTime; vCenter writes an offset or Z, but a bare local time is read as UTC rather than refused. */
    static Instant time(Node n) {
        if (n == null || n.text().isBlank()) {
            return null;
        }
        String text = n.text().strip();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static Node required(Node n, String method) {
        if (n == null) {
            throw new TerminalError(TerminalError.REFUSED, "vCenter answered " + method + " without a returnval");
        }
        return n;
    }
}
