package dev.lifeboat.plugin.networker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.Capabilities;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lifeboat's plugin for Dell EMC NetWorker REST API v3 (backup-systems.md §2). Policies are protection groups (or
 * workflows) matched by code ({@link PolicyCatalog}); applying a schedule adds the VM to the group's VMware work items
 * and NetWorker schedules the backups itself; a backup now is the VM's {@code op/backup}; jobs are followed through
 * the {@code Location} NetWorker answers; restores are {@code op/recover} {@code Revert} in place or {@code New} when
 * the VM is gone or a copy is asked for. The README of this module maps each operation to its calls.
 *
 * <p>Stateless: the only things kept between calls are the HTTP clients (per trust setting, for connection reuse in a
 * warm Lambda). Credentials are {@code <NetWorker part><separator><vCenter part>}; NetWorker is called with the first
 * part, vCenter with the second, to find where a VM recovered as new goes ({@link VcenterPlacement}).
 */
public final class NetworkerPlugin implements BackupPlugin {
    /** The variable that names the separator of split credentials; {@code #} when unset. */
    public static final String SEPARATOR_VARIABLE = "CREDENTIAL_SEPARATOR";
    public static final String CONNECT_TIMEOUT_VARIABLE = "NETWORKER_CONNECT_TIMEOUT_MS";
    public static final String REQUEST_TIMEOUT_VARIABLE = "NETWORKER_REQUEST_TIMEOUT_MS";

    /** Job-level failure codes carried in {@link Results.Failure}: NetWorker's reason is in the message. */
    public static final String BACKUP_FAILED = "BACKUP_FAILED";
    public static final String RESTORE_FAILED = "RESTORE_FAILED";
    public static final String JOB_CANCELLED = "JOB_CANCELLED";
    public static final String JOB_DID_NOT_RUN = "JOB_DID_NOT_RUN";

    /**
     * How long after a backup job ended its backup may still be missing from the VM's backup list before the job is
     * reported SUCCEEDED without a restore point (results sync then finds it). Until then the job is reported RUNNING:
     * the media database may index the save set a moment after the job completes [U].
     */
    static final Duration BACKUP_LISTING_GRACE = Duration.ofMinutes(2);

    /**
     * Tolerance for NetWorker's clock when a retried start looks for the job it may have started already: jobs started
     * up to this long before the run began count as the run's, unless they ended before it began.
     */
    static final Duration ADOPT_SKEW = Duration.ofSeconds(10);
    private static final int ADOPT_LOOKS = 3;
    /** Times in {@code q=} ranges, as NetWorker's clients write them (§2.2): no offset, read as the server's zone (UTC here). */
    private static final DateTimeFormatter QUERY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter NAME_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Set<String> FAILED_STATUSES = Set.of("failed", "failure", "abandoned", "aborted", "cancelled", "canceled", "interrupted");
    private static final Set<String> SUCCEEDED_STATUSES = Set.of("succeeded", "success", "successful", "completed", "ok");

    private final Settings settings;
    private final Placement.Resolver placement;
    private final Map<TlsKey, HttpClient> clients = new ConcurrentHashMap<>();

    /**
     * @param separator      between the NetWorker and the vCenter part of the credentials
     * @param connectTimeout TCP/TLS connect timeout of each request
     * @param requestTimeout time for a whole answer; must stay well below the Lambda's own timeout
     * @param clock          for the start times of jobs and the names of restored copies
     */
    public record Settings(String separator, Duration connectTimeout, Duration requestTimeout, Clock clock) {
        public Settings {
            Objects.requireNonNull(separator);
            if (separator.isEmpty()) {
                throw new IllegalArgumentException("empty credential separator");
            }
            Objects.requireNonNull(connectTimeout);
            Objects.requireNonNull(requestTimeout);
            Objects.requireNonNull(clock);
        }

        /** {@code #}, 10 s to connect, 20 s per answer, the system clock. */
        public static Settings defaults() {
            return new Settings("#", Duration.ofSeconds(10), Duration.ofSeconds(20), Clock.systemUTC());
        }

        /** {@value #SEPARATOR_VARIABLE}, {@value #CONNECT_TIMEOUT_VARIABLE}, {@value #REQUEST_TIMEOUT_VARIABLE} (ms). */
        public static Settings fromEnvironment(Map<String, String> env) {
            Settings d = defaults();
            String sep = env.get(SEPARATOR_VARIABLE);
            return new Settings(sep == null || sep.isEmpty() ? d.separator() : sep,
                    millis(env, CONNECT_TIMEOUT_VARIABLE, d.connectTimeout()), millis(env, REQUEST_TIMEOUT_VARIABLE, d.requestTimeout()),
                    d.clock());
        }

        public Settings withTimeouts(Duration connect, Duration request) {
            return new Settings(separator, connect, request, clock);
        }

        public Settings withClock(Clock c) {
            return new Settings(separator, connectTimeout, requestTimeout, c);
        }

        private static Duration millis(Map<String, String> env, String name, Duration dflt) {
            String v = env.get(name);
            if (v == null || v.isBlank()) {
                return dflt;
            }
            try {
                long ms = Long.parseLong(v.strip());
                if (ms <= 0) {
                    throw new NumberFormatException();
                }
                return Duration.ofMillis(ms);
            } catch (NumberFormatException e) {
                // Fail at start-up: a typo must not silently become a 20-second default nobody expects.
                throw new IllegalArgumentException(name + " must be a positive number of milliseconds, not '" + v + "'");
            }
        }
    }

    public NetworkerPlugin(Settings settings) {
        this(settings, new VcenterPlacement(settings.separator(),
                new dev.lifeboat.plugin.vmware.VimClient.Config(settings.connectTimeout(), settings.requestTimeout())));
    }

    /**
     * With another placement resolver than vCenter: a site that pins recreated VMs to one cluster, or a test of the
     * workflows that leaves the vCenter lookup to the plugin's own vcsim tests.
     */
    public NetworkerPlugin(Settings settings, Placement.Resolver placement) {
        this.settings = Objects.requireNonNull(settings);
        this.placement = Objects.requireNonNull(placement);
    }

