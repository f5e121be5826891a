package dev.lifeboat.sim.networker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.sim.Faults;
import dev.lifeboat.sim.SimulatorServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A stateful stand-in for the Dell EMC NetWorker REST API v3 ({@code /nwrestapi/v3/global}), as far as Lifeboat's
 * NetWorker plugin uses it: protection policies, workflows and VMware protection groups, a vCenter inventory, backups
 * (restore points), recovers and the jobs that carry them. The wire facts come from
 * {@code /work/shared/docs/backup-systems.md} §2 and the checklist §4.2; shapes that document marks [U] are choices of
 * this simulator, said so where they are made (mostly in {@link NetworkerApi}).
 *
 * <p>Tests set the state up and look at it through the plain Java methods below; the plugin under test talks HTTP.
 * Jobs advance with the {@link Clock} given to the builder (use a {@link dev.lifeboat.sim.SimClock} to move time), and
 * their effects (a new backup, a recovered VM) happen when they complete. All state is guarded by this object's
 * monitor.
 */
public final class NetworkerSimulator implements AutoCloseable {
    /** The base path every endpoint hangs off (backup-systems.md §2.1). */
    public static final String BASE_PATH = "/nwrestapi/v3/global";

    final Clock clock;
    final String user;
    final String password;
    final Duration jobDuration;
    final int opStatus;
    final String serverHostname;
    private final String locationHost;
    private final String locationBase;
    private final Faults faults;
    private final SimulatorServer server;

    // ---- state, guarded by this ----
    final Map<String, PolicyState> policies = new LinkedHashMap<>();
    final Map<String, GroupState> groups = new LinkedHashMap<>();
    final Map<String, VCenterState> vcenters = new LinkedHashMap<>();
    final BackupIndex backups = new BackupIndex();
    final Map<Long, JobState> jobs = new LinkedHashMap<>();
    private final Map<String, Deque<String>> backupFailures = new HashMap<>();
    private final Map<String, Deque<String>> recoverFailures = new HashMap<>();
    final List<ReceivedRequest> requests = new ArrayList<>();
    private long nextJobId = 100_001;
    private long vmCounter;
    private long backupCounter;
    private int resourceCounter;

