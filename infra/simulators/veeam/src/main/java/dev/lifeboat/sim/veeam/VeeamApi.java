package dev.lifeboat.sim.veeam;

import static dev.lifeboat.sim.veeam.Doc.el;
import static dev.lifeboat.sim.veeam.Doc.link;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.lifeboat.sim.SimulatorServer;
import dev.lifeboat.sim.veeam.Doc.El;
import dev.lifeboat.sim.veeam.World.BackupSession;
import dev.lifeboat.sim.veeam.World.Include;
import dev.lifeboat.sim.veeam.World.Job;
import dev.lifeboat.sim.veeam.World.Logon;
import dev.lifeboat.sim.veeam.World.Outcome;
import dev.lifeboat.sim.veeam.World.RestorePoint;
import dev.lifeboat.sim.veeam.World.RestoreSession;
import dev.lifeboat.sim.veeam.World.Root;
import dev.lifeboat.sim.veeam.World.Task;
import dev.lifeboat.sim.veeam.World.TaskSession;
import dev.lifeboat.sim.veeam.World.Vm;
import dev.lifeboat.sim.veeam.World.VmRestorePoint;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** The HTTP side: routing, logon sessions, content negotiation, and the documents of every resource. */
final class VeeamApi implements HttpHandler {
    static final String SESSION_HEADER = "X-RestSvcSessionId";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VeeamSimulator sim;
    private final World world;

    VeeamApi(VeeamSimulator sim, World world) {
        this.sim = sim;
        this.world = world;
    }

    /** One request in flight. */
    private static final class Call {
        HttpExchange ex;
        String method;
        /** Path segments after {@code /api}, URL-decoded. */
        List<String> segs = new ArrayList<>();
        /** Query parameters, names in lower case (Veeam's are case-insensitive [U]). */
        Map<String, String> params = new HashMap<>();
        boolean json;
        String body = "";
        Logon logon;
        int status;

        String seg(int i) {
            return i < segs.size() ? segs.get(i).toLowerCase(Locale.ROOT) : null;
        }

        String id(int i) {
            return segs.get(i).toLowerCase(Locale.ROOT);
        }

        boolean entity() {
            String f = params.get("format");
            return f != null && (f.equalsIgnoreCase("Entity") || f.equalsIgnoreCase("Entities"));
        }
    }

    // ---- error bodies ----

    /**
     * The Error body as seen on the wire [C, BY]:
     * {@code {"FirstChanceExceptionMessage":null,"Message":"...","StackTrace":null,"Status":null,"StatusCode":400}}.
     */
    static String jsonError(int status, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.putNull("FirstChanceExceptionMessage");
        n.put("Message", message);
        n.putNull("StackTrace");
        n.putNull("Status");
        n.put("StatusCode", status);
        return n.toString();
    }

    /**
     * The XML Error: the layout is [U] (backup-systems.md §1.11). Chosen: the same fields as the JSON form, as attributes
     * of {@code <Error>} in the Veeam namespace, the non-null ones only.
     */
    static String xmlError(int status, String message) {
        return Doc.xml(el("Error").attr("Message", message).attr("StatusCode", status));
    }

    SimulatorServer.ErrorBody faultBody() {
        boolean json = world.config.faultBodyJson();
        return new SimulatorServer.ErrorBody() {
            @Override
            public String render(int status, String message) {
                return json ? jsonError(status, message) : xmlError(status, message);
            }

            @Override
            public String contentType() {
                return json ? "application/json; charset=utf-8" : "application/xml; charset=utf-8";
            }
        };
    }

    // ---- dispatch ----

    @Override
    public void handle(HttpExchange ex) throws IOException {
        Call c = new Call();
        c.ex = ex;
        c.method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String accept = ex.getRequestHeaders().getFirst("Accept");
        // XML unless the client accepts JSON [V, VD post_sessionmngr: "If the request does not contain the header, the
        // server will return the response in the XML format"].
        c.json = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/json");
        Instant at = world.now();
        try {
            c.body = SimulatorServer.body(ex);
            parseUri(c);
            synchronized (world) {
                world.advance();
                route(c);
            }
        } catch (ApiError e) {
            sendError(c, e.status, e.getMessage());
        } finally {
            sim.record(at, c.method, ex.getRequestURI().toString(), ex.getRequestHeaders(), c.body, c.status);
        }
    }