    public static NetworkerPlugin fromEnvironment(Map<String, String> env) {
        return new NetworkerPlugin(Settings.fromEnvironment(env));
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.of(ManagerType.NETWORKER);
    }

    // =================================================================================================================
    // Connection check: GET <base> (§2.1, CS-N authenticate(): 200 ok, 401 bad credentials)
    // =================================================================================================================

    @Override
    public Results.Connection checkConnection(Session session) {
        long started = System.nanoTime();
        try {
            NetworkerClient c = client(session);
            NetworkerClient.Response r = c.exchange("GET", c.base(), null);
            long ms = elapsedMs(started);
            if (r.ok()) {
                return new Results.Connection(true, true, ms, "NetWorker REST API at " + c.base() + " answered" + version(r));
            }
            // Reachable but not usable: 401 bad credentials, 403 a user without rights, 404 a wrong base path, 5xx.
            return new Results.Connection(true, false, ms, c.error("GET", c.base(), r, new NetworkerClient.Lookup(TerminalError.REFUSED,
                    "the REST API base " + c.base() + " (is the endpoint .../nwrestapi/v3/global?)")).detail());
        } catch (RetryableError e) {
            return new Results.Connection(false, false, elapsedMs(started), e.detail());
        } catch (TerminalError e) {
            // A TLS handshake that failed reached a server; a malformed endpoint reached nothing.
            return new Results.Connection(!e.code().equals(TerminalError.BAD_COMMAND), false, elapsedMs(started), e.detail());
        }
    }