    private NetworkerSimulator(Builder b) throws IOException {
        this.clock = b.clock;
        this.user = b.user;
        this.password = b.password;
        this.jobDuration = b.jobDuration;
        this.opStatus = b.opStatus;
        this.serverHostname = b.serverHostname;
        this.locationHost = b.locationHost;
        this.faults = b.faults;
        this.server = SimulatorServer.start(b.port, b.faults, new NetworkerApi(this), NetworkerApi.ERROR_BODY);
        this.locationBase = b.locationBase != null ? stripSlash(b.locationBase) : "http://" + locationHost + ":" + server.port();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The TCP port the simulator listens on (127.0.0.1). */
    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:PORT/nwrestapi/v3/global}: what the plugin is configured with. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port() + BASE_PATH);
    }

    /**
     * Scheme, host and port written into {@code Location} headers and {@code links[].href}, e.g.
     * {@code http://127.0.0.1:PORT}. The real server writes absolute {@code https://host:9090/...} URLs
     * (backup-systems.md §2.5), so a client must follow them as given.
     */
    public String locationBase() {
        return locationBase;
    }

    public Faults faults() {
        return faults;
    }

    public Clock clock() {
        return clock;
    }

    public Duration jobDuration() {
        return jobDuration;
    }

    @Override
    public void close() {
        server.close();
    }

    // =================================================================================================================
    // Control API: setting the scene
    // =================================================================================================================

    /** A protection policy; Lifeboat may carry its policy code in the name or the comment (CS-N queries {@code comment}). */
    public synchronized void addPolicy(String name, String comment) {
        requireAbsent(policies, name, "protection policy");
        policies.put(name, new PolicyState(name, comment == null ? "" : comment, nextResourceId()));
    }

    /** An empty VMware protection group (its vCenter is fixed by the first work item added). */
    public synchronized void addProtectionGroup(String name, String comment) {
        requireAbsent(groups, name, "protection group");
        groups.put(name, new GroupState(name, comment == null ? "" : comment, nextResourceId()));
    }

    /** A workflow of {@code policy} backing up {@code groups} (created empty where missing), keeping backups 30 days. */
    public synchronized void addWorkflow(String policy, String workflow, String... groups) {
        addWorkflow(policy, workflow, Duration.ofDays(30), Arrays.asList(groups));
    }

    /** A workflow whose backup action keeps backups for {@code retention}. */
    public synchronized void addWorkflow(String policy, String workflow, Duration retention, List<String> groupNames) {
        PolicyState p = require(policies, policy, "protection policy");
        requireAbsent(p.workflows, workflow, "workflow in policy " + policy);
        for (String g : groupNames) {
            if (!groups.containsKey(g)) {
                addProtectionGroup(g, "");
            }
        }
        p.workflows.put(workflow, new WorkflowState(policy, workflow, List.copyOf(groupNames), retention));
    }

    /**
     * A vCenter with a one-datacenter inventory: datacenter-21, cluster domain-c26, hosts host-28/host-29, resource pool
     * resgroup-27, VM folder group-v22, datastores datastore-31/datastore-32 (the morefs of backup-systems.md §2.7's
     * example). Add more objects with {@link #addInventoryObject}.
     */
    public synchronized VCenter addVCenter(String hostname) {
        requireAbsent(vcenters, hostname, "vCenter");
        VCenterState vc = new VCenterState(hostname);
        vc.inventory.put("datacenter-21", "Datacenter");
        vc.inventory.put("domain-c26", "Cluster");
        vc.inventory.put("host-28", "esxi-01." + hostname);
        vc.inventory.put("host-29", "esxi-02." + hostname);
        vc.inventory.put("resgroup-27", "Resources");
        vc.inventory.put("group-v22", "vm");
        vc.inventory.put("datastore-31", "datastore1");
        vc.inventory.put("datastore-32", "datastore2");
        vcenters.put(hostname, vc);
        return vc.view();
    }

    /**
     * Another inventory object; its kind is told by the moref prefix as in vCenter: {@code datacenter-},
     * {@code domain-c} (cluster), {@code domain-s} (standalone compute resource), {@code host-}, {@code resgroup-},
     * {@code group-v} (VM folder), {@code datastore-}.
     */
    public synchronized void addInventoryObject(String vCenter, String moref, String name) {
        VCenterState vc = require(vcenters, vCenter, "vCenter");
        if (MorefKind.of(moref) == null) {
            throw new IllegalArgumentException("Unknown moref kind: " + moref);
        }
        vc.inventory.put(moref, name);
    }

    /** A powered-on VM at the vCenter's default placement with one 16 GiB thin disk. */
    public synchronized Vm addVm(String vCenter, String name) {
        return addVm(vCenter, name, require(vcenters, vCenter, "vCenter").defaults, null);
    }

    /** A powered-on VM at {@code placement} (morefs must be in the inventory); {@code disks} null gives one default disk. */
    public synchronized Vm addVm(String vCenter, String name, Placement placement, List<Disk> disks) {
        VCenterState vc = require(vcenters, vCenter, "vCenter");
        for (String moref : morefsOf(placement)) {
            if (moref != null && !moref.isEmpty() && !vc.inventory.containsKey(moref)) {
                throw new IllegalArgumentException("Moref " + moref + " is not in the inventory of " + vCenter);
            }
        }
        List<Disk> d = disks != null ? disks
                : List.of(new Disk(2000, "Hard disk 1", placement.datastoreMoref(), vc.inventory.get(placement.datastoreMoref()),
                        16L * 1024 * 1024, true));
        return createVm(vc, name, placement, d, true);
    }

    /** Puts a VM into a protection group without HTTP (as an administrator would in NMC). */
    public synchronized void assign(String group, String vCenter, String uuid) {
        GroupState g = require(groups, group, "protection group");
        VCenterState vc = require(vcenters, vCenter, "vCenter");
        if (!vc.vms.containsKey(uuid)) {
            throw new IllegalArgumentException("No VM " + uuid + " in " + vCenter);
        }
        if (g.vCenter != null && !g.vCenter.equals(vCenter) && !g.vmUuids.isEmpty()) {
            throw new IllegalArgumentException("Group " + group + " selects VMs of " + g.vCenter);
        }
        g.vCenter = vCenter;
        g.vmUuids.add(uuid);
    }

    /**
     * A backup NetWorker made on its own schedule, of a VM that exists now. Its policy/workflow are those of the first
     * workflow protecting the VM, if any. Give a {@code retentionTime} in the past for an expired one (still listed,
     * as NetWorker lists save sets until they are purged; CS-N filters them out itself).
     */
    public synchronized Backup addBackup(String uuid, Instant saveTime, Instant retentionTime) {
        Vm vm = findVm(uuid).orElseThrow(() -> new IllegalArgumentException("No VM " + uuid));
        String[] pw = protectingWorkflows(vm).stream().findFirst().orElse(new String[] {null, null, null});
        return createBackup(vm, saveTime, saveTime.plus(Duration.ofMinutes(5)), retentionTime, pw[0], pw[1]);
    }

    /** The next backup of this VM (through either backup endpoint) ends {@code Failed} with {@code message}. Queues. */
    public synchronized void failNextBackup(String uuid, String message) {
        backupFailures.computeIfAbsent(uuid, k -> new ArrayDeque<>()).add(message);
    }

    /** The next recover from a backup of this VM ends {@code Failed} with {@code message}. Queues. */
    public synchronized void failNextRecover(String uuid, String message) {
        recoverFailures.computeIfAbsent(uuid, k -> new ArrayDeque<>()).add(message);
    }

    /**
     * The VM disappears from vCenter; its backups stay (a recover {@code New} still works, backup-systems.md §2.7). Its
     * uuid also stays in protection groups, since NetWorker is not told: a later backup of it fails.
     */
    public synchronized void deleteVm(String uuid) {
        for (VCenterState vc : vcenters.values()) {
            if (vc.vms.remove(uuid) != null) {
                return;
            }
        }
        throw new IllegalArgumentException("No VM " + uuid);
    }

    /** The backup is gone (expired and purged, or deleted by an administrator). */
    public synchronized void deleteBackup(String id) {
        if (backups.remove(id) == null) {
            throw new IllegalArgumentException("No backup " + id);
        }
    }

    // =================================================================================================================
    // Control API: read-only views for assertions
    // =================================================================================================================

    public synchronized List<String> policyNames() {
        return List.copyOf(policies.keySet());
    }

    public synchronized List<String> workflowNames(String policy) {
        return List.copyOf(require(policies, policy, "protection policy").workflows.keySet());
    }

    /** The groups of a workflow. */
    public synchronized List<String> workflowGroups(String policy, String workflow) {
        return require(require(policies, policy, "protection policy").workflows, workflow, "workflow").groups;
    }

    public synchronized List<String> groupNames() {
        return List.copyOf(groups.keySet());
    }

    /** The VM uuids of a protection group ({@code vmwareWorkItemSelection.vmUuids[]}). */
    public synchronized List<String> workItems(String group) {
        return List.copyOf(require(groups, group, "protection group").vmUuids);
    }

    public synchronized List<VCenter> vCenters() {
        return vcenters.values().stream().map(VCenterState::view).toList();
    }

    public synchronized List<Vm> vms(String vCenter) {
        return List.copyOf(require(vcenters, vCenter, "vCenter").vms.values());
    }

    public synchronized Optional<Vm> vm(String uuid) {
        return findVm(uuid);
    }

    /** The first VM with this name in any vCenter. */
    public synchronized Optional<Vm> vmNamed(String name) {
        return vcenters.values().stream().flatMap(vc -> vc.vms.values().stream()).filter(v -> v.name().equals(name)).findFirst();
    }

    public synchronized List<Backup> backups() {
        settle();
        return List.copyOf(backups.values());
    }

    public synchronized List<Backup> backups(String vmUuid) {
        settle();
        return List.copyOf(backups.ofVm(vmUuid));
    }

    public synchronized List<Job> jobs() {
        settle();
        Instant now = clock.instant();
        return jobs.values().stream().map(j -> j.view(stateName(j, now))).toList();
    }

    public synchronized Optional<Job> job(long id) {
        settle();
        JobState j = jobs.get(id);
        return j == null ? Optional.empty() : Optional.of(j.view(stateName(j, clock.instant())));
    }

    /** Every recover accepted, in order, with its request body. */
    public synchronized List<Recover> recovers() {
        settle();
        return jobs.values().stream().filter(j -> j.kind.equals(JobState.RECOVER))
                .map(j -> new Recover(j.id, j.vCenter, j.vmUuids.get(0), j.backupId, j.instanceId, j.mode, j.requestBody, j.recoveredVmUuid))
                .toList();
    }

    /** Every request that reached the handler (not those failed or dropped by the fault switch). */
    public synchronized List<ReceivedRequest> requests() {
        return List.copyOf(requests);
    }

    // =================================================================================================================
    // Internals used by NetworkerApi (called with this monitor held)
    // =================================================================================================================

    Optional<Vm> findVm(String uuid) {
        for (VCenterState vc : vcenters.values()) {
            Vm vm = vc.vms.get(uuid);
            if (vm != null) {
                return Optional.of(vm);
            }
        }
        return Optional.empty();
    }

    /** (policy, workflow, group) of every workflow whose groups hold this VM. */
    List<String[]> protectingWorkflows(Vm vm) {
        return protectingWorkflows(vm.uuid(), vm.vCenterHostname());
    }

    List<String[]> protectingWorkflows(String uuid, String vCenter) {
        List<String[]> out = new ArrayList<>();
        for (PolicyState p : policies.values()) {
            for (WorkflowState w : p.workflows.values()) {
                for (String gName : w.groups) {
                    GroupState g = groups.get(gName);
                    if (g != null && g.vmUuids.contains(uuid) && vCenter.equals(g.vCenter)) {
                        out.add(new String[] {p.name, w.name, g.name});
                    }
                }
            }
        }
        return out;
    }

    /** Starts a backup job of these VMs (uuids; a uuid no longer in vCenter fails at completion). */
    JobState startBackup(List<String> vmUuids, String policy, WorkflowState workflow, boolean adhoc) {
        JobState j = newJob(JobState.BACKUP, workflow.name, "workflow job",
                "nsrworkflow -p " + policy + " -w " + workflow.name + (adhoc ? " -A" : ""), adhoc);
        j.policy = policy;
        j.workflow = workflow.name;
        j.retention = workflow.retention;
        j.vmUuids.addAll(vmUuids);
        if (vmUuids.size() == 1) {
            j.clientHostname = findVm(vmUuids.get(0)).map(Vm::name).orElse(vmUuids.get(0));
        }
        for (String uuid : vmUuids) {
            String failure = poll(backupFailures, uuid);
            if (failure != null) {
                j.presetFailures.put(uuid, failure);
            }
        }
        settle();
        return j;
    }

    JobState startRecover(Backup b, String instanceId, String mode, JsonNode spec, String requestBody) {
        String jobName = spec.hasNonNull("jobName") && !spec.get("jobName").asText().isBlank()
                ? spec.get("jobName").asText() : "Recover " + b.vmName();
        JobState j = newJob(JobState.RECOVER, jobName, "vmware recover job", "nsrvproxy_recover -m " + mode + " -S " + b.shortId(), true);
        j.vCenter = b.vCenterHostname();
        j.vmUuids.add(b.vmUuid());
        j.clientHostname = b.vmName();
        j.backupId = b.id();
        j.instanceId = instanceId;
        j.mode = mode;
        j.spec = spec;
        j.requestBody = requestBody;
        String failure = poll(recoverFailures, b.vmUuid());
        if (failure != null) {
            j.presetFailures.put(b.vmUuid(), failure);
        }
        settle();
        return j;
    }

    /** Ends a running job as cancelled (completionStatus {@code Abandoned} [U], backup-systems.md §2.5). */
    void cancel(JobState j) {
        j.stopped = true;
        j.end = clock.instant();
        j.completionStatus = "Abandoned";
        j.exitCode = 1;
        j.message = "Job cancelled by " + user;
    }

    private JobState newJob(String kind, String name, String type, String command, boolean adhoc) {
        JobState j = new JobState(nextJobId++, kind, name, type, command, adhoc, clock.instant());
        jobs.put(j.id, j);
        return j;
    }

    /** Completes every job whose time has come, in start order, at the instant it was due. */
    void settle() {
        Instant now = clock.instant();
        for (JobState j : jobs.values()) {
            Instant due = j.start.plus(jobDuration);
            if (!j.stopped && !now.isBefore(due)) {
                finish(j, due);
            }
        }
    }

    /**
     * Non-terminal states before {@code Completed}: {@code Queued} for the first quarter of the run, then
     * {@code Active}, then {@code SessionActive} for the second half. The names are [U] (backup-systems.md §2.5); a
     * client must treat anything but {@code Completed} as running.
     */
    String stateName(JobState j, Instant now) {
        if (j.stopped) {
            return "Completed";
        }
        long total = jobDuration.toMillis();
        long elapsed = Duration.between(j.start, now).toMillis();
        if (elapsed < total / 4) {
            return "Queued";
        }
        return elapsed < total / 2 ? "Active" : "SessionActive";
    }

    private void finish(JobState j, Instant at) {
        List<String> failures = new ArrayList<>();
        boolean didSomething = !j.vmUuids.isEmpty();
        if (j.kind.equals(JobState.BACKUP)) {
            for (String uuid : j.vmUuids) {
                Optional<Vm> vm = findVm(uuid);
                if (j.presetFailures.containsKey(uuid)) {
                    failures.add(j.presetFailures.get(uuid));
                } else if (vm.isEmpty()) {
                    failures.add("VM with uuid " + uuid + " was not found in vCenter");
                } else {
                    Backup b = createBackup(vm.get(), j.start, at, j.start.plus(j.retention), j.policy, j.workflow);
                    j.backupIds.add(b.id());
                }
            }
        } else {
            String failure = j.presetFailures.get(j.vmUuids.get(0));
            if (failure == null) {
                failure = j.mode.equals("New") ? recoverNew(j) : recoverRevert(j);
            }
            if (failure != null) {
                failures.add(failure);
            }
        }
        j.stopped = true;
        j.end = at;
        if (!failures.isEmpty()) {
            j.completionStatus = "Failed";
            j.exitCode = 1;
            j.message = String.join("; ", failures);
        } else {
            // "Unknown" is what a real fixture shows for a job that did not run (backup-systems.md §2.5): a workflow
            // with no VMs to back up.
            j.completionStatus = didSomething ? "Succeeded" : "Unknown";
            j.exitCode = 0;
        }
    }

    /**
     * Creates the VM a {@code New} recover asks for. The request was checked for missing fields when accepted; what
     * only vCenter can tell (does each moref exist and have the right kind, is the name free) fails the job, with the
     * text vCenter itself gives ("has already been deleted or has not been completely created", "already exists").
     */
    private String recoverNew(JobState j) {
        JsonNode s = j.spec;
        VCenterState vc = vcenters.get(s.path("vCenterHostname").asText());
        if (vc == null) {
            return "vCenter " + s.path("vCenterHostname").asText() + " is not known";
        }
        String cluster = text(s, "clusterComputeResourceMoref");
        String compute = text(s, "computeResourceMoref");
        String[][] wanted = {
            {text(s, "datacenterMoref"), "datacenter-"},
            {cluster != null ? cluster : compute, cluster != null ? "domain-c" : "domain-"},
            {text(s, "hostMoref"), "host-"},
            {text(s, "resourcePoolMoref"), "resgroup-"},
            {text(s, "vmFolderMoref"), "group-v"},
            {text(s, "datastoreMoref"), "datastore-"},
        };
        for (String[] w : wanted) {
            if (w[0] != null && (!w[0].startsWith(w[1]) || !vc.inventory.containsKey(w[0]))) {
                return "The object 'vim." + MorefKind.vimType(w[0]) + ":" + w[0] + "' has already been deleted or has not been completely created";
            }
        }
        Map<Integer, String> diskDatastores = new HashMap<>();
        for (JsonNode d : s.path("disks")) {
            String ds = d.path("datastoreMoref").asText();
            if (!ds.startsWith("datastore-") || !vc.inventory.containsKey(ds)) {
                return "The object 'vim.Datastore:" + ds + "' has already been deleted or has not been completely created";
            }
            diskDatastores.put(d.path("key").asInt(), ds);
        }
        String name = s.path("vmName").asText();
        if (vc.vms.values().stream().anyMatch(v -> v.name().equals(name))) {
            return "The name '" + name + "' already exists.";
        }
        Backup b = backups.get(j.backupId);
        if (b == null) {
            return "Backup " + j.backupId + " no longer exists";
        }
        String datastore = text(s, "datastoreMoref");
        List<Disk> disks = b.disks().stream().map(d -> {
            String ds = diskDatastores.getOrDefault(d.key(), datastore);
            return new Disk(d.key(), d.name(), ds, vc.inventory.get(ds), d.sizeInKb(), d.thinProvisioned());
        }).toList();
        String pool = text(s, "resourcePoolMoref");
        Placement placement = new Placement(text(s, "datacenterMoref"), cluster != null ? cluster : compute,
                text(s, "hostMoref"), pool != null ? pool : vc.defaults.resourcePoolMoref(), text(s, "vmFolderMoref"), datastore);
        Vm vm = createVm(vc, name, placement, disks, NetworkerApi.bool(s.get("powerOn"), false));
        j.recoveredVmUuid = vm.uuid();
        return null;
    }

    /** Reverts the VM in place; it must still exist. Only the power state is visible afterwards. */
    private String recoverRevert(JobState j) {
        VCenterState vc = vcenters.get(j.vCenter);
        Vm vm = vc == null ? null : vc.vms.get(j.vmUuids.get(0));
        if (vm == null) {
            return "VM with uuid " + j.vmUuids.get(0) + " was not found in vCenter " + j.vCenter;
        }
        vc.vms.put(vm.uuid(), vm.withPower(NetworkerApi.bool(j.spec.get("powerOn"), false)));
        j.recoveredVmUuid = vm.uuid();
        return null;
    }

    private Vm createVm(VCenterState vc, String name, Placement placement, List<Disk> disks, boolean poweredOn) {
        long n = ++vmCounter;
        // VMware instance UUIDs of VMs made by vCenter start with 50; derived from the name so demo data is stable.
        String raw = UUID.nameUUIDFromBytes((vc.hostname + "/" + name + "/" + n).getBytes(StandardCharsets.UTF_8)).toString();
        String uuid = "50" + raw.substring(2);
        Vm vm = new Vm(vc.hostname, name, uuid, "vm-" + (100 + n), placement, disks, poweredOn);
        vc.vms.put(uuid, vm);
        return vm;
    }

    private Backup createBackup(Vm vm, Instant save, Instant completion, Instant retention, String policy, String workflow) {
        long n = ++backupCounter;
        long shortId = 3_000_000_000L + n * 7_919;
        long sec = save.getEpochSecond();
        // Shaped like a NetWorker save set id (six hyphenated hex groups); the content is made up.
        String id = String.format("%08x-00000006-%08x-%08x-%08x-7f000001", shortId, sec & 0xffffffffL, (sec - 1) & 0xffffffffL, n);
        long size = vm.disks().stream().mapToLong(Disk::sizeInKb).sum() * 1024 / 4;
        Backup b = new Backup(id, shortId, vm.vCenterHostname(), vm.uuid(), vm.name(), vm.moref(), vm.placement().datastoreMoref(),
                vm.disks(), save, completion, retention, Long.toString(sec + n), size, policy, workflow);
        backups.put(id, b);
        return b;
    }

    private String nextResourceId() {
        int n = ++resourceCounter;
        return (150 + n) + ".0.227.11.0.0.0.0.90.46.88.91.127.0.0.1";
    }

    private static String poll(Map<String, Deque<String>> queues, String key) {
        Deque<String> q = queues.get(key);
        return q == null ? null : q.poll();
    }

    /** A non-blank text field or null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    private static List<String> morefsOf(Placement p) {
        return Arrays.asList(p.datacenterMoref(), p.clusterComputeResourceMoref(), p.hostMoref(), p.resourcePoolMoref(),
                p.vmFolderMoref(), p.datastoreMoref());
    }

    private static <V> V require(Map<String, V> map, String key, String what) {
        V v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException("No " + what + " named " + key);
        }
        return v;
    }

    private static void requireAbsent(Map<String, ?> map, String key, String what) {
        Objects.requireNonNull(key, what);
        if (map.containsKey(key)) {
            throw new IllegalArgumentException("There is already a " + what + " named " + key);
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    // =================================================================================================================
    // Mutable state
    // =================================================================================================================

    static final class PolicyState {
        final String name;
        final String comment;
        final String resourceId;
        final Map<String, WorkflowState> workflows = new LinkedHashMap<>();

        PolicyState(String name, String comment, String resourceId) {
            this.name = name;
            this.comment = comment;
            this.resourceId = resourceId;
        }
    }

    static final class WorkflowState {
        final String policy;
        final String name;
        final List<String> groups;
        final Duration retention;

        WorkflowState(String policy, String name, List<String> groups, Duration retention) {
            this.policy = policy;
            this.name = name;
            this.groups = groups;
            this.retention = retention;
        }
    }

    static final class GroupState {
        final String name;
        final String comment;
        final String resourceId;
        String vCenter;
        final LinkedHashSet<String> vmUuids = new LinkedHashSet<>();
        final LinkedHashSet<String> containerMorefs = new LinkedHashSet<>();
        int sequence = 1;

        GroupState(String name, String comment, String resourceId) {
            this.name = name;
            this.comment = comment;
            this.resourceId = resourceId;
        }
    }

    static final class VCenterState {
        final String hostname;
        final Map<String, String> inventory = new LinkedHashMap<>();
        final Map<String, Vm> vms = new LinkedHashMap<>();
        final Placement defaults = new Placement("datacenter-21", "domain-c26", "host-28", "resgroup-27", "group-v22", "datastore-31");

        VCenterState(String hostname) {
            this.hostname = hostname;
        }

        VCenter view() {
            return new VCenter(hostname, inventory, defaults);
        }
    }

    static final class JobState {
        static final String BACKUP = "backup";
        static final String RECOVER = "recover";

        final long id;
        final String kind;
        final String name;
        final String type;
        final String command;
        final boolean adhoc;
        final Instant start;
        Instant end;
        boolean stopped;
        String completionStatus = "Unknown";
        int exitCode;
        String message;
        /** The job's client: the VM's name when the job serves one VM, else null. */
        String clientHostname;
        final List<String> vmUuids = new ArrayList<>();
        final List<String> backupIds = new ArrayList<>();
        final Map<String, String> presetFailures = new HashMap<>();
        // backup
        String policy;
        String workflow;
        Duration retention;
        // recover
        String vCenter;
        String backupId;
        String instanceId;
        String mode;
        JsonNode spec;
        String requestBody;
        String recoveredVmUuid;

        JobState(long id, String kind, String name, String type, String command, boolean adhoc, Instant start) {
            this.id = id;
            this.kind = kind;
            this.name = name;
            this.type = type;
            this.command = command;
            this.adhoc = adhoc;
            this.start = start;
        }

        Job view(String state) {
            return new Job(id, kind, name, type, state, stopped, completionStatus, exitCode, message, start, end, vmUuids, backupIds);
        }
    }

    /** vCenter object kinds by moref prefix, for validation and vCenter-like error texts. */
    enum MorefKind {
        DATACENTER("datacenter-", "Datacenter"),
        CLUSTER("domain-c", "ClusterComputeResource"),
        COMPUTE("domain-s", "ComputeResource"),
        HOST("host-", "HostSystem"),
        POOL("resgroup-", "ResourcePool"),
        FOLDER("group-", "Folder"),
        DATASTORE("datastore-", "Datastore");

        final String prefix;
        final String vimType;

        MorefKind(String prefix, String vimType) {
            this.prefix = prefix;
            this.vimType = vimType;
        }

        static MorefKind of(String moref) {
            for (MorefKind k : values()) {
                if (moref.startsWith(k.prefix)) {
                    return k;
                }
            }
            return null;
        }

        static String vimType(String moref) {
            MorefKind k = of(moref);
            return k == null ? "ManagedEntity" : k.vimType;
        }
    }

    // =================================================================================================================
    // Builder
    // =================================================================================================================

    public static final class Builder {
        private int port;
        private Clock clock = Clock.systemUTC();
        private String user = "lifeboat";
        private String password = "lifeboat";
        private Duration jobDuration = Duration.ofSeconds(2);
        private int opStatus = 201;
        private String locationHost = "127.0.0.1";
        private String locationBase;
        private String serverHostname = "networker-sim.local";
        private Faults faults = new Faults();

        private Builder() {
        }

        /** 0 (default): any free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** What jobs and backup times follow; a {@link dev.lifeboat.sim.SimClock} lets a test move time. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The only Basic credentials accepted (default {@code lifeboat}/{@code lifeboat}). */
        public Builder credentials(String user, String password) {
            this.user = Objects.requireNonNull(user);
            this.password = Objects.requireNonNull(password);
            return this;
        }

        /** How long a job runs before {@code Completed} (default 2 s; {@link Duration#ZERO}: done when accepted). */
        public Builder jobDuration(Duration jobDuration) {
            if (jobDuration.isNegative()) {
                throw new IllegalArgumentException("negative job duration");
            }
            this.jobDuration = jobDuration;
            return this;
        }

        /** The status of {@code op/backup} and {@code op/recover}: 201 (default, backup-systems.md §2.5) or 202. */
        public Builder opStatus(int status) {
            if (status != 201 && status != 202) {
                throw new IllegalArgumentException("op status must be 201 or 202");
            }
            this.opStatus = status;
            return this;
        }

        /** The host written into {@code Location} and links: {@code http://HOST:PORT/...} (default 127.0.0.1). */
        public Builder locationHost(String host) {
            this.locationHost = Objects.requireNonNull(host);
            return this;
        }

        /**
         * Scheme, host and port written into {@code Location} and links instead, e.g. {@code https://nw.example:9090}
         * as the real server does; a client that rebuilds URLs from its own configuration then goes wrong visibly.
         */
        public Builder locationBase(String base) {
            this.locationBase = Objects.requireNonNull(base);
            return this;
        }

        /** The {@code runOnHost} of jobs. */
        public Builder serverHostname(String name) {
            this.serverHostname = Objects.requireNonNull(name);
            return this;
        }

        /** The fault switch (default: a new one, all off). */
        public Builder faults(Faults faults) {
            this.faults = Objects.requireNonNull(faults);
            return this;
        }

        public NetworkerSimulator start() throws IOException {
            return new NetworkerSimulator(this);
        }
    }
}