    private static void parseUri(Call c) {
        String path = c.ex.getRequestURI().getRawPath();
        String[] parts = path.split("/");
        int start = -1;
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                start = parts[i].equalsIgnoreCase("api") ? i + 1 : -1;
                break;
            }
        }
        if (start < 0) {
            throw new ApiError(404, "The resource " + path + " was not found.");
        }
        for (int i = start; i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                c.segs.add(URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
            }
        }
        String q = c.ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String pair : q.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                c.params.put(URLDecoder.decode(k, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT), URLDecoder.decode(v, StandardCharsets.UTF_8));
            }
        }
    }

    private void route(Call c) throws IOException {
        String top = c.seg(0);
        if ("sessionmngr".equals(top) && c.segs.size() == 1) {
            only(c, "POST");
            logon(c);
            return;
        }
        authenticate(c);
        multipleAcceptQuirk(c);
        int n = c.segs.size();
        if (top == null) {
            throw new ApiError(404, "The resource /api/ is not simulated; log on at /api/sessionMngr/?v=latest.");
        }
        switch (top) {
            case "logonsessions" -> {
                need(c, n == 2);
                logonSession(c);
            }
            case "jobs" -> jobs(c, n);
            case "backupservers" -> backupServers(c, n);
            case "hierarchyroots" -> hierarchyRoots(c, n);
            case "lookup" -> {
                need(c, n == 1);
                only(c, "GET");
                lookup(c);
            }
            case "query" -> {
                need(c, n == 1);
                only(c, "GET");
                query(c);
            }
            case "tasks" -> tasks(c, n);
            case "backupsessions" -> backupSessions(c, n);
            case "backuptasksessions" -> {
                need(c, n == 2);
                only(c, "GET");
                TaskSession ts = found(world.taskSessions.get(c.id(1)), "Backup task session", c.segs.get(1));
                ok(c, c.entity() ? taskSessionEntity(ts) : taskSessionRef(ts));
            }
            case "restorepoints" -> restorePoints(c, n);
            case "vmrestorepoints" -> vmRestorePoints(c, n);
            case "restoresessions" -> restoreSessions(c, n);
            default -> throw new ApiError(404, "The resource /api/" + String.join("/", c.segs) + " was not found.");
        }
    }

    private static void need(Call c, boolean shape) {
        if (!shape) {
            throw new ApiError(404, "The resource /api/" + String.join("/", c.segs) + " was not found.");
        }
    }

    private static void only(Call c, String... methods) {
        for (String m : methods) {
            if (m.equals(c.method)) {
                return;
            }
        }
        throw new ApiError(405, "The HTTP method " + c.method + " is not allowed for /api/" + String.join("/", c.segs) + ".");
    }

    private static <T> T found(T thing, String what, String id) {
        if (thing == null) {
            // Wording [U]; the status is what clients key on (§1.11).
            throw new ApiError(404, what + " with id [" + id + "] was not found.");
        }
        return thing;
    }

    // ---- logon ----

    /**
     * {@code POST /api/sessionMngr/?v=latest} with Basic auth → 201, the token in header {@code X-RestSvcSessionId} and
     * in a cookie, and the LogonSession document; bad or missing credentials → 401 with
     * {@code WWW-Authenticate: Basic Realm=RestSvc} [V, VD http_authentication].
     */
    private void logon(Call c) throws IOException {
        String v = c.params.get("v");
        if (v != null && !v.equalsIgnoreCase("latest") && !v.matches("(?i)v1_[3-7]")) {
            throw new ApiError(400, "Unsupported API version \"" + v + "\"."); // wording [U]
        }
        VeeamSimulator.User user = basicUser(c.ex.getRequestHeaders().getFirst("Authorization"));
        if (user == null) {
            c.ex.getResponseHeaders().set("WWW-Authenticate", "Basic Realm=RestSvc");
            throw new ApiError(401, "Authentication failed: the user name or password is incorrect."); // wording [U]
        }
        Logon l = new Logon();
        l.id = UUID.randomUUID().toString();
        // The token is the base64 of the session id: the VD examples' X-RestSvcSessionId NDRjZmJk... decodes to a UUID.
        l.token = Base64.getEncoder().encodeToString(l.id.getBytes(StandardCharsets.US_ASCII));
        l.user = user.name();
        l.admin = user.admin();
        l.created = world.now();
        l.lastUsed = l.created;
        world.logons.put(l.token, l);
        c.ex.getResponseHeaders().set(SESSION_HEADER, l.token);
        c.ex.getResponseHeaders().add("Set-Cookie", SESSION_HEADER + "=" + l.token + "; Path=/api");
        send(c, 201, logonDoc(l));
    }

    private VeeamSimulator.User basicUser(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        return world.config.users().stream().filter(u -> u.name().equalsIgnoreCase(name) && u.password().equals(password))
            .findFirst().orElse(null);
    }

    /**
     * Finds the logon session of a request: the cookie wins over the header when both are sent [V, VD
     * http_authentication]; an idle session expires after the timeout and each call touches it [V, 15 min].
     */
    private void authenticate(Call c) {
        String token = cookie(c.ex.getRequestHeaders().get("Cookie"));
        if (token == null) {
            token = c.ex.getRequestHeaders().getFirst(SESSION_HEADER);
        }
        if (token == null || token.isBlank()) {
            throw new ApiError(401, "Unauthorized: the request has no X-RestSvcSessionId."); // wording [U]
        }
        Logon l = world.logons.get(token.trim());
        if (l != null && l.ended == null && sim.expired(l)) {
            l.ended = "Expired";
        }
        if (l == null || l.ended != null) {
            throw new ApiError(401, "Unauthorized: the logon session does not exist or has expired."); // wording [U]
        }
        l.lastUsed = world.now();
        c.logon = l;
    }

    private static String cookie(List<String> headers) {
        if (headers == null) {
            return null;
        }
        for (String h : headers) {
            for (String part : h.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(SESSION_HEADER)) {
                    return part.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    /** 9.5U4: a POST with a body and several Accept types → 400 "Node [root] does not exist." [C, BY]. */
    private void multipleAcceptQuirk(Call c) {
        String accept = c.ex.getRequestHeaders().getFirst("Accept");
        if (world.config.rejectMultipleAccept() && "POST".equals(c.method) && !c.body.isBlank() && accept != null
            && accept.contains(",")) {
            throw new ApiError(400, "Node [root] does not exist.");
        }
    }

    /** Portal Administrators only may start or edit jobs [V, VD http_authentication]. */
    private static void requireAdmin(Call c) {
        if (!c.logon.admin) {
            throw new ApiError(403, "Access denied: only a Portal Administrator can start or edit jobs."); // wording [U]
        }
    }

    private void logonSession(Call c) throws IOException {
        Logon l = world.logons.values().stream().filter(x -> x.id.equalsIgnoreCase(c.segs.get(1)) && x.ended == null).findFirst()
            .orElse(null);
        found(l, "Logon session", c.segs.get(1));
        if ("DELETE".equals(c.method)) {
            l.ended = "LoggedOff";
            // Its tasks go with it: tasks belong to the logon session [V, VD tasks_intro].
            world.tasks.values().removeIf(t -> t.owner == l);
            send(c, 204, null);
            return;
        }
        only(c, "GET");
        ok(c, logonDoc(l));
    }

    private El logonDoc(Logon l) {
        String self = href("logonSessions/" + l.id);
        return el("LogonSession").attr("Type", "LogonSession").attr("Href", self)
            .links(List.of(
                link("Down", "BackupServerReferenceList", href("backupServers"), null),
                link("Down", "JobReferenceList", href("jobs"), null),
                link("Down", "HierarchyRootReferenceList", href("hierarchyRoots"), null),
                link("Down", "BackupJobSessionReferenceList", href("backupSessions"), null),
                link("Down", "RestoreSessionReferenceList", href("restoreSessions"), null),
                link("Down", "VmRestorePointReferenceList", href("vmRestorePoints"), null),
                link("Down", "QueryService", href("query"), null),
                link("Down", "LookupService", href("lookup"), null),
                link("Delete", "LogonSession", self, null)))
            .field("UserName", l.user)
            .field("SessionId", l.id);
    }

    // ---- jobs and includes ----

    private void jobs(Call c, int n) throws IOException {
        if (n == 1) {
            only(c, "GET");
            List<Job> all = new ArrayList<>(world.jobs.values());
            ok(c, c.entity() ? el("Jobs").items("Jobs", all.stream().map(this::jobEntity).toList())
                : refs(all.stream().map(this::jobRef).toList()));
            return;
        }
        Job job = found(world.jobs.get(c.id(1)), "Job", c.segs.get(1));
        if (n == 2) {
            only(c, "GET", "POST");
            if ("POST".equals(c.method)) {
                jobAction(c, job);
                return;
            }
            ok(c, c.entity() ? jobEntity(job) : jobRef(job));
            return;
        }
        switch (c.seg(2)) {
            case "includes" -> includes(c, job, n);
            case "backupsessions" -> {
                need(c, n == 3);
                only(c, "GET");
                List<BackupSession> list = world.backupSessions.values().stream().filter(s -> s.job == job).toList();
                ok(c, c.entity() ? el("BackupJobSessions").items("BackupJobSessions", list.stream().map(this::sessionEntity).toList())
                    : refs(list.stream().map(this::sessionRef).toList()));
            }
            default -> need(c, false);
        }
    }

    /**
     * {@code POST /jobs/{id}?action=start} → 202 Task {@code StartJob}, finished with {@code Job "X" triggered to start.}
     * and no link to a session [V, VD post_jobs_id_actionstart]; the job runs over all its objects.
     */
    private void jobAction(Call c, Job job) throws IOException {
        String action = c.params.getOrDefault("action", "");
        if (!action.equalsIgnoreCase("start")) {
            throw new ApiError(400, "Action \"" + action + "\" is not supported for jobs by this simulator.");
        }
        requireAdmin(c);
        Task t = world.newTask(c.logon, "StartJob", at -> {
            if (world.jobRunning(job)) {
                return Outcome.failed("Job \"" + job.name + "\" is already running."); // wording [U]
            }
            List<Vm> list = job.includes.stream().map(i -> world.vmByRef(i.ref)).flatMap(Optional::stream).toList();
            world.startBackup(job, list, false, at);
            return Outcome.ok("Job \"" + job.name + "\" triggered to start.");
        });
        accepted(c, t);
    }

    private void includes(Call c, Job job, int n) throws IOException {
        if (n == 3) {
            if ("POST".equals(c.method)) {
                addInclude(c, job);
                return;
            }
            only(c, "GET");
            ok(c, el("ObjectsInJob").items("ObjectInJobs", job.includes.stream().map(this::includeDoc).toList()));
            return;
        }
        need(c, n == 4);
        Include inc = found(job.includes.stream().filter(i -> i.id.equalsIgnoreCase(c.segs.get(3))).findFirst().orElse(null),
            "Object in job", c.segs.get(3));
        if ("DELETE".equals(c.method)) {
            requireAdmin(c);
            Task t = world.newTask(c.logon, "UpdateJob", at -> {
                if (!job.includes.contains(inc)) {
                    return Outcome.failed("Object " + inc.name + " is no longer in job \"" + job.name + "\"."); // [U]
                }
                // "If a job processes only one object, you cannot delete this object" [V, VD delete_jobs_id_includes_id].
                // How it is refused is [U]: here the UpdateJob task fails.
                if (job.includes.size() == 1) {
                    return Outcome.failed("Cannot remove the only object from job \"" + job.name + "\": a job must process at least one object.");
                }
                job.includes.remove(inc);
                return Outcome.ok("Ok");
            });
            accepted(c, t);
            return;
        }
        only(c, "GET");
        ok(c, includeDoc(inc));
    }

    /**
     * {@code POST /jobs/{id}/includes} with a {@code CreateObjectInJobSpec} → 202 Task {@code UpdateJob}; the object
     * shows in the job when the task finishes [V, VD post_jobs_id_includes].
     */
    private void addInclude(Call c, Job job) throws IOException {
        requireAdmin(c);
        Map<String, String> spec = body(c, "CreateObjectInJobSpec", Bodies.CREATE_OBJECT_IN_JOB);
        String ref = spec.get("HierarchyObjRef");
        String name = spec.get("HierarchyObjName");
        if (!World.wellFormedRef(ref)) {
            throw new ApiError(400, "HierarchyObjRef \"" + ref + "\" is not a valid reference (urn:<Platform>:<Type>:<HierarchyRootId>.<ObjectId>).");
        }
        Task t = world.newTask(c.logon, "UpdateJob", at -> {
            Optional<Vm> vm = world.vmByRef(ref);
            if (vm.isEmpty()) {
                return Outcome.failed("Object " + ref + " was not found in the virtual infrastructure."); // wording [U]
            }
            String canonical = vm.get().ref();
            if (job.includes.stream().anyMatch(i -> i.ref.equalsIgnoreCase(canonical))) {
                // Whether Veeam refuses or duplicates is [U]; refusing is the safer simulation.
                return Outcome.failed("Object " + vm.get().name + " is already processed by job \"" + job.name + "\".");
            }
            Include inc = new Include();
            inc.id = UUID.randomUUID().toString();
            inc.job = job;
            inc.ref = canonical;
            inc.name = name;
            inc.displayName = vm.get().name;
            job.includes.add(inc);
            return Outcome.ok("Ok");
        });
        accepted(c, t);
    }

    private El jobRef(Job j) {
        return el("Ref").attr("UID", j.uid()).attr("Name", j.name).attr("Href", href("jobs/" + j.id)).attr("Type", "JobReference")
            .links(List.of(
                serverLink("Up"),
                link("Alternate", "Job", href("jobs/" + j.id + "?format=Entity"), j.name),
                link("Down", "BackupJobSessionReferenceList", href("jobs/" + j.id + "/backupSessions"), null)));
    }

    /** The Job entity of VD {@code resource_representation_for_ke}, without JobScheduleOptions and retention details. */
    private El jobEntity(Job j) {
        String self = href("jobs/" + j.id);
        return el("Job").attr("Type", "Job").attr("Href", self + "?format=Entity").attr("Name", j.name).attr("UID", j.uid())
            .links(List.of(
                serverLink("Up"),
                link("Alternate", "JobReference", self, j.name),
                link("Edit", "JobReference", self, j.name),
                link("Down", "ObjectInJobList", self + "/includes", null),
                link("Down", "BackupJobSessionReferenceList", self + "/backupSessions", null),
                link("Create", "ObjectInJob", self + "/includes", null),
                link("Start", null, self + "?action=start", null)))
            .field("JobType", "Backup")
            .field("Platform", "VMware")
            .field("Description", j.description)
            .field("ScheduleConfigured", true)
            .field("ScheduleEnabled", true)
            .field("NextRun", Times.utc(nextRun()))
            .child(el("JobInfo").child(el("BackupJobInfo")
                .wrapped("Includes", "ObjectInJobs", j.includes.stream().map(this::includeDoc).toList())));
    }

    /** The daily schedule every simulated job has: 22:00 UTC [U, any time would do]. */
    private Instant nextRun() {
        Instant now = world.now();
        Instant today = now.atZone(ZoneOffset.UTC).toLocalDate().atTime(LocalTime.of(22, 0)).toInstant(ZoneOffset.UTC);
        return today.isAfter(now) ? today : today.plusSeconds(86_400);
    }

    /** {@code ObjectInJob} with child elements, not attributes [V, VD get_jobs_id_includes_id]. */
    private El includeDoc(Include i) {
        return el("ObjectInJob").attr("Type", "ObjectInJob").attr("Href", href("jobs/" + i.job.id + "/includes/" + i.id))
            .field("ObjectInJobId", i.id)
            .field("HierarchyObjRef", i.ref)
            .field("Name", i.name)
            .field("DisplayName", i.displayName);
    }

    // ---- backup server and quick backup ----

    private void backupServers(Call c, int n) throws IOException {
        if (n == 1) {
            only(c, "GET");
            ok(c, c.entity() ? el("BackupServers").items("BackupServers", List.of(serverEntity())) : refs(List.of(serverRef())));
            return;
        }
        need(c, n == 2);
        if (!c.id(1).equals(world.backupServerId)) {
            found(null, "Backup server", c.segs.get(1));
        }
        if ("POST".equals(c.method)) {
            quickBackup(c);
            return;
        }
        only(c, "GET");
        ok(c, c.entity() ? serverEntity() : serverRef());
    }

    /**
     * {@code POST /backupServers/{id}?action=quickbackup} with {@code QuickBackupStartupSpec/VmRef} → 202 Task
     * {@code QuickBackup}; the finished task links {@code Rel="Related" Type="BackupJobSession"} to the session
     * [V, VD post_backupservers_id_quickbackup]. Quick backup is "an incremental backup of a VM processed by a backup
     * job": a VM in no job fails the task (wording [U]).
     */
    private void quickBackup(Call c) throws IOException {
        String action = c.params.getOrDefault("action", "");
        if (!action.equalsIgnoreCase("quickbackup")) {
            throw new ApiError(400, "Action \"" + action + "\" is not supported for backup servers by this simulator.");
        }
        requireAdmin(c);
        Map<String, String> spec = body(c, "QuickBackupStartupSpec", Bodies.QUICK_BACKUP);
        String ref = spec.get("VmRef");
        if (!World.wellFormedRef(ref)) {
            throw new ApiError(400, "VmRef \"" + ref + "\" is not a valid reference.");
        }
        Task t = world.newTask(c.logon, "QuickBackup", at -> {
            Optional<Vm> vm = world.vmByRef(ref);
            if (vm.isEmpty()) {
                return Outcome.failed("VM " + ref + " was not found in the virtual infrastructure.");
            }
            Optional<Job> job = world.jobOf(vm.get());
            if (job.isEmpty()) {
                return Outcome.failed("VM " + vm.get().name + " is not processed by any backup job.");
            }
            BackupSession s = world.startBackup(job.get(), List.of(vm.get()), true, at);
            return new Outcome(true, "Ok", "BackupJobSession", href("backupSessions/" + s.id + "?format=Entity"));
        });
        accepted(c, t);
    }

    private El serverLink(String rel) {
        return link(rel, "BackupServerReference", href("backupServers/" + world.backupServerId), world.config.backupServerName());
    }

    private El serverRef() {
        String self = href("backupServers/" + world.backupServerId);
        return el("Ref").attr("UID", "urn:veeam:BackupServer:" + world.backupServerId).attr("Name", world.config.backupServerName())
            .attr("Href", self).attr("Type", "BackupServerReference")
            .links(List.of(link("Alternate", "BackupServer", self + "?format=Entity", world.config.backupServerName())));
    }

    private El serverEntity() {
        String self = href("backupServers/" + world.backupServerId);
        return el("BackupServer").attr("Type", "BackupServer").attr("Href", self + "?format=Entity")
            .attr("Name", world.config.backupServerName()).attr("UID", "urn:veeam:BackupServer:" + world.backupServerId)
            .links(List.of(
                link("Alternate", "BackupServerReference", self, world.config.backupServerName()),
                link("QuickBackup", null, self + "?action=quickbackup", null)))
            .field("Description", "Simulated Veeam Backup & Replication server")
            .field("Port", 9392)
            .field("Version", "13.0.1.1071");
    }

    // ---- hierarchy and lookup ----

    private void hierarchyRoots(Call c, int n) throws IOException {
        only(c, "GET");
        if (n == 1) {
            List<Root> all = new ArrayList<>(world.roots.values());
            ok(c, c.entity() ? el("HierarchyRoots").items("HierarchyRoots", all.stream().map(this::rootEntity).toList())
                : refs(all.stream().map(this::rootRef).toList()));
            return;
        }
        need(c, n == 2);
        Root r = found(world.roots.get(c.id(1)), "Hierarchy root", c.segs.get(1));
        ok(c, c.entity() ? rootEntity(r) : rootRef(r));
    }

    private El rootRef(Root r) {
        String self = href("hierarchyRoots/" + r.id);
        return el("Ref").attr("UID", "urn:veeam:HierarchyRoot:" + r.id).attr("Name", r.host).attr("Href", self)
            .attr("Type", "HierarchyRootReference")
            .links(List.of(serverLink("Up"), link("Alternate", "HierarchyRoot", self + "?format=Entity", r.host)));
    }

    /** HierarchyRoot entity: element set [U]. */
    private El rootEntity(Root r) {
        String self = href("hierarchyRoots/" + r.id);
        return el("HierarchyRoot").attr("Type", "HierarchyRoot").attr("Href", self + "?format=Entity").attr("Name", r.host)
            .attr("UID", "urn:veeam:HierarchyRoot:" + r.id)
            .links(List.of(serverLink("Up"), link("Alternate", "HierarchyRootReference", self, r.host)))
            .field("HierarchyRootId", r.id)
            .field("UniqueSystemName", r.host)
            .field("HostType", "VC");
    }

    /**
     * {@code GET /lookup?host=urn:veeam:HierarchyRoot:{id}&name={vm}&type=Vm} or {@code ?hierarchyRef=...} →
     * {@code HierarchyItems} [V, VD get_lookup]. Name and type compare case-insensitively (the VD example finds VM "DNS"
     * with {@code name=dns&type=vm}); no match is an empty list [U]; an unknown host is 404 [U].
     */
    private void lookup(Call c) throws IOException {
        List<Vm> found = new ArrayList<>();
        String hierarchyRef = c.params.get("hierarchyref");
        if (hierarchyRef != null) {
            world.vmByRef(hierarchyRef).ifPresent(found::add);
        } else {
            String host = c.params.get("host");
            if (host == null) {
                throw new ApiError(400, "The lookup needs host (with name and type) or hierarchyRef.");
            }
            String rootId = host.replaceFirst("(?i)^urn:veeam:HierarchyRoot:", "").toLowerCase(Locale.ROOT);
            Root root = found(world.roots.get(rootId), "Hierarchy root", host);
            String name = c.params.get("name");
            String type = c.params.getOrDefault("type", "Vm");
            if (type.equalsIgnoreCase("Vm")) {
                if (name == null) {
                    world.vms.stream().filter(v -> v.root == root).forEach(found::add);
                } else {
                    found.addAll(world.vmsNamed(root, name));
                }
            }
        }
        List<El> items = found.stream().map(v -> el("HierarchyItem").attr("Type", "HierarchyItem")
            .field("ObjectRef", v.ref()).field("ObjectType", "Vm").field("ObjectName", v.name)).toList();
        ok(c, el("HierarchyItems").items("HierarchyItems", items));
    }

    // ---- tasks ----

    /**
     * Tasks are visible to the logon session that created them only [V, VD tasks_intro; §4.1]: another session gets 404.
     * A done task answers {@code OperationFinished} (no Result yet) for the configured number of polls, then
     * {@code Finished} with its Result [V, VD get_tasks_id].
     */
    private void tasks(Call c, int n) throws IOException {
        if (n == 1) {
            only(c, "GET");
            List<El> mine = new ArrayList<>();
            for (Task t : world.tasks.values()) {
                if (t.owner == c.logon) {
                    mine.add(taskDoc(t, false));
                }
            }
            ok(c, el("Tasks").items("Tasks", mine));
            return;
        }
        need(c, n == 2);
        Task t = world.tasks.get(c.segs.get(1));
        if (t == null || t.owner != c.logon) {
            found(null, "Task", c.segs.get(1));
        }
        if ("DELETE".equals(c.method)) {
            // Deleting a task that has not finished stops it [V, VD delete_task_id: "To stop the task execution"]: its
            // effect never happens.
            world.tasks.remove(t.id);
            send(c, 204, null);
            return;
        }
        only(c, "GET");
        ok(c, taskDoc(t, true));
    }

    private El taskDoc(Task t, boolean poll) {
        String self = href("tasks/" + t.id);
        List<El> links = new ArrayList<>();
        links.add(link("Delete", "Task", self, null));
        String state;
        if (t.outcome == null) {
            state = "Running";
        } else if (t.operationFinishedPollsLeft > 0) {
            state = "OperationFinished";
            if (poll) {
                t.operationFinishedPollsLeft--;
            }
        } else {
            state = "Finished";
        }
        if ("Finished".equals(state) && t.outcome.relatedHref() != null) {
            links.add(link("Related", t.outcome.relatedType(), t.outcome.relatedHref(), null));
        }
        El doc = el("Task").attr("Type", "Task").attr("Href", self).links(links)
            .field("TaskId", t.id).field("State", state).field("Operation", t.operation);
        if ("Finished".equals(state)) {
            doc.child(el("Result").attr("Success", t.outcome.success()).field("Message", t.outcome.message()));
        }
        return doc;
    }

    private void accepted(Call c, Task t) throws IOException {
        send(c, 202, taskDoc(t, false));
    }

    // ---- backup sessions ----

    private void backupSessions(Call c, int n) throws IOException {
        only(c, "GET");
        if (n == 1) {
            List<BackupSession> all = new ArrayList<>(world.backupSessions.values());
            ok(c, c.entity() ? el("BackupJobSessions").items("BackupJobSessions", all.stream().map(this::sessionEntity).toList())
                : refs(all.stream().map(this::sessionRef).toList()));
            return;
        }
        BackupSession s = found(world.backupSessions.get(c.id(1)), "Backup session", c.segs.get(1));
        if (n == 2) {
            ok(c, c.entity() ? sessionEntity(s) : sessionRef(s));
            return;
        }
        need(c, n == 3 && "tasksessions".equals(c.seg(2)));
        ok(c, c.entity() ? el("BackupTaskSessions").items("BackupTaskSessions", s.taskSessions.stream().map(ts -> taskSessionEntity(ts)).toList())
            : refs(s.taskSessions.stream().map(ts -> taskSessionRef(ts)).toList()));
    }

    private El sessionRef(BackupSession s) {
        String self = href("backupSessions/" + s.id);
        return el("Ref").attr("UID", s.uid()).attr("Name", s.name()).attr("Href", self).attr("Type", "BackupJobSessionReference")
            .links(List.of(serverLink("Up"), link("Alternate", "BackupJobSession", self + "?format=Entity", s.name())));
    }

    /** BackupJobSession [V, VD get_backupsessions_id / backupsessions_id]; Result is {@code None} while it runs. */
    private El sessionEntity(BackupSession s) {
        String self = href("backupSessions/" + s.id);
        List<El> links = new ArrayList<>(List.of(
            serverLink("Up"),
            link("Up", "JobReference", href("jobs/" + s.job.id), s.job.name),
            link("Alternate", "BackupJobSessionReference", self, s.name()),
            link("Down", "BackupTaskSessionReferenceList", self + "/taskSessions", null),
            link("Stop", null, self + "?action=stop", null)));
        if (s.restorePoint != null) {
            links.add(link("Down", "RestorePointReference", href("restorePoints/" + s.restorePoint.id), Times.pointName(s.restorePoint.created)));
        }
        return el("BackupJobSession").attr("Type", "BackupJobSession").attr("Href", self + "?format=Entity").attr("Name", s.name())
            .attr("UID", s.uid())
            .links(links)
            .field("JobUid", s.job.uid())
            .field("JobName", s.job.name)
            .field("JobType", "Backup")
            .field("CreationTimeUTC", Times.utc(s.created))
            .field("EndTimeUTC", Times.utc(s.finished ? s.end : World.NO_END))
            .field("State", world.state(s.created, s.finished))
            .field("Result", s.finished ? s.result : "None")
            .field("Progress", world.progress(s.created, s.finished))
            .field("IsRetry", false);
    }

    private El taskSessionRef(TaskSession ts) {
        String self = href("backupTaskSessions/" + ts.id);
        return el("Ref").attr("UID", "urn:veeam:BackupTaskSession:" + ts.id).attr("Name", ts.name()).attr("Href", self)
            .attr("Type", "BackupTaskSessionReference")
            .links(List.of(serverLink("Up"), link("Alternate", "BackupTaskSession", self + "?format=Entity", ts.name())));
    }

    /** BackupTaskSession, one per VM: State {@code Pending|InProgress|Completed}, Result, Reason [V, VD backuptasksessions_id]. */
    private El taskSessionEntity(TaskSession ts) {
        String self = href("backupTaskSessions/" + ts.id);
        BackupSession s = ts.session;
        List<El> links = new ArrayList<>(List.of(
            serverLink("Up"),
            link("Up", "BackupJobSessionReference", href("backupSessions/" + s.id), s.name()),
            link("Alternate", "BackupTaskSessionReference", self, ts.name())));
        if (ts.point != null && world.vmRestorePoints.containsKey(ts.point.id)) {
            links.add(link("Related", "VmRestorePoint", href("vmRestorePoints/" + ts.point.id + "?format=Entity"), ts.point.name()));
        }
        String result = s.finished ? (ts.failure == null ? "Success" : "Failed") : "None";
        return el("BackupTaskSession").attr("Type", "BackupTaskSession").attr("Href", self + "?format=Entity").attr("Name", ts.name())
            .attr("UID", "urn:veeam:BackupTaskSession:" + ts.id).attr("VmDisplayName", ts.vmName)
            .links(links)
            .field("JobSessionUid", s.uid())
            .field("CreationTimeUTC", Times.utc(s.created))
            .field("EndTimeUTC", Times.utc(s.finished ? s.end : World.NO_END))
            .field("State", world.taskSessionState(ts))
            .field("Result", result)
            .field("Reason", s.finished && ts.failure != null ? ts.failure : null)
            .field("TotalSize", ts.totalSize);
    }

    // ---- restore points ----

    private void restorePoints(Call c, int n) throws IOException {
        only(c, "GET");
        need(c, n >= 2 && n <= 3);
        RestorePoint rp = found(world.restorePoints.get(c.id(1)), "Restore point", c.segs.get(1));
        if (n == 2) {
            ok(c, c.entity() ? restorePointEntity(rp) : restorePointRef(rp));
            return;
        }
        need(c, "vmrestorepoints".equals(c.seg(2)));
        ok(c, c.entity() ? el("VmRestorePoints").items("VmRestorePoints", rp.vmPoints.stream().map(this::vmPointEntity).toList())
            : refs(rp.vmPoints.stream().map(this::vmPointRef).toList()));
    }

    private El restorePointRef(RestorePoint rp) {
        String self = href("restorePoints/" + rp.id);
        String name = Times.pointName(rp.created);
        return el("Ref").attr("UID", "urn:veeam:RestorePoint:" + rp.id).attr("Name", name).attr("Href", self)
            .attr("Type", "RestorePointReference")
            .links(List.of(serverLink("Up"),
                link("Up", "BackupReference", href("backups/" + rp.backupId), null),
                link("Alternate", "RestorePoint", self + "?format=Entity", name),
                link("Down", "VmRestorePointReferenceList", self + "/vmRestorePoints", null)));
    }

    /** RestorePoint (job level): the reference's links as captured on the wire [C]; elements [U]. */
    private El restorePointEntity(RestorePoint rp) {
        String self = href("restorePoints/" + rp.id);
        String name = Times.pointName(rp.created);
        return el("RestorePoint").attr("Type", "RestorePoint").attr("Href", self + "?format=Entity").attr("Name", name)
            .attr("UID", "urn:veeam:RestorePoint:" + rp.id)
            .links(List.of(serverLink("Up"),
                link("Up", "BackupReference", href("backups/" + rp.backupId), null),
                link("Alternate", "RestorePointReference", self, name),
                link("Down", "VmRestorePointReferenceList", self + "/vmRestorePoints", null)))
            .field("CreationTimeUTC", Times.utc(rp.created))
            .field("Type", rp.full ? "Full" : "Increment");
    }

    private void vmRestorePoints(Call c, int n) throws IOException {
        if (n == 1) {
            only(c, "GET");
            List<VmRestorePoint> all = new ArrayList<>(world.vmRestorePoints.values());
            ok(c, c.entity() ? el("VmRestorePoints").items("VmRestorePoints", all.stream().map(this::vmPointEntity).toList())
                : refs(all.stream().map(this::vmPointRef).toList()));
            return;
        }
        need(c, n == 2);
        VmRestorePoint p = found(world.vmRestorePoints.get(c.id(1)), "VM restore point", c.segs.get(1));
        if ("POST".equals(c.method)) {
            restore(c, p);
            return;
        }
        only(c, "GET");
        ok(c, c.entity() ? vmPointEntity(p) : vmPointRef(p));
    }

    private List<El> vmPointLinks(VmRestorePoint p) {
        return List.of(
            serverLink("Up"),
            link("Up", "RestorePointReference", href("restorePoints/" + p.parent.id), Times.pointName(p.parent.created)),
            link("Up", "BackupFileReference", href("backupFiles/" + p.backupFileId), backupFileName(p)));
    }

    /** Backup file names like {@code i-2-4-VM.vm-1036D2023-11-03T162535_89D6.vbk} [C, CS-V test]. */
    private static String backupFileName(VmRestorePoint p) {
        String moref = p.vmRef.substring(p.vmRef.lastIndexOf('.') + 1);
        String stamp = Times.name(p.created).replace(" ", "T").replace(":", "");
        return p.vmName + "." + moref + "D" + stamp + "_" + p.id.substring(0, 4).toUpperCase(Locale.ROOT) + (p.full ? ".vbk" : ".vib");
    }

    private El vmPointRef(VmRestorePoint p) {
        String self = href("vmRestorePoints/" + p.id);
        List<El> links = new ArrayList<>(vmPointLinks(p));
        links.add(link("Alternate", "VmRestorePoint", self + "?format=Entity", p.name()));
        return el("Ref").attr("UID", p.uid()).attr("Name", p.name()).attr("Href", self).attr("Type", "VmRestorePointReference").links(links);
    }

    /**
     * VmRestorePoint as in the CS-V capture [C]: {@code Rel="Restore"} action link, {@code Rel="Up"} links to the
     * RestorePoint and BackupFile, then CreationTimeUTC, VmName, Algorithm, PointType, HierarchyObjRef.
     */
    private El vmPointEntity(VmRestorePoint p) {
        String self = href("vmRestorePoints/" + p.id);
        List<El> links = new ArrayList<>();
        links.add(link("Restore", null, self + "?action=restore", null));
        links.addAll(vmPointLinks(p));
        links.add(link("Alternate", "VmRestorePointReference", self, p.name()));
        return el("VmRestorePoint").attr("Type", "VmRestorePoint").attr("Href", self + "?format=Entity").attr("Name", p.name())
            .attr("UID", p.uid()).attr("VmDisplayName", p.vmName)
            .links(links)
            .field("CreationTimeUTC", Times.utc(p.created))
            .field("VmName", p.vmName)
            .field("Algorithm", p.full ? "Full" : "Incremental")
            .field("PointType", p.full ? "Full" : "Increment")
            .field("HierarchyObjRef", p.vmRef);
    }

    // ---- restore ----

    /**
     * {@code POST /vmRestorePoints/{id}?action=restore} with a {@code RestoreSpec} → 202 Task {@code StartVMRestore},
     * finished with a {@code Related} RestoreSession [V, VD post_vmrestorepoints_id_actionrestore]. VMware takes
     * PowerOnAfterRestore, QuickRollback and KeepOriginalVM (which needs QuickRollback=false): restore to the original
     * place only. An empty body is accepted as all-false, as CS-V sends it [C].
     */
    private void restore(Call c, VmRestorePoint p) throws IOException {
        String action = c.params.getOrDefault("action", "");
        if (!action.equalsIgnoreCase("restore")) {
            throw new ApiError(400, "Action \"" + action + "\" is not supported for VM restore points by this simulator.");
        }
        boolean powerOn = false;
        boolean quickRollback = false;
        boolean keepOriginal = false;
        if (!c.body.isBlank()) {
            Map<String, String> spec = body(c, "RestoreSpec", Bodies.RESTORE);
            if (spec.containsKey("VmRestoreSpec/VmRestoreParameters") || spec.containsKey("VmRestoreSpec/HierarchyRootUid")) {
                // Only Cloud Director restores take these [V]; what VMware answers is [U].
                throw new ApiError(400, "HierarchyRootUid and VmRestoreParameters apply to VMware Cloud Director restores only.");
            }
            powerOn = Bodies.bool(spec, "VmRestoreSpec/PowerOnAfterRestore", false);
            quickRollback = Bodies.bool(spec, "VmRestoreSpec/QuickRollback", false);
            keepOriginal = Bodies.bool(spec, "VmRestoreSpec/KeepOriginalVM", false);
            if (keepOriginal && quickRollback) {
                throw new ApiError(400, "KeepOriginalVM requires QuickRollback to be false.");
            }
        }
        boolean on = powerOn;
        boolean quick = quickRollback;
        boolean keep = keepOriginal;
        Task t = world.newTask(c.logon, "StartVMRestore", at -> {
            if (!world.vmRestorePoints.containsKey(p.id)) {
                return Outcome.failed("Restore point " + p.uid() + " no longer exists."); // wording [U]
            }
            RestoreSession r = world.startRestore(p, on, quick, keep, at);
            return new Outcome(true, "Ok", "RestoreSession", href("restoreSessions/" + r.id + "?format=Entity"));
        });
        accepted(c, t);
    }

    private void restoreSessions(Call c, int n) throws IOException {
        only(c, "GET");
        if (n == 1) {
            List<RestoreSession> all = new ArrayList<>(world.restoreSessions.values());
            ok(c, c.entity() ? el("RestoreSessions").items("RestoreSessions", all.stream().map(this::restoreEntity).toList())
                : refs(all.stream().map(this::restoreRef).toList()));
            return;
        }
        need(c, n == 2);
        RestoreSession r = found(world.restoreSessions.get(c.id(1)), "Restore session", c.segs.get(1));
        ok(c, c.entity() ? restoreEntity(r) : restoreRef(r));
    }

    private El restoreRef(RestoreSession r) {
        String self = href("restoreSessions/" + r.id);
        return el("Ref").attr("UID", r.uid()).attr("Name", r.name()).attr("Href", self).attr("Type", "RestoreSessionReference")
            .links(List.of(serverLink("Up"), link("Alternate", "RestoreSession", self + "?format=Entity", r.name())));
    }

    /** RestoreSession [V, VD restoresessions_id, get_restoresessions_id]: JobType {@code RestoreVm}, RestoredObjRef. */
    private El restoreEntity(RestoreSession r) {
        String self = href("restoreSessions/" + r.id);
        return el("RestoreSession").attr("Type", "RestoreSession").attr("Href", self + "?format=Entity").attr("Name", r.name())
            .attr("UID", r.uid()).attr("VmDisplayName", r.vmName)
            .links(List.of(serverLink("Up"),
                link("Alternate", "RestoreSessionReference", self, r.name()),
                link("Related", "VmRestorePointReference", href("vmRestorePoints/" + r.point.id), r.point.name())))
            .field("JobType", "RestoreVm")
            .field("CreationTimeUTC", Times.utc(r.created))
            .field("EndTimeUTC", Times.utc(r.finished ? r.end : World.NO_END))
            .field("State", world.state(r.created, r.finished))
            .field("Result", r.finished ? r.result : "None")
            .field("Progress", world.progress(r.created, r.finished))
            .field("RestoredObjRef", r.vmRef);
    }

    // ---- query service ----

    /**
     * {@code GET /query?type=X[&format=Entities][&filter=...][&sortAsc|sortDesc=F][&pageSize=N][&page=N]} →
     * {@code QueryResult} with {@code Entities/<Plural>/<Item>} or {@code Refs/Ref}, and {@code PagingInfo}
     * [V, VD optional_query_parameters; nesting C/U, §1.3]. JSON: {@code {"Entities":{"BackupJobSessions":
     * {"BackupJobSessions":[...]}},"PagingInfo":{...}}} as captured on the wire [C].
     */
    private void query(Call c) throws IOException {
        String type = c.params.get("type");
        if (type == null) {
            throw new ApiError(400, "The query needs a type.");
        }
        switch (type.toLowerCase(Locale.ROOT)) {
            case "job" -> queryOf(c, new ArrayList<>(world.jobs.values()), "Jobs", this::jobEntity, this::jobRef, j -> fields(
                "name", j.name, "uid", j.uid(), "jobtype", "Backup", "platform", "VMware", "description", j.description));
            case "backupjobsession" -> queryOf(c, new ArrayList<>(world.backupSessions.values()), "BackupJobSessions",
                this::sessionEntity, this::sessionRef, s -> fields(
                    "uid", s.uid(), "name", s.name(), "jobuid", s.job.uid(), "jobname", s.job.name, "jobtype", "Backup",
                    "creationtime", s.created, "endtime", s.finished ? s.end : World.NO_END, "state", world.state(s.created, s.finished),
                    "result", s.finished ? s.result : "None", "isretry", "false", "progress", world.progress(s.created, s.finished)));
            case "backuptasksession" -> queryOf(c, new ArrayList<>(world.taskSessions.values()), "BackupTaskSessions",
                ts -> taskSessionEntity(ts), ts -> taskSessionRef(ts), ts -> fields(
                    "uid", "urn:veeam:BackupTaskSession:" + ts.id, "name", ts.name(), "jobsessionuid", ts.session.uid(),
                    "jobuid", ts.session.job.uid(), "vmdisplayname", ts.vmName, "state", world.taskSessionState(ts),
                    "result", ts.session.finished ? (ts.failure == null ? "Success" : "Failed") : "None",
                    "creationtime", ts.session.created));
            case "vmrestorepoint" -> queryOf(c, world.pointCandidates(c.params.get("filter")), "VmRestorePoints",
                this::vmPointEntity, this::vmPointRef, p -> {
                    // A point never changes once made (retention deletes it whole): its fields are kept with it.
                    Map<String, Object> f = p.queryFields;
                    if (f == null) p.queryFields = f = java.util.Collections.unmodifiableMap(fields(
                        "uid", p.uid(), "name", p.name(), "vmdisplayname", p.vmName, "vmname", p.vmName, "creationtime", p.created,
                        "pointtype", p.full ? "Full" : "Increment", "algorithm", p.full ? "Full" : "Incremental",
                        "hierarchyobjref", p.vmRef, "restorepointuid", "urn:veeam:RestorePoint:" + p.parent.id));
                    return f;
                });
            case "restoresession" -> queryOf(c, new ArrayList<>(world.restoreSessions.values()), "RestoreSessions",
                this::restoreEntity, this::restoreRef, r -> fields(
                    "uid", r.uid(), "name", r.name(), "jobtype", "RestoreVm", "vmdisplayname", r.vmName, "creationtime", r.created,
                    "endtime", r.finished ? r.end : World.NO_END, "state", world.state(r.created, r.finished),
                    "result", r.finished ? r.result : "None", "restoredobjref", r.vmRef));
            default -> throw new ApiError(400, "Query type \"" + type + "\" is not supported by this simulator.");
        }
    }

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private <T> void queryOf(Call c, List<T> all, String plural, Function<T, El> entity, Function<T, El> ref,
                             Function<T, Map<String, Object>> fields) throws IOException {
        Query.Page<T> page = Query.run(all, fields, c.params);
        El result = el("QueryResult");
        String format = c.params.getOrDefault("format", "References");
        if (format.equalsIgnoreCase("Entities") || format.equalsIgnoreCase("Entity")) {
            result.child(el("Entities").wrapped(plural, plural, page.items().stream().map(entity).toList()));
        } else {
            result.wrapped("Refs", "Refs", page.items().stream().map(ref).toList());
        }
        String base = href("query?" + c.ex.getRequestURI().getRawQuery().replaceAll("(?i)(^|&)page=\\d+", ""));
        List<El> pageLinks = new ArrayList<>();
        pageLinks.add(link("First", null, base + "&page=1", null));
        if (page.pageNum() > 1) {
            pageLinks.add(link("Previous", null, base + "&page=" + (page.pageNum() - 1), null));
        }
        if (page.pageNum() < page.pagesCount()) {
            pageLinks.add(link("Next", null, base + "&page=" + (page.pageNum() + 1), null));
        }
        pageLinks.add(link("Last", null, base + "&page=" + page.pagesCount(), null));
        result.child(el("PagingInfo").attr("PageNum", page.pageNum()).attr("PageSize", page.pageSize())
            .attr("PagesCount", page.pagesCount()).links(pageLinks));
        ok(c, result);
    }

    // ---- helpers ----

    private String href(String path) {
        return sim.baseUri() + path;
    }

    private static El refs(List<El> refs) {
        return el("EntityReferences").items("Refs", refs);
    }

    private Map<String, String> body(Call c, String root, Bodies.Slot[] slots) {
        if (c.body.isBlank()) {
            // What EM says when it finds no root element [C, BY].
            throw new ApiError(400, "Node [root] does not exist.");
        }
        return Bodies.read(c.body, c.ex.getRequestHeaders().getFirst("Content-Type"), root, slots);
    }

    private void ok(Call c, El doc) throws IOException {
        send(c, 200, doc);
    }

    private void send(Call c, int status, El doc) throws IOException {
        c.status = status;
        if (doc == null) {
            SimulatorServer.send(c.ex, status, null, null);
            return;
        }
        SimulatorServer.send(c.ex, status, c.json ? "application/json; charset=utf-8" : "application/xml; charset=utf-8",
            c.json ? Doc.json(doc) : Doc.xml(doc));
    }

    private void sendError(Call c, int status, String message) throws IOException {
        c.status = status;
        SimulatorServer.send(c.ex, status, c.json ? "application/json; charset=utf-8" : "application/xml; charset=utf-8",
            c.json ? jsonError(status, message) : xmlError(status, message));
    }
}