    /** A version the root resource may carry [U: its fields are unknown], e.g. {@code "version":"19.9.0.1"}. */
    private static String version(NetworkerClient.Response r) {
        JsonNode root = NetworkerClient.json(r.body());
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().toLowerCase(Locale.ROOT).contains("version") && f.getValue().isValueNode()) {
                return " (" + f.getKey() + " " + f.getValue().asText() + ")";
            }
        }
        return "";
    }

    // =================================================================================================================
    // Policies: GET /protectionpolicies (§2.3); the matching rule lives in PolicyCatalog
    // =================================================================================================================

    @Override
    public List<Results.ExternalPolicy> listPolicies(Session session) {
        return PolicyCatalog.read(client(session)).external();
    }

    // =================================================================================================================
    // Schedules: POST /protectiongroups/{g}/op/updatevmwareworkitems add/delete (§2.4)
    // =================================================================================================================

    @Override
    public Results.Schedule applySchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        NetworkerClient c = client(session);
        PolicyCatalog.Match m = PolicyCatalog.read(c).match(policy.code());
        String group = groupOf(m);
        VmId id = vmId(c, vm);
        NetworkerClient.Response r = updateWorkItems(c, group, "addWorkItems", id);
        String where = "protection group " + group + " (" + m.firstWorkflow().policy() + " / " + m.firstWorkflow().workflow() + ")";
        if (r.ok()) {
            return new Results.Schedule(true, "VM " + id.uuid() + " added to " + where);
        }
        if (isPlainRefusal(r)) {
            // Idempotent: NetWorker answers a duplicate with "There is already a ..." (§2.8). The text is not relied on
            // alone: when the group holds the VM, the schedule is applied whatever the refusal said.
            if (c.message(r).contains("There is already a") || groupHolds(c, group, id.uuid())) {
                return new Results.Schedule(true, "VM " + id.uuid() + " already in " + where);
            }
            if (vmMissing(c, id)) {
                throw unknownVm(id);
            }
        }
        throw workItemsError(c, group, r);
    }

    @Override
    public Results.Schedule removeSchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        NetworkerClient c = client(session);
        PolicyCatalog.Match m = PolicyCatalog.read(c).match(policy.code());
        String group = groupOf(m);
        VmId id = vmId(c, vm);
        NetworkerClient.Response r = updateWorkItems(c, group, "deleteWorkItems", id);
        if (r.ok()) {
            return new Results.Schedule(true, "VM " + id.uuid() + " removed from protection group " + group);
        }
        // Removing a VM the group does not hold is success: the end state is the one asked for.
        if (isPlainRefusal(r) && !groupHolds(c, group, id.uuid())) {
            return new Results.Schedule(true, "VM " + id.uuid() + " was not in protection group " + group);
        }
        throw workItemsError(c, group, r);
    }

    private static NetworkerClient.Response updateWorkItems(NetworkerClient c, String group, String section, VmId id) {
        ObjectNode body = NetworkerClient.object();
        ObjectNode items = body.putObject(section);
        items.put("vCenterHostname", id.vCenter());
        items.putArray("vmUuids").add(id.uuid());
        return c.exchange("POST", c.resolve(workItemsPath(group)), body);
    }

    private static String workItemsPath(String group) {
        return "protectiongroups/" + NetworkerClient.seg(group) + "/op/updatevmwareworkitems";
    }

    private static PluginError workItemsError(NetworkerClient c, String group, NetworkerClient.Response r) {
        return c.error("POST", c.resolve(workItemsPath(group)), r,
                new NetworkerClient.Lookup(TerminalError.UNKNOWN_POLICY, "protection group '" + group + "'"));
    }

    private static String groupOf(PolicyCatalog.Match m) {
        if (m.group() == null) {
            throw new TerminalError(TerminalError.REFUSED, "NetWorker workflow " + m.firstWorkflow().workflow() + " (policy "
                    + m.firstWorkflow().policy() + ") backs up no protection group, so no VM can be put into it; give it a VMware protection group");
        }
        return m.group();
    }

    private static boolean groupHolds(NetworkerClient c, String group, String uuid) {
        JsonNode g = c.get("protectiongroups/" + NetworkerClient.seg(group),
                new NetworkerClient.Lookup(TerminalError.UNKNOWN_POLICY, "protection group '" + group + "'"));
        for (JsonNode u : g.path("vmwareWorkItemSelection").path("vmUuids")) {
            if (u.asText().equalsIgnoreCase(uuid)) {
                return true;
            }
        }
        return false;
    }

    // =================================================================================================================
    // Backup now: POST {VC}/vms/{uuid}/op/backup {"policy","workflow"} → Location (§2.3, §2.5)
    // =================================================================================================================

    @Override
    public Refs.Job startBackup(Session session, Refs.Vm vm, Refs.Policy policy) {
        NetworkerClient c = client(session);
        VmId id = vmId(c, vm);
        PolicyCatalog.Target t = policy != null ? workflowFor(c, PolicyCatalog.read(c).match(policy.code()), id) : protectingWorkflow(c, id);
        ObjectNode body = NetworkerClient.object().put("policy", t.policy()).put("workflow", t.workflow());
        URI uri = c.resolve(vcPath(id.vCenter()) + "/vms/" + NetworkerClient.seg(id.uuid()) + "/op/backup");
        Refs.Run run = session.run();
        Optional<URI> adopted = run == null ? Optional.empty() : jobSince(c, vm, false, run.since());
        if (adopted.isPresent()) {
            return new Refs.Job(Refs.Job.Kind.BACKUP, NetworkerRefs.backupJob(adopted.get(), id.vCenter(), id.uuid()), run.since());
        }
        Instant now = settings.clock().instant();
        NetworkerClient.Response r = exchangeStart(c, uri, body, vm, false, run);
        if (r.location().isPresent() && r.status() == 0) {
            return new Refs.Job(Refs.Job.Kind.BACKUP, NetworkerRefs.backupJob(r.location().get(), id.vCenter(), id.uuid()), run.since());
        }
        if (!r.ok()) {
            if (r.status() == 404 || (isPlainRefusal(r) && vmMissing(c, id))) {
                throw unknownVm(id);
            }
            throw c.error("POST", uri, r, vmLookup(id));
        }
        URI location = jobLocation(c, r, "backup of VM " + id.uuid());
        return new Refs.Job(Refs.Job.Kind.BACKUP, NetworkerRefs.backupJob(location, id.vCenter(), id.uuid()), now);
    }

    /**
     * POSTs an op (backup or recover), which is never repeated blindly: when its answer is lost (the connection broke
     * after the request went out, or a 500/502/504 that may come after NetWorker acted), the job it may have started is
     * looked for ({@link #jobSince}) and adopted, answered as status 0 with the job's URL as location. Otherwise the
     * failure goes back to the workflow, whose retry looks again before starting anew.
     */
    private NetworkerClient.Response exchangeStart(NetworkerClient c, URI uri, ObjectNode body, Refs.Vm vm, boolean recover, Refs.Run run) {
        RuntimeException lost;
        NetworkerClient.Response r = null;
        try {
            r = c.exchange("POST", uri, body);
            if (r.status() < 500 || r.status() == 503) {
                return r;
            }
            lost = c.error("POST", uri, r, null);
        } catch (RetryableError e) {
            lost = e;
        }
        if (run != null) {
            for (int look = 0; look < ADOPT_LOOKS; look++) {
                try {
                    Optional<URI> job = jobSince(c, vm, recover, run.since());
                    if (job.isPresent()) {
                        return new NetworkerClient.Response(0, job, "");
                    }
                } catch (RetryableError stillFailing) {
                    // the lookup failed too: the workflow's retry looks again
                }
                if (look + 1 < ADOPT_LOOKS) {
                    sleep(Duration.ofSeconds(1));
                }
            }
        }
        if (r != null) {
            return r;
        }
        throw lost;
    }

    /**
     * The job that a run began already for this VM: a job whose {@code clientHostname} is the VM (name or uuid), of the
     * kind wanted (a recover job, or not), started since the run began less {@link #ADOPT_SKEW}, and not ended before it.
     * NetWorker's jobs carry {@code clientHostname} and {@code startTime}, and {@code GET /jobs?q=startTime:[...]} filters
     * them (Dell's NetWorker REST v3 reference, {@code GET /jobs}; a Dell sample lists failed save jobs with
     * {@code q=startTime:["24 hours"] and type:"save job"} and prints {@code clientHostname}). Which job of a VM
     * backup's tree names the VM as client is [U]; the filter is also applied here, in case a server ignores {@code q}.
     */
    private Optional<URI> jobSince(NetworkerClient c, Refs.Vm vm, boolean recover, Instant since) {
        Instant from = since.minus(ADOPT_SKEW);
        String q = "startTime:['" + QUERY_TIME.format(from) + "' TO '" + QUERY_TIME.format(settings.clock().instant().plus(Duration.ofDays(1))) + "']";
        JsonNode answer = c.get("jobs?q=" + NetworkerClient.query(q), new NetworkerClient.Lookup(TerminalError.REFUSED, "the job list"));
        for (JsonNode j : Wire.items(answer, "jobs")) {
            String client = Wire.text(j, "clientHostname");
            boolean sameVm = client != null && (client.equalsIgnoreCase(vm.name()) || client.equalsIgnoreCase(vm.uuid()));
            boolean isRecover = Optional.ofNullable(Wire.text(j, "type")).orElse("").toLowerCase(Locale.ROOT).contains("recover");
            Instant started = Wire.time(j, "startTime");
            Instant ended = Wire.time(j, "endTime");
            if (!sameVm || isRecover != recover || started == null || started.isBefore(from) || ended != null && ended.isBefore(since)) {
                continue;
            }
            for (JsonNode l : j.path("links")) {
                String href = Wire.text(l, "href");
                if (href != null && href.contains("/jobs/")) {
                    return Optional.of(c.base().resolve(href));
                }
            }
            String id = Wire.text(j, "id");
            if (id != null) {
                return Optional.of(c.resolve("jobs/" + id));
            }
        }
        return Optional.empty();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableError(RetryableError.TIMEOUT, "interrupted while looking for a started NetWorker job", e);
        }
    }

    /** When a group is backed up by several workflows, the one that protects this VM (protectiondetails), else the first. */
    private static PolicyCatalog.Target workflowFor(NetworkerClient c, PolicyCatalog.Match m, VmId id) {
        if (m.workflows().size() == 1) {
            return m.firstWorkflow();
        }
        List<PolicyCatalog.Target> protecting = protectionDetails(c, id);
        for (PolicyCatalog.Target t : m.workflows()) {
            if (protecting.stream().anyMatch(p -> p.policy().equals(t.policy()) && p.workflow().equals(t.workflow()))) {
                return t;
            }
        }
        return m.firstWorkflow();
    }

    /** No policy in the command: the first workflow NetWorker says protects the VM. */
    private static PolicyCatalog.Target protectingWorkflow(NetworkerClient c, VmId id) {
        List<PolicyCatalog.Target> protecting = protectionDetails(c, id);
        if (protecting.isEmpty()) {
            throw new TerminalError(TerminalError.REFUSED, "VM " + id.uuid() + " is not protected by any NetWorker workflow; apply a policy to it first");
        }
        return protecting.get(0);
    }

    /**
     * {@code GET {VC}/vms/{uuid}/protectiondetails}: clients read {@code protectionPolicy.name} and {@code workflow.name}
     * (§2.3); whether the answer is one object or a list is [U], so both are read.
     */
    private static List<PolicyCatalog.Target> protectionDetails(NetworkerClient c, VmId id) {
        JsonNode d = c.get(vcPath(id.vCenter()) + "/vms/" + NetworkerClient.seg(id.uuid()) + "/protectiondetails", vmLookup(id));
        List<JsonNode> items = d.has("protectionPolicy") ? List.of(d) : Wire.items(d, "protectionDetails");
        List<PolicyCatalog.Target> out = new ArrayList<>();
        for (JsonNode i : items) {
            String p = Wire.text(i.path("protectionPolicy"), "name");
            String w = Wire.text(i.path("workflow"), "name");
            if (p != null && w != null) {
                out.add(new PolicyCatalog.Target(p, w, Wire.text(i.path("protectionGroup"), "name")));
            }
        }
        return out;
    }

    /**
     * The job of an accepted op: the {@code Location} header, followed exactly as given (§2.5). The status is any 2xx
     * (201 believed, 202 possible [U]). Without a {@code Location}, a job link or id in the body is accepted [U].
     */
    private static URI jobLocation(NetworkerClient c, NetworkerClient.Response r, String what) {
        if (r.location().isPresent()) {
            return r.location().get();
        }
        JsonNode body = NetworkerClient.json(r.body());
        for (JsonNode l : body.path("links")) {
            String href = Wire.text(l, "href");
            if (href != null && href.contains("/jobs/")) {
                return c.base().resolve(href);
            }
        }
        String id = Optional.ofNullable(Wire.text(body, "jobId")).orElse(Wire.text(body, "id"));
        if (id != null && id.chars().allMatch(Character::isDigit)) {
            return c.resolve("jobs/" + id);
        }
        // Not retryable: NetWorker accepted the work, and a retry would start it a second time.
        throw new TerminalError(TerminalError.REFUSED, "NetWorker accepted the " + what + " (HTTP " + r.status()
                + ") but named no job to follow (no Location header)");
    }

    // =================================================================================================================
    // Jobs: GET <Location> until state Completed, then completionStatus + exitCode (§2.5)
    // =================================================================================================================

    @Override
    public Results.JobStatus pollJob(Session session, Refs.Job job) {
        NetworkerClient c = client(session);
        NetworkerRefs.JobRef ref = NetworkerRefs.job(job.ref(), c);
        String jobId = NetworkerRefs.jobId(ref.url());
        NetworkerClient.Lookup lookup = new NetworkerClient.Lookup(TerminalError.UNKNOWN_JOB, "job " + jobId);
        JsonNode j = c.get(ref.url(), lookup);
        if (j.has("jobs") || (!j.has("state") && !j.has("id"))) {
            // A query answer {"count":1,"jobs":[...]} (the §2.5 fixture's shape) instead of the job itself.
            List<JsonNode> items = Wire.items(j, "jobs");
            if (items.isEmpty()) {
                throw new TerminalError(TerminalError.UNKNOWN_JOB, "NetWorker does not know job " + jobId);
            }
            j = items.get(0);
        }
        String state = Wire.text(j, "state");
        boolean done = "completed".equalsIgnoreCase(state) || Wire.bool(j, "stopped", false);
        if (!done) {
            // Queued, Active, SessionActive, ... [U]: anything but Completed is still running.
            return new Results.JobStatus(job, Results.JobStatus.State.RUNNING, null, null, null);
        }
        String status = Optional.ofNullable(Wire.text(j, "completionStatus")).orElse("Unknown");
        int exit = j.path("exitCode").asInt(0);
        String s = status.toLowerCase(Locale.ROOT);
        if (FAILED_STATUSES.contains(s) || exit != 0) {
            String code = s.startsWith("abandon") || s.startsWith("cancel") ? JOB_CANCELLED
                    : job.kind() == Refs.Job.Kind.BACKUP ? BACKUP_FAILED : RESTORE_FAILED;
            return failed(job, code, "NetWorker job " + jobId + " ended " + status + ": " + failureText(c, ref, j, status, exit));
        }
        boolean succeeded = SUCCEEDED_STATUSES.contains(s);
        if (job.kind() == Refs.Job.Kind.RESTORE) {
            return succeeded ? new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100, null, null)
                    : failed(job, JOB_DID_NOT_RUN, didNotRun(jobId, status, c, ref, j));
        }
        Refs.RestorePoint rp = ref.vmUuid() == null ? null : restorePointOf(c, ref, j, job);
        if (rp != null) {
            // Also for completionStatus Unknown: the job made a backup, so it did run.
            return new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100, rp, null);
        }
        if (!succeeded) {
            return failed(job, JOB_DID_NOT_RUN, didNotRun(jobId, status, c, ref, j));
        }
        Instant end = Wire.time(j, "endTime");
        if (ref.vmUuid() != null && end != null && settings.clock().instant().isBefore(end.plus(BACKUP_LISTING_GRACE))) {
            return new Results.JobStatus(job, Results.JobStatus.State.RUNNING, 99, null, null);
        }
        return new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100, null, null);
    }

    private static Results.JobStatus failed(Refs.Job job, String code, String message) {
        return new Results.JobStatus(job, Results.JobStatus.State.FAILED, 100, null, new Results.Failure(code, message));
    }

    private static String didNotRun(String jobId, String status, NetworkerClient c, NetworkerRefs.JobRef ref, JsonNode j) {
        // completionStatus "Unknown" with exit code 0 is what the §2.5 fixture shows for a job that did not run.
        return "NetWorker job " + jobId + " completed with status " + status + " and made nothing (the job did not run): "
                + failureText(c, ref, j, status, 0);
    }

    /**
     * NetWorker's reason: the job's {@code message} where it has one [U: its place is unknown], else the end of
     * {@code GET /jobs/{id}/log} (§2.3), else the status and exit code.
     */
    private static String failureText(NetworkerClient c, NetworkerRefs.JobRef ref, JsonNode j, String status, int exit) {
        String message = Wire.text(j, "message");
        if (message != null) {
            return c.scrub(message);
        }
        String log = jobLog(c, ref);
        if (log != null) {
            List<String> lines = log.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            if (!lines.isEmpty()) {
                String tail = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
                return tail.length() > 500 ? tail.substring(tail.length() - 500) : tail;
            }
        }
        return "completion status " + status + ", exit code " + exit;
    }

    /** The job's log text, or null when it cannot be had (it only adds detail, so it never fails the poll). */
    private static String jobLog(NetworkerClient c, NetworkerRefs.JobRef ref) {
        try {
            return c.getText(URI.create(ref.url() + "/log"), new NetworkerClient.Lookup(TerminalError.UNKNOWN_JOB, "the job's log"));
        } catch (PluginError e) {
            return null;
        }
    }

    /**
     * The backup a finished backup job made. NetWorker's job does not name it (§2.5), so: the VM's backups
     * ({@code GET {VC}/protectedvms/{uuid}/backups}, §2.6) saved at or after the job's {@code startTime} (NetWorker's
     * own clock and format; Lifeboat's start time less 2 s when the job has none). One is the answer; among several
     * (another job of the same VM in the same moment) the one the job's log names, else the newest.
     */
    private Refs.RestorePoint restorePointOf(NetworkerClient c, NetworkerRefs.JobRef ref, JsonNode j, Refs.Job job) {
        Instant start = Wire.time(j, "startTime");
        if (start == null && job.startedAt() != null) {
            start = job.startedAt().truncatedTo(ChronoUnit.SECONDS).minusSeconds(2);
        }
        NetworkerClient.Response r = c.exchange("GET", c.resolve(NetworkerRefs.vmPath(ref.vCenter(), ref.vmUuid()) + "/backups"), null);
        if (r.status() == 404) {
            return null;
        }
        if (!r.ok()) {
            throw c.error("GET", c.resolve(NetworkerRefs.vmPath(ref.vCenter(), ref.vmUuid()) + "/backups"), r, null);
        }
        List<JsonNode> candidates = new ArrayList<>();
        for (JsonNode b : Wire.items(NetworkerClient.json(r.body()), "backups")) {
            Instant saved = saveTime(b);
            if (Wire.text(b, "id") != null && saved != null && (start == null || !saved.isBefore(start))) {
                candidates.add(b);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        JsonNode chosen = null;
        if (candidates.size() > 1) {
            String log = jobLog(c, ref);
            if (log != null) {
                chosen = candidates.stream().filter(b -> log.contains(Wire.text(b, "id"))
                        || (Wire.text(b, "shortId") != null && log.contains(Wire.text(b, "shortId")))).findFirst().orElse(null);
            }
        }
        if (chosen == null) {
            // The newest; among equal save times the later in NetWorker's list.
            chosen = candidates.stream().max(Comparator.comparing(NetworkerPlugin::saveTime)).orElseThrow();
            Instant newest = saveTime(chosen);
            for (JsonNode b : candidates) {
                if (saveTime(b).equals(newest)) {
                    chosen = b;
                }
            }
        }
        return new Refs.RestorePoint(NetworkerRefs.restorePoint(ref.vCenter(), ref.vmUuid(), Wire.text(chosen, "id")),
                saveTime(chosen), Wire.sizeBytes(chosen));
    }

    private static Instant saveTime(JsonNode backup) {
        Instant t = Wire.time(backup, "saveTime");
        return t != null ? t : Wire.time(backup, "creationTime");
    }

    // =================================================================================================================
    // Restore: POST {VC}/protectedvms/{uuid}/backups/{id}/op/recover, Revert or New (§2.7)
    // =================================================================================================================

    @Override
    public Refs.Job startRestore(Session session, Refs.Vm vm, Refs.RestorePoint restorePoint, Refs.RestoreMode mode) {
        NetworkerClient c = client(session);
        NetworkerRefs.BackupRef b = NetworkerRefs.backup(restorePoint.ref());
        NetworkerClient.Lookup lookup = new NetworkerClient.Lookup(TerminalError.UNKNOWN_RESTORE_POINT,
                "backup " + b.backupId() + " of VM " + b.vmUuid() + " in vCenter " + b.vCenter());
        // NetWorker recreates a VM that is not allocated (Capabilities: restoresUnallocatedVm); Revert needs the VM.
        boolean asNew = mode == Refs.RestoreMode.NEW_VM || !vm.allocated();
        ObjectNode body = asNew ? newVmSpec(session, c, vm, b, lookup, mode == Refs.RestoreMode.NEW_VM) : revertSpec(vm);
        URI uri = c.resolve(b.path() + "/op/recover");
        Refs.Run run = session.run();
        Optional<URI> adopted = run == null ? Optional.empty() : jobSince(c, vm, true, run.since());
        if (adopted.isPresent()) {
            return new Refs.Job(Refs.Job.Kind.RESTORE, adopted.get().toString(), run.since());
        }
        Instant now = settings.clock().instant();
        NetworkerClient.Response r = exchangeStart(c, uri, body, vm, true, run);
        if (r.location().isPresent() && r.status() == 0) {
            return new Refs.Job(Refs.Job.Kind.RESTORE, r.location().get().toString(), run.since());
        }
        if (!r.ok()) {
            throw c.error("POST", uri, r, lookup);
        }
        return new Refs.Job(Refs.Job.Kind.RESTORE, jobLocation(c, r, "restore of VM " + b.vmUuid()).toString(), now);
    }

    /**
     * {@code Revert}: overwrite the existing VM (§2.7 needs {@code powerOn}, {@code reconnectNic},
     * {@code revertConfiguration}). The disks are put back, the configuration kept (so no
     * {@code deleteExistingBackingFile}), and the VM comes back on and connected, as it was in use.
     */
    private static ObjectNode revertSpec(Refs.Vm vm) {
        return NetworkerClient.object().put("recoverMode", "Revert").put("powerOn", true).put("reconnectNic", true)
                .put("revertConfiguration", false).put("jobName", jobName(vm.name() != null ? vm.name() : vm.id()));
    }

    /**
     * {@code New}: every field §2.7 names as required, from the backup ({@code vmInformation}: name, disks,
     * datastore) and the placement resolver (vCenter itself, {@link VcenterPlacement}). Recreating a VM that is not
     * allocated keeps its name and comes back on and connected; a copy beside a living original (NEW_VM) gets a new name and stays off and disconnected, so it cannot
     * clash with the original on the network.
     */
    private ObjectNode newVmSpec(Session session, NetworkerClient c, Refs.Vm vm, NetworkerRefs.BackupRef b,
                                 NetworkerClient.Lookup lookup, boolean copy) {
        JsonNode backup = c.get(b.path(), lookup);
        JsonNode info = backup.path("vmInformation");
        Placement p = placement.placementFor(session, b.vCenter(), b.vmUuid(), backup);
        List<String> missing = p.missing();
        if (!missing.isEmpty()) {
            throw new TerminalError(TerminalError.REFUSED, "cannot place the VM to recover from backup " + b.backupId()
                    + " in vCenter " + b.vCenter() + ": vCenter gives no " + String.join(", ", missing));
        }
        String original = vm.name() != null ? vm.name()
                : Optional.ofNullable(Wire.text(info, "vmName")).orElse(Optional.ofNullable(Wire.text(backup, "name")).orElse(b.vmUuid()));
        String name = copy ? original + "-restored-" + NAME_STAMP.format(settings.clock().instant()) : original;
        ObjectNode spec = NetworkerClient.object();
        spec.put("recoverMode", "New");
        spec.put("vCenterHostname", b.vCenter());
        spec.put("datacenterMoref", p.datacenter());
        if (p.cluster() != null) {
            spec.put("clusterComputeResourceMoref", p.cluster());
        } else {
            spec.put("computeResourceMoref", p.computeResource());
        }
        if (p.host() != null) {
            spec.put("hostMoref", p.host());
        }
        if (p.resourcePool() != null) {
            spec.put("resourcePoolMoref", p.resourcePool());
        }
        spec.put("datastoreMoref", p.datastore());
        spec.put("vmFolderMoref", p.vmFolder());
        spec.put("vmName", name);
        spec.put("jobName", jobName(name));
        spec.put("powerOn", !copy);
        spec.put("reconnectNic", !copy);
        JsonNode disks = info.path("disks");
        if (disks.isArray() && !disks.isEmpty()) {
            var out = spec.putArray("disks");
            for (JsonNode d : disks) {
                ObjectNode o = out.addObject();
                o.set("key", d.get("key"));
                o.put("name", Wire.text(d, "name"));
                // Each disk back on its own datastore when the backup names it, else with the VM.
                o.put("datastoreMoref", Optional.ofNullable(Wire.text(d, "datastoreMoref")).orElse(p.datastore()));
            }
        }
        return spec;
    }

    private static String jobName(String vmName) {
        return "Lifeboat restore of " + vmName;
    }

    // =================================================================================================================
    // Results: GET {VC}/protectedvms/{uuid}/backups per VM (§2.3, §2.6)
    // =================================================================================================================

    @Override
    public Results.ResultList listResults(Session session, List<Refs.Vm> vms, Instant since) {
        NetworkerClient c = client(session);
        Instant now = settings.clock().instant();
        List<Results.BackupResult> results = new ArrayList<>();
        List<Results.VmFailure> failures = new ArrayList<>();
        for (Refs.Vm vm : vms) {
            try {
                VmId id = vmId(c, vm);
                JsonNode list = c.get(NetworkerRefs.vmPath(id.vCenter(), id.uuid()) + "/backups", vmLookup(id));
                for (JsonNode b : Wire.items(list, "backups")) {
                    String backupId = Wire.text(b, "id");
                    Instant saved = saveTime(b);
                    Instant retention = Wire.time(b, "retentionTime");
                    if (backupId == null || (retention != null && retention.isBefore(now))) {
                        continue; // expired save sets are listed until purged; CS-N skips them too (§2.6)
                    }
                    if (since != null && saved != null && saved.isBefore(since)) {
                        continue;
                    }
                    results.add(new Results.BackupResult(vm.id(), NetworkerRefs.restorePoint(id.vCenter(), id.uuid(), backupId),
                            Results.BackupResult.Status.SUCCESS, saved, Wire.time(b, "completionTime"), Wire.sizeBytes(b)));
                }
            } catch (PluginError e) {
                if (managerWide(e)) {
                    // Every VM would fail the same way (and each after a timeout): the whole datacenter fails instead.
                    throw e;
                }
                failures.add(new Results.VmFailure(vm.id(), e.code(), e.detail()));
            }
        }
        return new Results.ResultList(results, failures);
    }

    /**
     * The save sets NetWorker holds for many VMs: one {@code GET /global/backups?q=name:<vm>,<vm>,…} for up to
     * {@link #HELD_CHUNK} VMs (a comma list of alternatives, as NWPS joins VM names; {@code name} is the VM's name,
     * {@code GET /global/backups?q=name:{vm}}, §2.2 and §2.6 [C]), paged by {@code offset}/{@code limit}, matched back
     * to each VM by {@code vmInformation} uuid and vCenter. Expired save sets are left out, as the VM's own listing does.
     * A VM without a uuid, vCenter or plain name, or one the answer names no save set of (a renamed VM, or one with
     * none), is listed alone as {@link #listResults} does: a point the name missed is never expired.
     */
    @Override
    public Results.HeldPage listHeld(Session session, List<Refs.Vm> vms, String cursor) {
        NetworkerClient c = client(session);
        Instant now = settings.clock().instant();
        return dev.lifeboat.plugin.HeldPages.page(vms, cursor, HELD_CHUNK, part -> held(session, c, part, now));
    }

    static final int HELD_CHUNK = 32;
    static final int HELD_PAGE = 500;
    private static final int HELD_MAX_PAGES = 40;
    private static final int HELD_QUERY_CHARS = 2_000;
    /** Reads of one name list whose count keeps changing before its VMs are listed alone instead. */
    private static final int HELD_READS = 3;

    private dev.lifeboat.plugin.HeldPages.Listed held(Session session, NetworkerClient c, List<Refs.Vm> part, Instant now) {
        java.util.Map<String, List<String>> refs = new java.util.LinkedHashMap<>();
        java.util.Map<String, Refs.Vm> byUuid = new java.util.HashMap<>();
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        List<Refs.Vm> alone = new ArrayList<>();
        for (Refs.Vm vm : part) {
            if (vm.uuid() == null || vm.vcenter() == null || vm.name() == null || vm.name().isBlank() || !vm.name().matches("[^,'\"\\s:\\[\\]]+")) {
                alone.add(vm);
            } else {
                byUuid.put(vm.uuid().toLowerCase(java.util.Locale.ROOT), vm);
                names.add(vm.name());
            }
        }
        // One request per name list of at most HELD_QUERY_CHARS once encoded: a URL stays within what servers take.
        List<String> queries = new ArrayList<>();
        StringBuilder list = new StringBuilder();
        for (String name : names) {
            if (list.length() > 0 && NetworkerClient.query("name:" + list + "," + name).length() > HELD_QUERY_CHARS) {
                queries.add(NetworkerClient.query("name:" + list));
                list.setLength(0);
            }
            list.append(list.length() > 0 ? "," : "").append(name);
        }
        if (list.length() > 0) queries.add(NetworkerClient.query("name:" + list));
        boolean complete = true;
        for (String q : queries) {
            complete = false;
            // Pages are offsets into a list that retention shortens and new save sets lengthen while we read: a save set
            // deleted from an early page would move the first one of the next page into a page already read, missed and
            // then wrongly expired. Every answer carries the list's count; when it changed between the first and the
            // last page, the list is read again (at most HELD_READS times, then its VMs go alone).
            for (int read = 0; read < HELD_READS && !complete; read++) {
                java.util.Map<String, List<String>> found = new java.util.LinkedHashMap<>();
                Long firstCount = null;
                boolean stable = true;
                boolean ended = false;
                for (int page = 0; page < HELD_MAX_PAGES && !ended; page++) {
                    JsonNode doc = c.get("backups?q=" + q + "&fl=id,retentionTime,vmInformation&limit=" + HELD_PAGE + "&offset=" + page * HELD_PAGE,
                            new NetworkerClient.Lookup(TerminalError.REFUSED, "the backup list"));
                    List<JsonNode> items = Wire.items(doc, "backups");
                    for (JsonNode b : items) {
                        JsonNode info = b.path("vmInformation");
                        String uuid = Wire.text(info, "vmUuid") != null ? Wire.text(info, "vmUuid") : Wire.text(info, "uuid");
                        String vCenter = Wire.text(info, "vCenterHostname") != null ? Wire.text(info, "vCenterHostname") : Wire.text(info, "vcenterHostname");
                        Refs.Vm vm = uuid == null ? null : byUuid.get(uuid.toLowerCase(java.util.Locale.ROOT));
                        Instant retention = Wire.time(b, "retentionTime");
                        String id = Wire.text(b, "id");
                        if (vm == null || id == null || (retention != null && retention.isBefore(now))
                                || (vCenter != null && !vCenter.equalsIgnoreCase(vm.vcenter()))) {
                            continue;
                        }
                        found.computeIfAbsent(vm.id(), k -> new ArrayList<>()).add(NetworkerRefs.restorePoint(vm.vcenter(), vm.uuid(), id));
                    }
                    JsonNode count = doc.path("count");
                    if (count.canConvertToLong()) {
                        if (firstCount == null) firstCount = count.asLong();
                        else if (firstCount != count.asLong()) stable = false;
                    }
                    ended = items.size() < HELD_PAGE || count.canConvertToLong() && count.asLong() <= (long) (page + 1) * HELD_PAGE;
                }
                complete = ended && (stable || firstCount == null);
                if (complete) {
                    found.forEach((vm, points) -> refs.computeIfAbsent(vm, k -> new ArrayList<>()).addAll(points));
                }
            }
            if (!complete) break;
        }
        if (!complete) {
            // Not every save set was read: the VMs go alone rather than expire a point not read.
            refs.clear();
            alone.addAll(byUuid.values());
        }
        for (Refs.Vm vm : byUuid.values()) {
            if (!refs.containsKey(vm.id()) && !alone.contains(vm)) alone.add(vm);
        }
        if (!alone.isEmpty()) {
            dev.lifeboat.plugin.HeldPages.Listed one = dev.lifeboat.plugin.HeldPages.of(alone, listResults(session, alone, null));
            refs.putAll(one.refs());
            return new dev.lifeboat.plugin.HeldPages.Listed(refs, one.failures());
        }
        return new dev.lifeboat.plugin.HeldPages.Listed(refs, List.of());
    }

    /** What the whole server saved since a time, a page at a time (see {@link NetworkerResultPages}). */
    @Override
    public Results.ResultPage listResultPage(Session session, Instant since, String cursor) {
        if (since == null) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "LIST_RESULTS without VMs needs 'since'");
        }
        return NetworkerResultPages.page(client(session), since, cursor, settings.clock().instant());
    }

    private static boolean managerWide(PluginError e) {
        return switch (e.code()) {
            case TerminalError.BAD_CREDENTIALS, TerminalError.FORBIDDEN, RetryableError.UNREACHABLE -> true;
            default -> false;
        };
    }

    // =================================================================================================================
    // VMs
    // =================================================================================================================

    /** A VM as NetWorker names it: vCenter host name and instance uuid. */
    record VmId(String vCenter, String uuid) {}

    /**
     * The VM's vCenter and uuid. Its identity is (api.md revision 2) the uuid when the command gives one, else its
     * vCenter and moref (NetWorker's VM lists carry {@code morefId}), else its name. When the command lacks the uuid or
     * the vCenter, they come from NetWorker's VM lists ({@code GET /vmware/vms?q=uuid:...}, {@code q=morefId:...} or
     * {@code q=name:...}, then {@code /vmware/protectedvms}, which keeps VMs vCenter no longer has, §2.3). The filter is
     * also applied here, in case a server ignores {@code q}.
     */
    private static VmId vmId(NetworkerClient c, Refs.Vm vm) {
        if (vm.uuid() != null && vm.vcenter() != null) {
            return new VmId(vm.vcenter(), vm.uuid());
        }
        boolean byMoref = vm.uuid() == null && vm.vcenter() != null && vm.moref() != null;
        if (vm.uuid() == null && !byMoref && vm.name() == null) {
            throw new TerminalError(TerminalError.UNKNOWN_VM, "VM " + vm.id() + " has neither a uuid, nor a vCenter and moref, nor a name to find it in NetWorker");
        }
        String q = vm.uuid() != null ? "uuid:" + vm.uuid() : byMoref ? "morefId:" + vm.moref() : "name:" + vm.name();
        for (String list : List.of("vmware/vms", "vmware/protectedvms")) {
            JsonNode answer = c.get(list + "?q=" + NetworkerClient.query(q), new NetworkerClient.Lookup(TerminalError.UNKNOWN_VM, "the VM list"));
            List<JsonNode> found = new ArrayList<>();
            for (JsonNode n : Wire.items(answer, "vms")) {
                boolean same = vm.uuid() != null ? vm.uuid().equalsIgnoreCase(Wire.text(n, "uuid"))
                        : byMoref ? vm.moref().equalsIgnoreCase(Wire.text(n, "morefId")) : vm.name().equals(Wire.text(n, "name"));
                boolean sameVc = vm.vcenter() == null || vm.vcenter().equalsIgnoreCase(Wire.text(n, "vCenterHostname"));
                if (same && sameVc && Wire.text(n, "uuid") != null && Wire.text(n, "vCenterHostname") != null) {
                    found.add(n);
                }
            }
            if (found.size() > 1) {
                throw new TerminalError(TerminalError.REFUSED, "NetWorker knows " + found.size() + " VMs named '" + vm.name()
                        + "'; give the VM's uuid and vCenter");
            }
            if (found.size() == 1) {
                return new VmId(Wire.text(found.get(0), "vCenterHostname"), Wire.text(found.get(0), "uuid"));
            }
        }
        throw new TerminalError(TerminalError.UNKNOWN_VM, "NetWorker knows no VM " + (vm.uuid() != null ? "with uuid " + vm.uuid()
                : byMoref ? "with moref " + vm.moref() + " in vCenter " + vm.vcenter() : "named " + vm.name()));
    }

    /** Whether vCenter (as NetWorker sees it) lacks the VM: {@code GET {VC}/vms/{uuid}} answers 404. */
    private static boolean vmMissing(NetworkerClient c, VmId id) {
        return c.exchange("GET", c.resolve(vcPath(id.vCenter()) + "/vms/" + NetworkerClient.seg(id.uuid())), null).status() == 404;
    }

    private static TerminalError unknownVm(VmId id) {
        return new TerminalError(TerminalError.UNKNOWN_VM, "vCenter " + id.vCenter() + " (as NetWorker sees it) has no VM with uuid " + id.uuid());
    }

    private static NetworkerClient.Lookup vmLookup(VmId id) {
        return new NetworkerClient.Lookup(TerminalError.UNKNOWN_VM, "VM " + id.uuid() + " in vCenter " + id.vCenter());
    }

    private static String vcPath(String vCenter) {
        return "vmware/vcenters/" + NetworkerClient.seg(vCenter);
    }

    /** A 4xx that is a refusal of this request, not of the caller (401/403) nor a throttle (429) nor a miss (404). */
    private static boolean isPlainRefusal(NetworkerClient.Response r) {
        int s = r.status();
        return s >= 400 && s < 500 && s != 401 && s != 403 && s != 404 && s != 429;
    }

    // =================================================================================================================
    // Clients
    // =================================================================================================================

    private record TlsKey(String caBundlePem, boolean insecure) {}

    /** A client of the session's NetWorker with the NetWorker half of the credentials. */
    private NetworkerClient client(Session s) {
        Refs.Manager m = s.manager();
        HttpClient http = clients.computeIfAbsent(new TlsKey(m.caBundlePem(), m.insecureTls()),
                k -> NetworkerClient.httpClient(settings.connectTimeout(), k.caBundlePem(), k.insecure()));
        return new NetworkerClient(http, m.endpoint(), s.backupUser(settings.separator()), s.backupPassword(settings.separator()),
                settings.requestTimeout(), s.retry());
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
