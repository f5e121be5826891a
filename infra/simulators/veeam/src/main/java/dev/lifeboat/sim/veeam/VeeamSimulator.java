package dev.lifeboat.sim.veeam;

import dev.lifeboat.sim.Faults;
import dev.lifeboat.sim.SimClock;
import dev.lifeboat.sim.SimulatorServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A stateful simulator of the Veeam Backup Enterprise Manager REST API ({@code /api/}, v1_7 = {@code latest}), on
 * loopback, for plugin tests and the local runtime. The wire facts it follows are in
 * {@code docs/backup-systems.md} §1 and §4.1; the endpoints and the shapes chosen where that document says [U] are
 * listed in this module's README.
 *
 * <p>Set up the virtual world with the control methods ({@link #addHierarchyRoot}, {@link #addVm}, {@link #addJob},
 * {@link #includeVm}, {@link #addRestorePoint}), steer failures ({@link #failNextBackup}, {@link #failNextRestore},
 * {@link #faults()}, {@link #expireSessions()}), move time with the {@link SimClock}, and assert on the read-only
 * views ({@link #includes}, {@link #logonSessions}, {@link #tasks}, {@link #backupSessions}, {@link #restorePoints},
 * {@link #restores}, {@link #requests}). All methods are thread-safe.
 */
public final class VeeamSimulator implements AutoCloseable {
    private final World world;
    private final SimulatorServer server;
    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());

    private VeeamSimulator(Config config) throws IOException {
        this.world = new World(config);
        VeeamApi api = new VeeamApi(this, world);
        this.server = SimulatorServer.start(config.port(), config.faults(), api, api.faultBody());
    }

    /** Starts a simulator with the defaults of {@link Builder}. */
    public static VeeamSimulator start() throws IOException {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- configuration ----

    /** A user the logon accepts. Only a Portal Administrator may start or edit jobs; others get 403 [V, VD http_authentication]. */
    public record User(String name, String password, boolean admin) {
        public User {
            Objects.requireNonNull(name);
            Objects.requireNonNull(password);
        }
    }

    /**
     * Everything the simulator is built from.
     *
     * @param port TCP port on 127.0.0.1, 0 for any free one
     * @param clock the clock that drives session expiry, task completion and session progress
     * @param faults the fault switch applied before every request
     * @param sessionIdleTimeout a logon session unused this long is gone (Veeam: 15 min [V])
     * @param taskDuration how long a {@code Task} stays {@code Running}
     * @param jobDuration how long a backup or restore session runs (first tenth {@code Starting}, then {@code Working})
     * @param operationFinishedPolls how many polls of a done task answer {@code OperationFinished} before {@code Finished} [V]
     * @param users accepted credentials
     * @param backupServerName name of the one backup server behind this Enterprise Manager
     * @param rejectMultipleAccept a POST with a body and more than one Accept type gets 400 "Node [root] does not
     *     exist." as seen on 9.5U4 [C, BY]: keeps clients honest about sending exactly one Accept type
     * @param faultBodyJson injected faults carry the JSON Error body (else XML): the fault switch answers before the
     *     request is read, so it cannot follow the Accept header
     */
    public record Config(int port, SimClock clock, Faults faults, Duration sessionIdleTimeout, Duration taskDuration,
                         Duration jobDuration, int operationFinishedPolls, List<User> users, String backupServerName,
                         boolean rejectMultipleAccept, boolean faultBodyJson) {
        public Config {
            Objects.requireNonNull(clock);
            Objects.requireNonNull(faults);
            users = List.copyOf(users);
            if (taskDuration.isNegative() || jobDuration.isNegative() || operationFinishedPolls < 0) {
                throw new IllegalArgumentException("durations and counts must not be negative");
            }
        }
    }

    /** Builds a {@link Config}; every setting has a default. */
    public static final class Builder {
        private int port;
        private SimClock clock = new SimClock();
        private Faults faults = new Faults();
        private Duration sessionIdleTimeout = Duration.ofMinutes(15);
        private Duration taskDuration = Duration.ofMillis(500);
        private Duration jobDuration = Duration.ofSeconds(2);
        private int operationFinishedPolls = 1;
        private final List<User> users = new ArrayList<>();
        private String user = "lifeboat";
        private String password = "lifeboat";
        private boolean admin = true;
        private String backupServerName = "veeam-br.local";
        private boolean rejectMultipleAccept = true;
        private boolean faultBodyJson = true;
        private final List<Consumer<VeeamSimulator>> seeds = new ArrayList<>();

        private Builder() {
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder clock(SimClock clock) {
            this.clock = clock;
            return this;
        }

        public Builder faults(Faults faults) {
            this.faults = faults;
            return this;
        }

        public Builder sessionIdleTimeout(Duration timeout) {
            this.sessionIdleTimeout = timeout;
            return this;
        }

        public Builder taskDuration(Duration d) {
            this.taskDuration = d;
            return this;
        }

        public Builder jobDuration(Duration d) {
            this.jobDuration = d;
            return this;
        }

        /** Tasks and sessions finish as soon as they start; done tasks answer {@code Finished} on the first poll. */
        public Builder instant() {
            this.taskDuration = Duration.ZERO;
            this.jobDuration = Duration.ZERO;
            this.operationFinishedPolls = 0;
            return this;
        }

        public Builder operationFinishedPolls(int polls) {
            this.operationFinishedPolls = polls;
            return this;
        }

        /** The default user's name and password (default {@code lifeboat}/{@code lifeboat}). */
        public Builder credentials(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** Whether the default user is a Portal Administrator (default true). */
        public Builder admin(boolean admin) {
            this.admin = admin;
            return this;
        }

        /** Another accepted user, besides the default one. */
        public Builder user(String name, String password, boolean admin) {
            users.add(new User(name, password, admin));
            return this;
        }

        public Builder backupServerName(String name) {
            this.backupServerName = name;
            return this;
        }

        public Builder rejectMultipleAccept(boolean reject) {
            this.rejectMultipleAccept = reject;
            return this;
        }

        public Builder faultBodyJson(boolean json) {
            this.faultBodyJson = json;
            return this;
        }

        /** Seed data, applied after start (e.g. {@code VeeamSimulator::addDemoData}). */
        public Builder seed(Consumer<VeeamSimulator> seed) {
            seeds.add(seed);
            return this;
        }

        public Config config() {
            List<User> all = new ArrayList<>();
            all.add(new User(user, password, admin));
            all.addAll(users);
            return new Config(port, clock, faults, sessionIdleTimeout, taskDuration, jobDuration, operationFinishedPolls, all,
                backupServerName, rejectMultipleAccept, faultBodyJson);
        }

        public VeeamSimulator start() throws IOException {
            VeeamSimulator sim = new VeeamSimulator(config());
            seeds.forEach(s -> s.accept(sim));
            return sim;
        }
    }

    // ---- endpoint ----

    /** {@code http://127.0.0.1:PORT/api/}: what a plugin is configured with. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port() + "/api/");
    }

    public int port() {
        return server.port();
    }

    public Config config() {
        return world.config;
    }

    public SimClock clock() {
        return world.config.clock();
    }

    public Faults faults() {
        return server.faults();
    }

    /** Id of the backup server: the {@code {id}} of {@code /backupServers/{id}?action=quickbackup}. */
    public String backupServerId() {
        return world.backupServerId;
    }

    // ---- control ----

    /** Adds a vCenter (hierarchy root) and returns its id, the {@code {id}} of {@code urn:veeam:HierarchyRoot:{id}}. */
    public String addHierarchyRoot(String hostName) {
        return addHierarchyRoot(hostName, UUID.randomUUID().toString());
    }

    public String addHierarchyRoot(String hostName, String id) {
        synchronized (world) {
            World.Root r = new World.Root();
            r.id = id.toLowerCase(Locale.ROOT);
            r.host = hostName;
            world.roots.put(r.id, r);
            return r.id;
        }
    }

    /**
     * Adds a VM to the vCenter {@code hostName} and returns its HierarchyObjRef {@code urn:VMware:Vm:<rootId>.<moref>}.
     * VM names should be unique: the control methods find VMs by name.
     */
    public String addVm(String hostName, String vmName, String moref, String instanceUuid) {
        synchronized (world) {
            World.Root root = world.roots.values().stream().filter(r -> r.host.equals(hostName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No hierarchy root " + hostName));
            World.Vm vm = new World.Vm();
            vm.root = root;
            vm.name = vmName;
            vm.moref = moref;
            vm.uuid = instanceUuid;
            world.addVm(vm);
            return vm.ref();
        }
    }

    /** Adds a backup job and returns its id (the UID is {@code urn:veeam:Job:<id>}). */
    public String addJob(String name) {
        return addJob(name, UUID.randomUUID().toString());
    }

    public String addJob(String name, String id) {
        synchronized (world) {
            World.Job job = new World.Job();
            job.id = id.toLowerCase(Locale.ROOT);
            job.name = name;
            job.description = "Backup job " + name;
            world.jobs.put(job.id, job);
            return job.id;
        }
    }

    /** Puts a VM into a job directly (seed data, no task); returns the ObjectInJobId. */
    public String includeVm(String jobName, String vmName) {
        synchronized (world) {
            World.Job job = world.jobNamed(jobName);
            World.Vm vm = world.vmNamed(vmName);
            World.Include inc = new World.Include();
            inc.id = UUID.randomUUID().toString();
            inc.job = job;
            inc.ref = vm.ref();
            inc.name = vm.name;
            inc.displayName = vm.name;
            job.includes.add(inc);
            return inc.id;
        }
    }

    /**
     * Adds a restore point of a VM made at {@code createdAt}, as Veeam's own schedule would (no backup session of this
     * simulator); returns the VmRestorePoint id.
     */
    public String addRestorePoint(String vmName, Instant createdAt) {
        synchronized (world) {
            World.Vm vm = world.vmNamed(vmName);
            String backupId = world.jobOf(vm).map(j -> j.backupId).orElse(world.orphanBackupId);
            World.RestorePoint rp = world.newRestorePoint(backupId, createdAt, null);
            return world.addVmPoint(rp, vm.name, vm.ref(), createdAt).id;
        }
    }

    /** Removes a VM restore point (as retention would); later requests for it get 404. */
    public void deleteRestorePoint(String vmRestorePointId) {
        synchronized (world) {
            World.VmRestorePoint p = world.vmRestorePoints.get(vmRestorePointId);
            if (p == null) {
                throw new IllegalArgumentException("No restore point " + vmRestorePointId);
            }
            world.removeVmPoint(p);
            p.parent.vmPoints.remove(p);
            if (p.parent.vmPoints.isEmpty()) {
                world.restorePoints.remove(p.parent.id);
            }
        }
    }

    /** The next backup session that processes this VM fails for it, with this reason on its task session. */
    public void failNextBackup(String vmName, String message) {
        synchronized (world) {
            world.failNextBackup.put(vmName, message);
        }
    }

    /** The next restore of a point of this VM ends {@code Failed}; the message shows in {@link #restores()}. */
    public void failNextRestore(String vmName, String message) {
        synchronized (world) {
            world.failNextRestore.put(vmName, message);
        }
    }

    /** Ends every logon session as if it had been idle too long: the next call with its token gets 401. */
    public void expireSessions() {
        synchronized (world) {
            world.logons.values().stream().filter(l -> l.ended == null).forEach(l -> l.ended = "Expired");
        }
    }

    /** The demo data of the local runtime: vCenter {@code vcenter.local}, VMs web-01 and db-01, jobs GOLD and SILVER. */
    public void addDemoData() {
        addHierarchyRoot("vcenter.local", "6c4f5ad2-3d8c-4a57-9a8b-0c3a3f1e2d01");
        addVm("vcenter.local", "web-01", "vm-101", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a01");
        addVm("vcenter.local", "db-01", "vm-102", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a02");
        addJob("GOLD", "8acac50d-3711-4c99-bf7b-76fe9c7e3901");
        addJob("SILVER", "8acac50d-3711-4c99-bf7b-76fe9c7e3902");
    }

    // ---- views ----

    public record JobInfo(String id, String uid, String name, List<IncludeInfo> includes) {
    }

    public record IncludeInfo(String objectInJobId, String jobName, String hierarchyObjRef, String name, String displayName) {
    }

    /** A logon session; {@code state} is {@code Active}, {@code LoggedOff} or {@code Expired}. */
    public record LogonInfo(String sessionId, String token, String user, Instant created, Instant lastUsed, String state) {
    }

    /** A task; {@code success}, {@code message} and {@code related} are null until it is done. */
    public record TaskInfo(String taskId, String operation, String ownerSessionId, boolean done, Boolean success, String message,
                           String related) {
    }

    /** A backup job session with its VMs; {@code failures} maps a VM to the reason it failed. */
    public record BackupSessionInfo(String id, String jobName, boolean quickBackup, List<String> vmNames, String state, String result,
                                    int progress, Instant created, Instant ended, Map<String, String> failures) {
    }

    /** A VM restore point; {@code backupSessionId} is null for points added with {@link #addRestorePoint}. */
    public record RestorePointInfo(String id, String uid, String vmName, String hierarchyObjRef, Instant created, String pointType,
                                   String backupSessionId) {
    }

    /** A restore session and the options it was started with. */
    public record RestoreInfo(String restoreSessionId, String vmRestorePointId, String vmName, boolean powerOnAfterRestore,
                              boolean quickRollback, boolean keepOriginalVm, String state, String result, String failure,
                              Instant created, Instant ended) {
    }

    /** A request as received, with its answer's status. Header names compare case-insensitively. */
    public record RecordedRequest(Instant at, String method, String uri, Map<String, List<String>> headers, String body, int status) {
        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** The path without the query, e.g. {@code /api/logonSessions/…}. */
        public String path() {
            int q = uri.indexOf('?');
            return q < 0 ? uri : uri.substring(0, q);
        }
    }

    public List<JobInfo> jobs() {
        synchronized (world) {
            world.advance();
            return world.jobs.values().stream().map(j -> new JobInfo(j.id, j.uid(), j.name, includes(j))).toList();
        }
    }

    /** The objects of the job with this name (or id). */
    public List<IncludeInfo> includes(String jobNameOrId) {
        synchronized (world) {
            world.advance();
            World.Job job = world.jobs.get(jobNameOrId.toLowerCase(Locale.ROOT));
            return includes(job != null ? job : world.jobNamed(jobNameOrId));
        }
    }

    private static List<IncludeInfo> includes(World.Job j) {
        return j.includes.stream().map(i -> new IncludeInfo(i.id, j.name, i.ref, i.name, i.displayName)).toList();
    }

    public List<LogonInfo> logonSessions() {
        synchronized (world) {
            return world.logons.values().stream().map(l -> new LogonInfo(l.id, l.token, l.user, l.created, l.lastUsed,
                l.ended == null ? (expired(l) ? "Expired" : "Active") : l.ended)).toList();
        }
    }

    boolean expired(World.Logon l) {
        return world.now().isAfter(l.lastUsed.plus(world.config.sessionIdleTimeout()));
    }

    public List<TaskInfo> tasks() {
        synchronized (world) {
            world.advance();
            return world.tasks.values().stream().map(t -> new TaskInfo(t.id, t.operation, t.owner.id, t.outcome != null,
                t.outcome == null ? null : t.outcome.success(), t.outcome == null ? null : t.outcome.message(),
                t.outcome == null ? null : t.outcome.relatedHref())).toList();
        }
    }

    public List<BackupSessionInfo> backupSessions() {
        synchronized (world) {
            world.advance();
            return world.backupSessions.values().stream().map(s -> {
                Map<String, String> failures = new LinkedHashMap<>();
                s.taskSessions.stream().filter(ts -> ts.failure != null).forEach(ts -> failures.put(ts.vmName, ts.failure));
                return new BackupSessionInfo(s.id, s.job.name, s.quick, s.taskSessions.stream().map(ts -> ts.vmName).toList(),
                    world.state(s.created, s.finished), s.finished ? s.result : "None", world.progress(s.created, s.finished),
                    s.created, s.finished ? s.end : null, Map.copyOf(failures));
            }).toList();
        }
    }

    public List<RestorePointInfo> restorePoints() {
        synchronized (world) {
            world.advance();
            return world.vmRestorePoints.values().stream().map(p -> new RestorePointInfo(p.id, p.uid(), p.vmName, p.vmRef, p.created,
                p.full ? "Full" : "Increment", p.parent.session == null ? null : p.parent.session.id)).toList();
        }
    }

    public List<RestorePointInfo> restorePoints(String vmName) {
        return restorePoints().stream().filter(p -> p.vmName().equals(vmName)).toList();
    }

    public List<RestoreInfo> restores() {
        synchronized (world) {
            world.advance();
            return world.restoreSessions.values().stream().map(r -> new RestoreInfo(r.id, r.point.id, r.vmName, r.powerOn,
                r.quickRollback, r.keepOriginal, world.state(r.created, r.finished), r.finished ? r.result : "None", r.failure,
                r.created, r.finished ? r.end : null)).toList();
        }
    }

    /** Every request that reached the API (injected faults answer before that and are not recorded). */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clearRequests() {
        requests.clear();
    }

    void record(Instant at, String method, String uri, Map<String, List<String>> headers, String body, int status) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        requests.add(new RecordedRequest(at, method, uri, Collections.unmodifiableMap(copy), body, status));
    }

    @Override
    public void close() {
        server.close();
    }
}
