package dev.lifeboat.plugin.veeam;

import static dev.lifeboat.plugin.veeam.VeeamClient.encode;
import static dev.lifeboat.plugin.veeam.VeeamJson.field;
import static dev.lifeboat.plugin.veeam.VeeamJson.idOf;
import static dev.lifeboat.plugin.veeam.VeeamJson.integer;
import static dev.lifeboat.plugin.veeam.VeeamJson.items;
import static dev.lifeboat.plugin.veeam.VeeamJson.link;
import static dev.lifeboat.plugin.veeam.VeeamJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.Capabilities;
import dev.lifeboat.plugin.HeldPages;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.WarmSessions;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Lifeboat's plugin for Veeam Backup Enterprise Manager REST (backup-systems.md §1), JSON only. The logon session of a
 * manager is kept while the Lambda is warm ({@link WarmSessions}, 10 idle minutes, below EM's 15, §1.1) and reused by
 * the next commands; reads and logons are retried inside the command ({@link dev.lifeboat.plugin.TransientRetry}).
 *
 * <ul>
 *   <li>Policies are Veeam backup jobs matched by name ({@link JobNames}).</li>
 *   <li>Applying a schedule adds the VM to the job's includes; removing takes it out (§1.5). Veeam then runs the job on
 *       its own schedule.</li>
 *   <li>Backup now is a quick backup of the VM (§1.6); its job reference is the backup session's id, which any later
 *       logon session can read (§1.7, §1.8).</li>
 *   <li>Restore is in place only (§1.10): NEW_VM and VMs that are not allocated are {@code UNSUPPORTED}.</li>
 * </ul>
 */
public final class VeeamPlugin implements BackupPlugin {
    /** {@link Results.Failure} codes of jobs that ended Failed in Veeam. */
    public static final String BACKUP_FAILED = "BACKUP_FAILED";
    public static final String RESTORE_FAILED = "RESTORE_FAILED";

    /**
     * Prefix of a job reference whose Veeam session was not known yet when the start operation returned (its Task had
     * not finished within the deadline, or finished without a Related link): {@code pending:<HierarchyObjRef>:<VM name>},
     * both URL-encoded. {@link #pollJob} finds the session through the query service.
     */
    static final String PENDING = "pending:";
    /** Tolerance for clocks of Lambda and EM when a pending job's session is looked up by its creation time. */
    private static final Duration PENDING_SKEW = Duration.ofMinutes(2);
    /**
     * Tolerance for EM's clock when a retried start looks for the session it may have started already: sessions created
     * up to this long before the run began count as the run's, unless they ended before it began.
     */
    static final Duration ADOPT_SKEW = Duration.ofSeconds(10);
    /** Looks for the session of a start whose answer was lost, a second apart: EM makes it when the Task runs (§1.7). */
    private static final int ADOPT_LOOKS = 3;
    /** Idle time after which a kept logon session is not reused: below EM's 15 minutes (§1.1 [V]). */
    static final Duration WARM_IDLE = Duration.ofMinutes(10);
    private static final int PAGE_SIZE = 100;
    private static final int MAX_PAGES = 50;

    private final VeeamClient.Options options;
    private final Function<Refs.Manager, HttpClient> httpClients;
    private final Clock clock;
    private final WarmSessions<VeeamClient.Logon> warm;

    /** The Lambda's plugin: {@link VeeamClient.Options#defaults()}. */
    public VeeamPlugin() {
        this(VeeamClient.Options.defaults());
    }

    public VeeamPlugin(VeeamClient.Options options) {
        this(options, m -> HttpClients.forManager(m, options.requestTimeout()));
    }

    /** With the HTTP client to use per manager (tests wrap the JDK's to steer the simulator). */
    public VeeamPlugin(VeeamClient.Options options, Function<Refs.Manager, HttpClient> httpClients) {
        this(options, httpClients, Clock.systemUTC());
    }

    VeeamPlugin(VeeamClient.Options options, Function<Refs.Manager, HttpClient> httpClients, Clock clock) {
        this(options, httpClients, clock, true);
    }

    /** @param warmSessions keep logon sessions between commands (the Lambda's way); false logs on and off per command */
    VeeamPlugin(VeeamClient.Options options, Function<Refs.Manager, HttpClient> httpClients, Clock clock, boolean warmSessions) {
        this.options = Objects.requireNonNull(options);
        this.httpClients = Objects.requireNonNull(httpClients);
        this.clock = Objects.requireNonNull(clock);
        this.warm = warmSessions ? new WarmSessions<>(WARM_IDLE) : null;
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.of(ManagerType.VEEAM);
    }

    private VeeamClient open(Session session) {
        Refs.Manager m = session.manager();
        return new VeeamClient(httpClients.apply(m), m.endpoint(), m.user(), session.password(), options, session.retry(), warm,
                WarmSessions.Key.of(m, m.endpoint(), m.user()));
    }

    // ---- connection and policies ------------------------------------------------------------------------------

    /** Logon + {@code GET jobs} (§1.3 "test connection"); never throws, the answer says what went wrong. */
    @Override
    public Results.Connection checkConnection(Session session) {
        long start = System.nanoTime();
        boolean authenticated = false;
        try (VeeamClient c = open(session)) {
            c.logon();
            authenticated = true;
            List<JsonNode> jobs = items(c.get("jobs", TerminalError.REFUSED));
            long matchable = jobs.stream().filter(j -> JobNames.codeOf(text(j, "Name")).isPresent()).count();
            return new Results.Connection(true, true, millis(start), "Logged on to Veeam Backup Enterprise Manager at " + c.base() + " as '"
                    + session.manager().user() + "'; " + jobs.size() + " job(s) visible, " + matchable + " named by a policy code");
        } catch (TerminalError e) {
            // BAD_COMMAND: the endpoint is not a URL, nothing was reached.
            boolean reachable = !TerminalError.BAD_COMMAND.equals(e.code());
            return new Results.Connection(reachable, authenticated, millis(start), e.detail());
        } catch (RetryableError e) {
            boolean reachable = !(RetryableError.UNREACHABLE.equals(e.code()) || RetryableError.TIMEOUT.equals(e.code()));
            return new Results.Connection(reachable, authenticated, millis(start), e.detail());
        }
    }

    /** {@code GET jobs}: every job whose name carries a policy code ({@link JobNames}). */
    @Override
    public List<Results.ExternalPolicy> listPolicies(Session session) {
        try (VeeamClient c = open(session)) {
            List<Results.ExternalPolicy> out = new ArrayList<>();
            for (JsonNode j : items(c.get("jobs", TerminalError.REFUSED))) {
                String name = text(j, "Name");
                JobNames.codeOf(name).ifPresent(code -> out.add(new Results.ExternalPolicy(code, name, jobId(j))));
            }
            return out;
        }
    }

    // ---- schedules (job includes, §1.5) -------------------------------------------------------------------------

    @Override
    public Results.Schedule applySchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        try (VeeamClient c = open(session)) {
            Job job = findJob(c, policy.code());
            VmRef v = locate(c, vm);
            if (include(c, job, v.objRef(), null).isPresent()) {
                return new Results.Schedule(true, "VM " + v.name() + " is already in Veeam job '" + job.name() + "'");
            }
            ObjectNode spec = JsonNodeFactory.instance.objectNode().put("HierarchyObjRef", v.objRef()).put("HierarchyObjName", v.name());
            VeeamClient.Task t = c.awaitTask(c.post("jobs/" + encode(job.id()) + "/includes", spec, TerminalError.UNKNOWN_POLICY), "add include");
            if (!t.finished()) {
                throw new RetryableError(RetryableError.TIMEOUT, "Veeam accepted adding VM " + v.name() + " to job '" + job.name()
                        + "' but its task did not finish within " + options.taskDeadline().toSeconds() + " s; applying again is safe");
            }
            // A failed UpdateJob still counts when the VM is in the job now (added meanwhile by someone else).
            if (t.success() || include(c, job, v.objRef(), null).isPresent()) {
                return new Results.Schedule(true, "VM " + v.name() + " added to Veeam job '" + job.name() + "'");
            }
            throw new TerminalError(TerminalError.REFUSED, "Veeam did not add VM " + v.name() + " to job '" + job.name() + "': " + t.message());
        }
    }

    /**
     * Takes the VM out of the job. The VM is not looked up in vCenter first: it may be gone already (undeploy). The
     * include is found by the HierarchyObjRef built from the VM's vCenter and moref (§1.4 allows building it), or by
     * name when those are unknown. Not in the job: applied. Veeam refuses to remove a job's only object (§1.5): that is
     * {@code REFUSED} with Veeam's message, since emptying a job is a decision for the Veeam administrator.
     */
    @Override
    public Results.Schedule removeSchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        try (VeeamClient c = open(session)) {
            Job job = findJob(c, policy.code());
            String ref = builtRef(c, vm).orElse(null);
            List<JsonNode> includes = items(c.get(includesPath(job), TerminalError.UNKNOWN_POLICY));
            Optional<JsonNode> inc = include(includes, ref, ref == null ? vm.name() : null);
            String label = vm.name() != null ? vm.name() : vm.id();
            if (inc.isEmpty()) {
                return new Results.Schedule(true, "VM " + label + " is not in Veeam job '" + job.name() + "': nothing to remove");
            }
            String objectId = Optional.ofNullable(text(inc.get(), "ObjectInJobId")).orElseGet(() -> idOf(text(inc.get(), "Href")));
            VeeamClient.Response r = c.delete(includesPath(job) + "/" + encode(objectId), null);
            if (r.status() == 404) {
                return new Results.Schedule(true, "VM " + label + " was removed from Veeam job '" + job.name() + "' meanwhile");
            }
            VeeamClient.Task t = c.awaitTask(r, "remove include");
            if (!t.finished()) {
                throw new RetryableError(RetryableError.TIMEOUT, "Veeam accepted removing VM " + label + " from job '" + job.name()
                        + "' but its task did not finish within " + options.taskDeadline().toSeconds() + " s; removing again is safe");
            }
            if (t.success() || include(c, job, ref, ref == null ? vm.name() : null).isEmpty()) {
                return new Results.Schedule(true, "VM " + label + " removed from Veeam job '" + job.name() + "'");
            }
            String hint = includes.size() == 1 ? " (it is the job's only object, which Veeam does not let a job lose)" : "";
            throw new TerminalError(TerminalError.REFUSED, "Veeam did not remove VM " + label + " from job '" + job.name() + "': "
                    + t.message() + hint);
        }
    }

    // ---- backup and restore -------------------------------------------------------------------------------------

    /**
     * Quick backup of the VM (§1.6): {@code POST backupServers/{id}?action=quickbackup} → Task → its {@code Related}
     * BackupJobSession, whose id is the job reference. The backup server is the only one EM manages, or the one of the
     * policy's job ({@code Rel="Up" BackupServerReference}, CS-V {@code Job.getBackupServerId}).
     */
    @Override
    public Refs.Job startBackup(Session session, Refs.Vm vm, Refs.Policy policy) {
        try (VeeamClient c = open(session)) {
            VmRef v = locate(c, vm);
            Refs.Run run = session.run();
            Optional<String> adopted = run == null ? Optional.empty() : sessionSince(c, Refs.Job.Kind.BACKUP, v, run.since());
            if (adopted.isPresent()) {
                return new Refs.Job(Refs.Job.Kind.BACKUP, adopted.get(), run.since());
            }
            String server = backupServer(c, policy);
            Instant started = clock.instant();
            ObjectNode spec = JsonNodeFactory.instance.objectNode().put("VmRef", v.objRef());
            VeeamClient.Response accepted;
            try {
                accepted = c.post("backupServers/" + encode(server) + "?action=quickbackup", spec, TerminalError.REFUSED);
            } catch (RetryableError lost) {
                return adoptAfter(c, lost, Refs.Job.Kind.BACKUP, v, run);
            }
            VeeamClient.Task t = c.awaitTask(accepted, "quick backup");
            if (!t.finished()) {
                // The Task is visible to this logon session only (§1.7) and logging off may cancel it: leave the session
                // to time out and let pollJob find the backup session through the query service.
                c.keepSessionOpen();
                return new Refs.Job(Refs.Job.Kind.BACKUP, pending(v), started);
            }
            if (!t.success()) {
                throw new TerminalError(TerminalError.REFUSED, "Veeam did not start the quick backup of VM " + v.name() + ": " + t.message());
            }
            return new Refs.Job(Refs.Job.Kind.BACKUP, t.related("BackupJobSession").map(VeeamJson::idOf).orElse(pending(v)), started);
        }
    }

    /**
     * Restore in place (§1.10): {@code POST vmRestorePoints/{id}?action=restore} with
     * {@code PowerOnAfterRestore=false, QuickRollback=false} (a full restore; the VM stays off as in VD's example and
     * CS-V's empty body) → Task → {@code Related} RestoreSession. The point must be one of this VM's: restoring in
     * place writes over the point's own VM, so a point of another VM is refused.
     */
    @Override
    public Refs.Job startRestore(Session session, Refs.Vm vm, Refs.RestorePoint restorePoint, Refs.RestoreMode mode) {
        if (mode == Refs.RestoreMode.NEW_VM) {
            throw new TerminalError(TerminalError.UNSUPPORTED, "Veeam restores a VM to its original location only (EM REST takes no "
                    + "target for VMware restores); restore in place instead");
        }
        if (!vm.allocated()) {
            throw new TerminalError(TerminalError.UNSUPPORTED, "VM " + vm.id() + " is not allocated, and Veeam restores in place only");
        }
        String id = idOf(restorePoint.ref());
        if (id == null || id.isBlank()) {
            throw new TerminalError(TerminalError.UNKNOWN_RESTORE_POINT, "the restore point reference is empty");
        }
        try (VeeamClient c = open(session)) {
            JsonNode point = c.get("vmRestorePoints/" + encode(id) + "?format=Entity", TerminalError.UNKNOWN_RESTORE_POINT);
            String pointRef = text(point, "HierarchyObjRef");
            String pointVm = Optional.ofNullable(text(point, "VmDisplayName")).orElse(text(point, "VmName"));
            if (!belongsTo(pointRef, pointVm, vm)) {
                throw new TerminalError(TerminalError.REFUSED, "restore point " + id + " is a point of VM " + pointVm + " (" + pointRef
                        + "), not of VM " + vm.name());
            }
            ObjectNode spec = JsonNodeFactory.instance.objectNode();
            spec.putObject("VmRestoreSpec").put("PowerOnAfterRestore", false).put("QuickRollback", false);
            String action = link(point, "Restore", null).map(c::relative).orElse("vmRestorePoints/" + encode(id) + "?action=restore");
            VmRef v = new VmRef(pointRef != null ? pointRef : "", pointVm != null ? pointVm : vm.name());
            Refs.Run run = session.run();
            Optional<String> adopted = run == null ? Optional.empty() : sessionSince(c, Refs.Job.Kind.RESTORE, v, run.since());
            if (adopted.isPresent()) {
                return new Refs.Job(Refs.Job.Kind.RESTORE, adopted.get(), run.since());
            }
            Instant started = clock.instant();
            VeeamClient.Response accepted;
            try {
                accepted = c.post(action, spec, TerminalError.UNKNOWN_RESTORE_POINT);
            } catch (RetryableError lost) {
                return adoptAfter(c, lost, Refs.Job.Kind.RESTORE, v, run);
            }
            VeeamClient.Task t = c.awaitTask(accepted, "restore");
            if (!t.finished()) {
                c.keepSessionOpen();
                return new Refs.Job(Refs.Job.Kind.RESTORE, pending(v), started);
            }
            if (!t.success()) {
                throw new TerminalError(TerminalError.REFUSED, "Veeam did not start the restore of VM " + v.name() + ": " + t.message());
            }
            return new Refs.Job(Refs.Job.Kind.RESTORE, t.related("RestoreSession").map(VeeamJson::idOf).orElse(pending(v)), started);
        }
    }

    private static boolean belongsTo(String pointRef, String pointVm, Refs.Vm vm) {
        if (pointRef != null && vm.moref() != null) {
            return pointRef.toLowerCase(Locale.ROOT).endsWith("." + vm.moref().toLowerCase(Locale.ROOT));
        }
        if (pointVm != null && vm.name() != null) {
            return pointVm.equalsIgnoreCase(vm.name());
        }
        return true;
    }

    // ---- polling ------------------------------------------------------------------------------------------------

    @Override
    public Results.JobStatus pollJob(Session session, Refs.Job job) {
        try (VeeamClient c = open(session)) {
            Refs.Job j = job;
            if (job.ref().startsWith(PENDING)) {
                Optional<String> id = resolvePending(c, job);
                if (id.isEmpty()) {
                    return new Results.JobStatus(job, Results.JobStatus.State.RUNNING, 0, null, null);
                }
                j = new Refs.Job(job.kind(), id.get(), job.startedAt());
            }
            String id = idOf(j.ref());
            if (id == null || id.isBlank()) {
                throw new TerminalError(TerminalError.UNKNOWN_JOB, "the job reference is empty");
            }
            return j.kind() == Refs.Job.Kind.BACKUP ? pollBackup(c, j, id) : pollRestore(c, j, id);
        }
    }

    /**
     * {@code GET backupSessions/{id}?format=Entity} (§1.8): {@code Starting|Working|…} → RUNNING with Progress;
     * {@code Stopped} + {@code Success|Warning} → SUCCEEDED with the VM's new restore point (§1.9); {@code Stopped} +
     * {@code Failed} → FAILED with the per-VM task sessions' {@code Reason}.
     */
    private Results.JobStatus pollBackup(VeeamClient c, Refs.Job j, String id) {
        JsonNode s = c.get("backupSessions/" + encode(id) + "?format=Entity", TerminalError.UNKNOWN_JOB);
        String state = text(s, "State");
        String result = text(s, "Result");
        if (!"Stopped".equalsIgnoreCase(state)) {
            return running(j, integer(s, "Progress"));
        }
        if (succeeded(result)) {
            List<JsonNode> tasks = taskSessions(c, s, id);
            Optional<Refs.RestorePoint> point = restorePoint(c, s, tasks);
            // Stopped but no point listed yet: EM collects the data after the backup server (as OperationFinished
            // shows for tasks, §1.7); poll again.
            return point.map(p -> new Results.JobStatus(j, Results.JobStatus.State.SUCCEEDED, 100, p, null)).orElseGet(() -> running(j, 100));
        }
        if ("Failed".equalsIgnoreCase(result)) {
            Set<String> reasons = new LinkedHashSet<>();
            for (JsonNode t : taskSessions(c, s, id)) {
                String reason = text(t, "Reason");
                if (reason != null) reasons.add(Optional.ofNullable(text(t, "VmDisplayName")).map(n -> n + ": ").orElse("") + reason.strip());
            }
            String message = "Veeam backup session '" + text(s, "Name") + "' failed" + (reasons.isEmpty() ? " (Veeam gave no reason)" : ": "
                    + String.join("; ", reasons));
            return new Results.JobStatus(j, Results.JobStatus.State.FAILED, integer(s, "Progress"), null, new Results.Failure(BACKUP_FAILED, message));
        }
        if (result == null || "None".equalsIgnoreCase(result)) {
            return running(j, integer(s, "Progress")); // stopped, result not collected yet [U]
        }
        return new Results.JobStatus(j, Results.JobStatus.State.FAILED, integer(s, "Progress"), null,
                new Results.Failure(BACKUP_FAILED, "Veeam backup session '" + text(s, "Name") + "' ended with result " + result));
    }

    /** {@code GET restoreSessions/{id}?format=Entity} (§1.10): State and Result as for backups; no restore point. */
    private Results.JobStatus pollRestore(VeeamClient c, Refs.Job j, String id) {
        JsonNode r = c.get("restoreSessions/" + encode(id) + "?format=Entity", TerminalError.UNKNOWN_JOB);
        String state = text(r, "State");
        String result = text(r, "Result");
        if (!"Stopped".equalsIgnoreCase(state) || result == null || "None".equalsIgnoreCase(result)) {
            return running(j, integer(r, "Progress"));
        }
        if (succeeded(result)) {
            return new Results.JobStatus(j, Results.JobStatus.State.SUCCEEDED, 100, null, null);
        }
        // The RestoreSession's documented fields carry no reason (§1.10); take one if a version sends it [U].
        String reason = Optional.ofNullable(text(r, "Reason")).orElse(text(r, "Description"));
        String message = "Veeam restore session '" + text(r, "Name") + "' of VM " + text(r, "VmDisplayName") + " ended " + result
                + (reason == null ? "" : ": " + reason);
        return new Results.JobStatus(j, Results.JobStatus.State.FAILED, integer(r, "Progress"), null, new Results.Failure(RESTORE_FAILED, message));
    }

    private static Results.JobStatus running(Refs.Job j, Integer progress) {
        return new Results.JobStatus(j, Results.JobStatus.State.RUNNING, progress == null ? 0 : Math.max(0, Math.min(100, progress)), null, null);
    }

    private static boolean succeeded(String result) {
        return "Success".equalsIgnoreCase(result) || "Warning".equalsIgnoreCase(result);
    }

    /** The per-VM task sessions of a backup session, as entities ({@code Down BackupTaskSessionReferenceList}). */
    private List<JsonNode> taskSessions(VeeamClient c, JsonNode session, String id) {
        String path = link(session, "Down", "BackupTaskSessionReferenceList").map(c::relative).orElse("backupSessions/" + encode(id) + "/taskSessions");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode t : items(c.get(entity(path), TerminalError.UNKNOWN_JOB))) {
            // ?format=Entity on a collection gives entities [V, §1.2]; a reference is fetched whole, to be tolerant.
            String href = text(t, "Href");
            boolean reference = text(t, "State") == null && text(t, "Result") == null && href != null;
            out.add(reference ? c.get(entity(c.relative(href)), TerminalError.UNKNOWN_JOB) : t);
        }
        return out;
    }

    /**
     * The VM restore point a successful session made: the task session's {@code Related} VmRestorePoint link (the
     * simulator sends it), else the session's {@code Down RestorePointReference} and its VM points (§1.8).
     */
    private Optional<Refs.RestorePoint> restorePoint(VeeamClient c, JsonNode session, List<JsonNode> tasks) {
        for (JsonNode t : tasks) {
            Optional<String> related = link(t, "Related", "VmRestorePoint");
            if (related.isEmpty()) continue;
            VeeamClient.Response r = c.call("GET", entity(c.relative(related.get())), null, null);
            if (r.status() != 404) return Optional.of(point(r.body(), t));
        }
        Optional<String> rp = link(session, "Down", "RestorePointReference");
        if (rp.isEmpty()) return Optional.empty();
        String path = c.relative(rp.get());
        int q = path.indexOf('?');
        List<JsonNode> points = items(c.get(entity((q < 0 ? path : path.substring(0, q)) + "/vmRestorePoints"), TerminalError.UNKNOWN_JOB));
        for (JsonNode t : tasks) {
            String vmRef = text(t, "VmUid");
            String vmName = text(t, "VmDisplayName");
            for (JsonNode p : points) {
                boolean same = vmRef != null && vmRef.equalsIgnoreCase(text(p, "HierarchyObjRef"))
                        || vmName != null && vmName.equalsIgnoreCase(Optional.ofNullable(text(p, "VmDisplayName")).orElse(text(p, "VmName")));
                if (same) return Optional.of(point(p, t));
            }
        }
        return points.size() == 1 ? Optional.of(point(points.get(0), tasks.isEmpty() ? null : tasks.get(0))) : Optional.empty();
    }

    /**
     * A VM restore point as Lifeboat names it: its id (the UID's last part, §1.9), CreationTimeUTC, and the task
     * session's TotalSize when positive (VD: "size of all restore points produced"; its exact meaning is [U]).
     */
    private static Refs.RestorePoint point(JsonNode p, JsonNode taskSession) {
        Long size = taskSession == null ? null : VeeamJson.longValue(taskSession, "TotalSize");
        return new Refs.RestorePoint(pointId(p), VeeamJson.instant(p, "CreationTimeUTC"), size != null && size > 0 ? size : null);
    }

    static String pointId(JsonNode p) {
        return idOf(Optional.ofNullable(text(p, "UID")).orElse(text(p, "Href")));
    }

    /**
     * The session of a pending job, through the query service (§1.3): the newest BackupTaskSession of the VM (then its
     * {@code JobSessionUid}) or RestoreSession of the VM created since the start [V, VD {@code get_query_backuptasksession},
     * {@code get_query_restoresession}: VmDisplayName and CreationTime are query fields].
     */
    private Optional<String> resolvePending(VeeamClient c, Refs.Job job) {
        String[] parts = job.ref().substring(PENDING.length()).split(":", 2);
        String objRef = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
        String name = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
        Instant from = job.startedAt() == null ? null : job.startedAt().minus(PENDING_SKEW);
        return findSession(c, job.kind(), objRef, name, from, null);
    }

    /**
     * The VM's backup (or restore) session that a run began already: created since the run began (less
     * {@link #ADOPT_SKEW}) and not ended before it. Veeam's quick backup and restore take no name or tag of ours (§1.6,
     * §1.10), so time and VM are all a retried start can go by; Lifeboat runs one backup or restore per VM at a time.
     */
    private Optional<String> sessionSince(VeeamClient c, Refs.Job.Kind kind, VmRef v, Instant since) {
        return findSession(c, kind, v.objRef(), v.name(), since.minus(ADOPT_SKEW), since);
    }

    /**
     * A start whose answer was lost (the connection broke after the request went out, or EM failed it with a 5xx):
     * EM may have started the work all the same. Looks a few times for the session (EM makes it when the Task runs)
     * and adopts it; otherwise the failure goes back to the workflow, whose retry looks again before starting anew.
     */
    private Refs.Job adoptAfter(VeeamClient c, RetryableError lost, Refs.Job.Kind kind, VmRef v, Refs.Run run) {
        if (run == null) throw lost;
        for (int look = 0; look < ADOPT_LOOKS; look++) {
            try {
                Optional<String> adopted = sessionSince(c, kind, v, run.since());
                if (adopted.isPresent()) return new Refs.Job(kind, adopted.get(), run.since());
            } catch (RetryableError stillFailing) {
                // the lookup failed too: the workflow's retry looks again
            }
            if (look + 1 < ADOPT_LOOKS) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw lost;
                }
            }
        }
        throw lost;
    }

    private Optional<String> findSession(VeeamClient c, Refs.Job.Kind kind, String objRef, String name, Instant from, Instant notEndedBefore) {
        boolean backup = kind == Refs.Job.Kind.BACKUP;
        String filter = "VmDisplayName==" + quote(name) + (from == null ? "" : ";CreationTime>=" + from);
        String type = backup ? "BackupTaskSession" : "RestoreSession";
        JsonNode doc = c.get("query?type=" + type + "&format=Entities&sortDesc=CreationTime&pageSize=20&filter=" + encode(filter),
                TerminalError.REFUSED);
        for (JsonNode s : items(doc)) {
            Instant created = VeeamJson.instant(s, "CreationTimeUTC");
            if (from != null && created != null && created.isBefore(from)) continue;
            Instant ended = VeeamJson.instant(s, "EndTimeUTC");
            // EM writes an unset end as a date before the creation (1900-01-01); such a session is still running.
            if (notEndedBefore != null && ended != null && created != null && !ended.isBefore(created) && ended.isBefore(notEndedBefore)) continue;
            String vmRef = text(s, backup ? "VmUid" : "RestoredObjRef");
            if (vmRef != null && !objRef.isEmpty() && !vmRef.equalsIgnoreCase(objRef)) continue;
            if (!backup) return Optional.ofNullable(idOf(Optional.ofNullable(text(s, "UID")).orElse(text(s, "Href"))));
            String session = Optional.ofNullable(text(s, "JobSessionUid")).orElseGet(() -> link(s, "Up", "BackupJobSessionReference").orElse(null));
            if (session != null) return Optional.of(idOf(session));
        }
        return Optional.empty();
    }

    private static String pending(VmRef v) {
        return PENDING + encode(v.objRef()) + ":" + encode(v.name() == null ? "" : v.name());
    }

    // ---- results sync -------------------------------------------------------------------------------------------

    /**
     * Per VM: the VM's restore points since {@code since} through the query service (§1.3, §1.9):
     * {@code query?type=VmRestorePoint&format=Entities&filter=VmDisplayName=="…";CreationTime>=…&sortDesc=CreationTime},
     * paged, then narrowed to the VM's HierarchyObjRef (names are not unique across vCenters). A VM that fails is a
     * {@link Results.VmFailure}; failures of the whole manager (credentials, rights, unreachable, timeout, expired
     * session) end the call instead, as every other VM would fail the same way.
     */
    @Override
    public Results.ResultList listResults(Session session, List<Refs.Vm> vms, Instant since) {
        List<Results.BackupResult> results = new ArrayList<>();
        List<Results.VmFailure> failures = new ArrayList<>();
        try (VeeamClient c = open(session)) {
            for (Refs.Vm vm : vms) {
                try {
                    VmRef v = locate(c, vm);
                    for (JsonNode p : points(c, v, since)) {
                        Instant created = VeeamJson.instant(p, "CreationTimeUTC");
                        // A VM restore point has one time, when its processing began (§1.9): it is the start and the end.
                        results.add(new Results.BackupResult(vm.id(), pointId(p), Results.BackupResult.Status.SUCCESS, created, created, null));
                    }
                } catch (PluginError e) {
                    if (managerWide(e)) throw e;
                    failures.add(new Results.VmFailure(vm.id(), e.code(), e.detail()));
                }
            }
        }
        return new Results.ResultList(results, failures);
    }

    @Override
    public Results.ResultPage listResultPage(Session session, Instant since, String cursor) {
        try (VeeamClient c = open(session)) {
            return VeeamResultPages.page(c, since, cursor, session.manager().endpoint() + "|" + session.manager().user());
        }
    }

    /**
     * The references Veeam holds for many VMs: one query-service request for up to {@link #HELD_CHUNK} VMs,
     * {@code query?type=VmRestorePoint&format=Entities&filter=VmDisplayName=="a",VmDisplayName=="b",…} (a {@code ,}
     * joins conditions with OR, §1.3 [V, VD {@code filter}]), paged, each point matched back to its VM by
     * {@code HierarchyObjRef} {@code urn:VMware:Vm:<rootId>.<moref>} (names are not unique across vCenters, §1.4). Every
     * point counts, ready or not: a point still held is never expired. A VM without a moref is located alone, as
     * {@link #listResults} does. The hierarchy roots are kept while the Lambda is warm ({@link #HELD_ROOTS_TTL}).
     */
    @Override
    public Results.HeldPage listHeld(Session session, List<Refs.Vm> vms, String cursor) {
        try (VeeamClient c = open(session)) {
            return HeldPages.page(vms, cursor, HELD_CHUNK, part -> held(c, session, part));
        }
    }

    /** VMs per OR filter: the query string stays about 1 KB, and a page of the answer holds their points. */
    static final int HELD_CHUNK = 32;
    static final int HELD_QUERY_PAGE = 500;
    /** Characters of one encoded OR filter at most: 32 plain names take about 1,300. */
    static final int HELD_FILTER_CHARS = 2_000;
    static final Duration HELD_ROOTS_TTL = Duration.ofMinutes(10);
    private final java.util.concurrent.ConcurrentHashMap<String, HeldRoots> heldRoots = new java.util.concurrent.ConcurrentHashMap<>();

    private record HeldRoots(List<JsonNode> roots, Instant read) {}

    private HeldPages.Listed held(VeeamClient c, Session session, List<Refs.Vm> part) {
        java.util.Map<String, List<String>> refs = new java.util.LinkedHashMap<>();
        List<Results.VmFailure> failures = new ArrayList<>();
        java.util.Map<String, String> vmByObjRef = new java.util.HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        List<Refs.Vm> alone = new ArrayList<>();
        for (Refs.Vm vm : part) {
            if (vm.moref() == null || vm.moref().isBlank() || vm.name() == null || vm.name().isBlank()) {
                alone.add(vm);
                continue;
            }
            try {
                vmByObjRef.put(("urn:VMware:Vm:" + heldRootId(c, session, vm) + "." + vm.moref()).toLowerCase(Locale.ROOT), vm.id());
                refs.put(vm.id(), new ArrayList<>());
                names.add("VmDisplayName==" + quote(vm.name()));
            } catch (PluginError e) {
                if (managerWide(e)) throw e;
                failures.add(new Results.VmFailure(vm.id(), e.code(), e.detail()));
            }
        }
        // One request per filter of at most HELD_FILTER_CHARS once encoded (long or non-ASCII names make more of them):
        // a URL stays within what HTTP servers take.
        List<String> filters = new ArrayList<>();
        StringBuilder filter = new StringBuilder();
        for (String term : names) {
            if (filter.length() > 0 && encode(filter + "," + term).length() > HELD_FILTER_CHARS) {
                filters.add(filter.toString());
                filter.setLength(0);
            }
            filter.append(filter.length() > 0 ? "," : "").append(term);
        }
        if (filter.length() > 0) filters.add(filter.toString());
        for (String f : filters) {
            String query = "query?type=VmRestorePoint&format=Entities&sortAsc=CreationTime&pageSize=" + HELD_QUERY_PAGE + "&filter=" + encode(f);
            JsonNode first = c.get(query + "&page=1", TerminalError.REFUSED);
            heldPoints(first, vmByObjRef, refs);
            Integer counted = integer(field(first, "PagingInfo"), "PagesCount");
            int pages = counted == null ? (items(first).size() < HELD_QUERY_PAGE ? 1 : MAX_PAGES + 1) : counted;
            if (pages > MAX_PAGES) {
                // Not all points can be read: no VM of this filter may be compared (a point not read would expire).
                for (String vm : refs.keySet()) failures.add(new Results.VmFailure(vm, HeldPages.TOO_MANY_RESTORE_POINTS,
                        "Veeam answered more than " + MAX_PAGES * HELD_QUERY_PAGE + " restore points for " + names.size() + " VMs"));
                refs.clear();
                return new HeldPages.Listed(refs, failures);
            }
            // Pages are offsets into a list that retention may shorten while we read: a point deleted from an early page
            // moves every later point one place forward, and the first point of the next page would slip into a page
            // already read, missed and then wrongly expired. Read from the last page down, then page 1 again: a deletion
            // can then only move a point into a page still to be read (read twice at worst, never missed). Points
            // created meanwhile go to the end (sortAsc=CreationTime) and are newer than anything Lifeboat expires.
            for (int page = pages; page >= 2; page--) {
                heldPoints(c.get(query + "&page=" + page, TerminalError.REFUSED), vmByObjRef, refs);
            }
            if (pages > 1) {
                heldPoints(c.get(query + "&page=1", TerminalError.REFUSED), vmByObjRef, refs);
            }
        }
        // A VM the filter found no point of (renamed since its points were made, or without any) is located alone, as
        // listResults does: a point the name missed is never expired.
        for (Refs.Vm vm : part) {
            List<String> mine = refs.get(vm.id());
            if (mine != null && mine.isEmpty()) {
                refs.remove(vm.id());
                alone.add(vm);
            }
        }
        if (!alone.isEmpty()) {
            HeldPages.Listed one = HeldPages.of(alone, listResults(session, alone, null));
            refs.putAll(one.refs());
            failures.addAll(one.failures());
        }
        return new HeldPages.Listed(refs, failures);
    }

    private static void heldPoints(JsonNode doc, java.util.Map<String, String> vmByObjRef, java.util.Map<String, List<String>> refs) {
        for (JsonNode p : items(doc)) {
            String objRef = text(p, "HierarchyObjRef");
            String vm = objRef == null ? null : vmByObjRef.get(objRef.toLowerCase(Locale.ROOT));
            if (vm != null && !refs.get(vm).contains(pointId(p))) refs.get(vm).add(pointId(p));
        }
    }

    /** As {@link #rootId}, from the roots read at most {@link #HELD_ROOTS_TTL} ago; a vCenter not among them reads them again. */
    private String heldRootId(VeeamClient c, Session session, Refs.Vm vm) {
        String key = session.manager().endpoint() + "|" + session.manager().user();
        HeldRoots cached = heldRoots.get(key);
        String vc = host(vm.vcenter());
        if (cached != null && cached.read().plus(HELD_ROOTS_TTL).isAfter(clock.instant())) {
            if (vc == null && cached.roots().size() == 1) return rootIdOf(cached.roots().get(0));
            for (JsonNode r : cached.roots()) {
                if (vc != null && sameHost(vc, text(r, "Name"))) return rootIdOf(r);
            }
        }
        List<JsonNode> roots = items(c.get("hierarchyRoots", TerminalError.REFUSED));
        heldRoots.put(key, new HeldRoots(roots, clock.instant()));
        return rootIdAmong(roots, vm);
    }

    private static boolean managerWide(PluginError e) {
        return switch (e.code()) {
            case TerminalError.BAD_CREDENTIALS, TerminalError.FORBIDDEN, RetryableError.UNREACHABLE, RetryableError.TIMEOUT,
                 RetryableError.SESSION_EXPIRED -> true;
            default -> false;
        };
    }

    private List<JsonNode> points(VeeamClient c, VmRef v, Instant since) {
        // CreationTime "accepts only UTC-formatted DateTime values, for example: 2025-08-14T12:31:30.389954Z" [V, VD
        // get_query_restoresession]: Instant.toString() writes exactly that form.
        String filter = "VmDisplayName==" + quote(v.name()) + (since == null ? "" : ";CreationTime>=" + since);
        List<JsonNode> out = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            JsonNode doc = c.get("query?type=VmRestorePoint&format=Entities&sortDesc=CreationTime&pageSize=" + PAGE_SIZE + "&page=" + page
                    + "&filter=" + encode(filter), TerminalError.REFUSED);
            List<JsonNode> batch = items(doc);
            for (JsonNode p : batch) {
                String ref = text(p, "HierarchyObjRef");
                if (ref != null && !ref.equalsIgnoreCase(v.objRef())) continue;
                Instant created = VeeamJson.instant(p, "CreationTimeUTC");
                if (since != null && created != null && created.isBefore(since)) continue;
                if (!ready(p)) continue;
                out.add(p);
            }
            Integer pages = integer(field(doc, "PagingInfo"), "PagesCount");
            if (batch.size() < PAGE_SIZE || (pages != null && page >= pages)) break;
        }
        return out;
    }

    /** CS-V skips a point whose BackupFileReference or RestorePointReference link is not {@code Rel="Up"}: "not ready" [C, §1.9]. */
    static boolean ready(JsonNode p) {
        for (JsonNode l : VeeamJson.links(p)) {
            String type = text(l, "Type");
            if (("BackupFileReference".equalsIgnoreCase(type) || "RestorePointReference".equalsIgnoreCase(type)) && !"Up".equalsIgnoreCase(text(l, "Rel"))) {
                return false;
            }
        }
        return true;
    }

    // ---- jobs, VMs, servers -------------------------------------------------------------------------------------

    private record Job(String id, String name, JsonNode doc) {}

    /** A VM as Veeam names it: HierarchyObjRef {@code urn:VMware:Vm:<rootId>.<moref>} (§1.4) and its name. */
    private record VmRef(String objRef, String name) {}

    /** The one job whose name carries {@code code} ({@link JobNames}). */
    private Job findJob(VeeamClient c, String code) {
        List<JsonNode> jobs = items(c.get("jobs", TerminalError.REFUSED));
        List<JsonNode> matching = jobs.stream().filter(j -> JobNames.matches(code, text(j, "Name"))).toList();
        if (matching.isEmpty()) {
            throw new TerminalError(TerminalError.UNKNOWN_POLICY, "no Veeam job is named '" + code + "' or '" + code + " …' (jobs: "
                    + jobs.stream().map(j -> text(j, "Name")).collect(Collectors.joining(", ")) + ")");
        }
        if (matching.size() > 1) {
            throw new TerminalError(TerminalError.REFUSED, "several Veeam jobs carry policy code '" + code + "': "
                    + matching.stream().map(j -> text(j, "Name")).collect(Collectors.joining(", ")) + "; rename all but one");
        }
        JsonNode j = matching.get(0);
        return new Job(jobId(j), text(j, "Name"), j);
    }

    private static String jobId(JsonNode j) {
        return idOf(Optional.ofNullable(text(j, "UID")).orElse(text(j, "Href")));
    }

    private static String includesPath(Job job) {
        return "jobs/" + encode(job.id()) + "/includes";
    }

    private Optional<JsonNode> include(VeeamClient c, Job job, String objRef, String name) {
        return include(items(c.get(includesPath(job), TerminalError.UNKNOWN_POLICY)), objRef, name);
    }

    /** The job's object for this HierarchyObjRef (children of ObjectInJob, §1.5 [V]), or, without a ref, this name. */
    private static Optional<JsonNode> include(List<JsonNode> includes, String objRef, String name) {
        for (JsonNode i : includes) {
            if (objRef != null && objRef.equalsIgnoreCase(text(i, "HierarchyObjRef"))) return Optional.of(i);
            if (objRef == null && name != null && (name.equalsIgnoreCase(text(i, "Name")) || name.equalsIgnoreCase(text(i, "DisplayName")))) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /**
     * Finds the VM in Veeam's view of vCenter (§1.4): the hierarchy root named by the VM's vCenter, then
     * {@code lookup?host=<root UID>&name=<vm>&type=Vm} (the item with the VM's moref when it has one); failing that, the
     * HierarchyObjRef built client-side from root and moref, confirmed by {@code lookup?hierarchyRef=…} (archived 9.5
     * docs, {@code get_lookupsvc}). Not found: UNKNOWN_VM.
     */
    private VmRef locate(VeeamClient c, Refs.Vm vm) {
        String rootId = rootId(c, vm);
        String host = encode("urn:veeam:HierarchyRoot:" + rootId);
        if (vm.name() != null && !vm.name().isBlank()) {
            List<JsonNode> found = items(c.get("lookup?host=" + host + "&name=" + encode(vm.name()) + "&type=Vm", TerminalError.UNKNOWN_VM));
            List<JsonNode> vms = found.stream().filter(i -> text(i, "ObjectRef") != null).toList();
            if (vm.moref() != null) {
                for (JsonNode i : vms) {
                    if (text(i, "ObjectRef").toLowerCase(Locale.ROOT).endsWith("." + vm.moref().toLowerCase(Locale.ROOT))) {
                        return new VmRef(text(i, "ObjectRef"), Optional.ofNullable(text(i, "ObjectName")).orElse(vm.name()));
                    }
                }
            } else if (vms.size() == 1) {
                return new VmRef(text(vms.get(0), "ObjectRef"), Optional.ofNullable(text(vms.get(0), "ObjectName")).orElse(vm.name()));
            } else if (vms.size() > 1) {
                throw new TerminalError(TerminalError.REFUSED, "vCenter " + vm.vcenter() + " has " + vms.size() + " VMs named " + vm.name()
                        + " and the command gives no moref to choose");
            }
        }
        if (vm.moref() != null && !vm.moref().isBlank()) {
            String ref = "urn:VMware:Vm:" + rootId + "." + vm.moref();
            List<JsonNode> found = items(c.get("lookup?hierarchyRef=" + encode(ref), TerminalError.UNKNOWN_VM));
            for (JsonNode i : found) {
                String r = text(i, "ObjectRef");
                if (r != null) return new VmRef(r, Optional.ofNullable(text(i, "ObjectName")).orElse(vm.name() != null ? vm.name() : vm.moref()));
            }
        }
        throw new TerminalError(TerminalError.UNKNOWN_VM, "Veeam does not know VM " + vm.name() + " (" + vm.moref() + ") in vCenter " + vm.vcenter());
    }

    /** The HierarchyObjRef of the VM built from its vCenter's root and its moref, when both are known (§1.4). */
    private Optional<String> builtRef(VeeamClient c, Refs.Vm vm) {
        if (vm.moref() == null || vm.moref().isBlank()) return Optional.empty();
        try {
            return Optional.of("urn:VMware:Vm:" + rootId(c, vm) + "." + vm.moref());
        } catch (TerminalError e) {
            if (TerminalError.UNKNOWN_VM.equals(e.code())) return Optional.empty();
            throw e;
        }
    }

    /** The id of the hierarchy root whose Name is the VM's vCenter host ({@code GET hierarchyRoots}, §1.4). */
    private String rootId(VeeamClient c, Refs.Vm vm) {
        return rootIdAmong(items(c.get("hierarchyRoots", TerminalError.REFUSED)), vm);
    }

    private String rootIdAmong(List<JsonNode> roots, Refs.Vm vm) {
        String vc = host(vm.vcenter());
        if (vc == null) {
            if (roots.size() == 1) return rootIdOf(roots.get(0));
            throw new TerminalError(TerminalError.UNKNOWN_VM, "VM " + vm.name() + " names no vCenter, and Veeam knows " + roots.size());
        }
        for (JsonNode r : roots) {
            if (sameHost(vc, text(r, "Name"))) return rootIdOf(r);
        }
        throw new TerminalError(TerminalError.UNKNOWN_VM, "vCenter " + vc + " of VM " + vm.name() + " is not among Veeam's hierarchy roots ("
                + roots.stream().map(r -> text(r, "Name")).collect(Collectors.joining(", ")) + ")");
    }

    private static String rootIdOf(JsonNode root) {
        return idOf(Optional.ofNullable(text(root, "UID")).orElse(text(root, "Href")));
    }

    /** A vCenter given as host or URL ({@code https://vc1.local/sdk}) → host. */
    private static String host(String vcenter) {
        if (vcenter == null || vcenter.isBlank()) return null;
        String v = vcenter.strip();
        if (v.contains("://")) {
            try {
                String h = URI.create(v).getHost();
                if (h != null) return h;
            } catch (IllegalArgumentException ignored) {
                // not a URL: the text is the host
            }
        }
        return v;
    }

    /** Equal ignoring case, or the same first DNS label when one side is a short name ({@code vc1} and {@code vc1.local}). */
    private static boolean sameHost(String a, String b) {
        if (a == null || b == null) return false;
        if (a.equalsIgnoreCase(b)) return true;
        boolean aShort = a.indexOf('.') < 0;
        boolean bShort = b.indexOf('.') < 0;
        if (aShort == bShort) return false;
        String la = aShort ? a : a.substring(0, a.indexOf('.'));
        String lb = bShort ? b : b.substring(0, b.indexOf('.'));
        return la.equalsIgnoreCase(lb);
    }

    private String backupServer(VeeamClient c, Refs.Policy policy) {
        List<JsonNode> servers = items(c.get("backupServers", TerminalError.REFUSED));
        if (servers.size() == 1) return idOf(Optional.ofNullable(text(servers.get(0), "UID")).orElse(text(servers.get(0), "Href")));
        if (servers.isEmpty()) throw new TerminalError(TerminalError.REFUSED, "Veeam Enterprise Manager manages no backup server");
        if (policy == null) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "Veeam Enterprise Manager manages " + servers.size()
                    + " backup servers; the command needs the policy to choose the one of its job");
        }
        Job job = findJob(c, policy.code());
        return link(job.doc(), "Up", "BackupServerReference").map(VeeamJson::idOf).orElseThrow(() -> new TerminalError(TerminalError.REFUSED,
                "Veeam job '" + job.name() + "' names no backup server"));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** A filter string value: in double quotes, a literal quote doubled (§1.3 [V]). */
    static String quote(String value) {
        return "\"" + (value == null ? "" : value.replace("\"", "\"\"")) + "\"";
    }

    private static String entity(String path) {
        return path.toLowerCase(Locale.ROOT).contains("format=") ? path : path + (path.contains("?") ? "&" : "?") + "format=Entity";
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
