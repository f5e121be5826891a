package dev.lifeboat.plugin.vmware;

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
import dev.lifeboat.plugin.vmware.SnapshotRefs.Action;
import dev.lifeboat.plugin.vmware.SnapshotRefs.JobRef;
import dev.lifeboat.plugin.vmware.SnapshotRefs.PointRef;
import dev.lifeboat.plugin.vmware.VimClient.Moref;
import dev.lifeboat.plugin.vmware.VimClient.SnapshotInfo;
import dev.lifeboat.plugin.vmware.VimClient.TaskInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Function;

/**
 * VMware snapshots as a Lifeboat backup system (manager type VMWARE_SNAPSHOT): a backup is a vCenter snapshot
 * (memory=false, quiesce=false), a restore reverts the VM to it in place. vCenter has no backup policies or schedules,
 * so Lifeboat schedules these backups itself (EventBridge Scheduler) and any policy code applies.
 *
 * <p>Each command reuses the manager's login kept while the Lambda is warm (or logs in), makes its few calls, and
 * retries those that only read within its deadline.
 * Snapshots are found by their name prefix {@value #NAME_PREFIX}, so results never list snapshots that people took
 * by hand. Refs: {@link SnapshotRefs}.
 */
public final class VmwareSnapshotPlugin implements BackupPlugin {
    /**
     * Every snapshot Lifeboat takes is named {@code lifeboat-<backup id>} ({@code lifeboat-<UTC time>} for a command
     * without a run); results sync lists only those.
     */
    public static final String NAME_PREFIX = "lifeboat-";
    public static final String SCHEDULED_BY_LIFEBOAT = "scheduled by Lifeboat (EventBridge Scheduler)";
    /** A task's error, as Results.Failure codes. */
    public static final String JOB_FAILED = "JOB_FAILED";
    public static final String JOB_CANCELLED = "JOB_CANCELLED";

    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String VM = "VirtualMachine";
    private static final String SNAPSHOT = "VirtualMachineSnapshot";
    private static final String TASK = "Task";

    private final VimClient vim;
    private final Clock clock;

    public VmwareSnapshotPlugin(VimClient.Config config, Clock clock) {
        this.vim = new VimClient(config);
        this.clock = clock;
    }

    public VmwareSnapshotPlugin(VimClient.Config config) {
        this(config, Clock.systemUTC());
    }

    public VmwareSnapshotPlugin() {
        this(VimClient.Config.DEFAULT);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.of(ManagerType.VMWARE_SNAPSHOT);
    }

    /** RetrieveServiceContent (vCenter's name and API version for the details), then Login. Never throws. */
    @Override
    public Results.Connection checkConnection(Session session) {
        long started = System.nanoTime();
        String product = null;
        try (VimClient.Session s = open(session)) {
            VimClient.About about = s.about();
            product = about.fullName() == null ? "vCenter" : about.fullName()
                    + (about.apiVersion() == null ? "" : " (API " + about.apiVersion() + ")");
            s.login();
            return new Results.Connection(true, true, millis(started), product + " at " + s.sdk() + ": logged in as "
                    + user(session));
        } catch (PluginError e) {
            boolean reachable = product != null;
            String details = (product == null ? "" : product + ": ") + e.getMessage();
            return new Results.Connection(reachable, false, millis(started), details);
        }
    }

    /**
     * vCenter has no backup policies: an empty list. It still logs in and reads the session back, so the API's
     * check of a manager's credentials behaves as for the other backup systems.
     */
    @Override
    public List<Results.ExternalPolicy> listPolicies(Session session) {
        return withSession(session, s -> {
            s.currentSession();
            return List.of();
        });
    }

    /** Nothing to set in vCenter (Lifeboat runs the schedule); the VM must exist, so a typo fails now, not at 2 am. */
    @Override
    public Results.Schedule applySchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        return withSession(session, s -> {
            findVm(s, vm);
            return new Results.Schedule(true, SCHEDULED_BY_LIFEBOAT);
        });
    }

    @Override
    public Results.Schedule removeSchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        return applySchedule(session, vm, policy);
    }

    /**
     * CreateSnapshot_Task; the job is vCenter's task (with the VM and the snapshot's name for the fallback). A backup's
     * snapshot is named after the backup ({@code lifeboat-<backup id>}), so a start retried after its answer was lost
     * finds the snapshot it took already in the VM's tree and adopts it instead of taking a second one.
     */
    @Override
    public Refs.Job startBackup(Session session, Refs.Vm vm, Refs.Policy policy) {
        return withSession(session, s -> {
            Moref vmRef = findVm(s, vm);
            Instant now = clock.instant();
            Refs.Run run = session.run();
            String name = NAME_PREFIX + (run != null ? run.id() : NAME_TIME.format(now));
            if (run != null) {
                Refs.Job adopted = adopt(s, vmRef, name, run);
                if (adopted != null) {
                    return adopted;
                }
            }
            String description = "Lifeboat backup" + (policy == null || policy.code() == null ? " now" : " (policy " + policy.code() + ")")
                    + " of " + vm.id() + " at " + now;
            Moref task;
            try {
                task = s.createSnapshot(vmRef, name, description);
            } catch (RetryableError lost) {
                // The answer may be lost after vCenter took the snapshot (vcsim 0.24.2 finishes the task before it answers).
                Refs.Job adopted = run == null ? null : adopt(s, vmRef, name, run);
                if (adopted == null) {
                    throw lost;
                }
                return adopted;
            }
            return new Refs.Job(Refs.Job.Kind.BACKUP, new JobRef(Action.BACKUP, vmRef.value(), task.value(), name).format(), now);
        });
    }

    /** Task part of the job of an adopted snapshot: its task is unknown, so polls read the VM's snapshot tree. */
    static final String NO_TASK = "none";

    /** The run's snapshot when the VM's tree has it already, as a job that polls find by name; else null. */
    private static Refs.Job adopt(VimClient.Session s, Moref vmRef, String name, Refs.Run run) {
        for (SnapshotInfo snap : s.snapshots(vmRef)) {
            if (name.equals(snap.name())) {
                return new Refs.Job(Refs.Job.Kind.BACKUP, new JobRef(Action.BACKUP, vmRef.value(), NO_TASK, name).format(), run.since());
            }
        }
        return null;
    }

    /** RevertToSnapshot_Task, in place only: vCenter snapshots live and die with their VM. */
    @Override
    public Refs.Job startRestore(Session session, Refs.Vm vm, Refs.RestorePoint restorePoint, Refs.RestoreMode mode) {
        if (mode == Refs.RestoreMode.NEW_VM) {
            throw new TerminalError(TerminalError.UNSUPPORTED, "a vCenter snapshot restores in place only: it cannot make a new VM");
        }
        if (!vm.allocated()) {
            throw new TerminalError(TerminalError.UNSUPPORTED, "VM " + vm.id() + " is not allocated: its snapshots went with it,"
                    + " a vCenter snapshot restores in place only");
        }
        PointRef point = SnapshotRefs.point(restorePoint.ref());
        return withSession(session, s -> {
            Moref vmRef = findVm(s, vm);
            requireSameVm(vm, vmRef, point);
            Moref task = s.revertToSnapshot(new Moref(SNAPSHOT, point.snapshot()));
            return new Refs.Job(Refs.Job.Kind.RESTORE, new JobRef(Action.RESTORE, vmRef.value(), task.value(), point.snapshot()).format(),
                    clock.instant());
        });
    }

    /**
     * Removes one Lifeboat snapshot (RemoveSnapshot_Task, removeChildren=false, consolidate=true), for expiry. Not in
     * {@link BackupPlugin} yet. The answer is a job that {@link #pollJob} follows like the others; the SPI's
     * {@code Job.Kind} has no removal, so it says BACKUP (a removal ends a backup's life) and the ref says
     * {@code remove/...}, which is what pollJob goes by.
     */
    public Refs.Job removeRestorePoint(Session session, Refs.Vm vm, Refs.RestorePoint restorePoint) {
        PointRef point = SnapshotRefs.point(restorePoint.ref());
        return withSession(session, s -> {
            Moref vmRef = findVm(s, vm);
            requireSameVm(vm, vmRef, point);
            Moref task = s.removeSnapshot(new Moref(SNAPSHOT, point.snapshot()));
            return new Refs.Job(Refs.Job.Kind.BACKUP, new JobRef(Action.REMOVE, vmRef.value(), task.value(), point.snapshot()).format(),
                    clock.instant());
        });
    }

    /**
     * One RetrievePropertiesEx of the task's info: queued/running → RUNNING, success → SUCCEEDED (a backup names its
     * snapshot, with the createTime from the VM's tree), error → FAILED with vCenter's localized message. When vCenter
     * no longer knows the task (it keeps finished tasks only for a while), the VM's snapshot tree says how it ended.
     */
    @Override
    public Results.JobStatus pollJob(Session session, Refs.Job job) {
        JobRef ref = SnapshotRefs.job(job.ref());
        return withSession(session, s -> {
            if (NO_TASK.equals(ref.task())) {
                return fromTree(s, job, ref, new TerminalError(TerminalError.UNKNOWN_JOB, "snapshot " + ref.snapshot() + " of VM " + ref.vm()
                        + " is no longer in its snapshot tree"));
            }
            TaskInfo info;
            try {
                info = s.taskInfo(new Moref(TASK, ref.task()));
            } catch (TerminalError e) {
                if (!e.code().equals(TerminalError.UNKNOWN_JOB)) {
                    throw e;
                }
                return fromTree(s, job, ref, e);
            }
            return status(s, job, ref, info);
        });
    }

    /** Package-private for the unit test of the queued/running branch, which vcsim 0.24.2 never shows. */
    Results.JobStatus status(VimClient.Session s, Refs.Job job, JobRef ref, TaskInfo info) {
        switch (info.state()) {
            case "queued", "running" -> {
                return new Results.JobStatus(job, Results.JobStatus.State.RUNNING, info.progress(), null, null);
            }
            case "success" -> {
                if (ref.action() != Action.BACKUP) {
                    return new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100, null, null);
                }
                if (info.result() == null) {
                    throw new TerminalError(TerminalError.REFUSED, "vCenter's task " + ref.task() + " succeeded without naming a snapshot");
                }
                Instant created = null;
                for (SnapshotInfo snap : s.snapshots(new Moref(VM, ref.vm()))) {
                    if (snap.snapshot().value().equals(info.result().value())) {
                        created = snap.createTime();
                    }
                }
                if (created == null) {
                    created = info.completeTime() != null ? info.completeTime() : clock.instant();
                }
                return new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100,
                        new Refs.RestorePoint(new PointRef(ref.vm(), info.result().value()).format(), created, null), null);
            }
            case "error" -> {
                String code = "RequestCanceled".equals(info.errorType()) ? JOB_CANCELLED : JOB_FAILED;
                String message = info.errorMessage() != null && !info.errorMessage().isBlank() ? info.errorMessage()
                        : info.errorType() != null ? info.errorType() : "the task failed without a message";
                return new Results.JobStatus(job, Results.JobStatus.State.FAILED, null, null,
                        new Results.Failure(code, "vCenter task " + ref.task() + " (" + describe(ref.action()) + ") failed: " + message));
            }
            default -> throw new TerminalError(TerminalError.REFUSED, "vCenter's task " + ref.task() + " is in an unknown state '"
                    + info.state() + "'");
        }
    }

    /** The task is gone: a backup succeeded if its snapshot is in the tree, a removal if its snapshot is not. */
    private Results.JobStatus fromTree(VimClient.Session s, Refs.Job job, JobRef ref, TerminalError taskGone) {
        if (ref.action() == Action.RESTORE) {
            throw taskGone; // a revert leaves nothing to look at
        }
        List<SnapshotInfo> tree = s.snapshots(new Moref(VM, ref.vm()));
        if (ref.action() == Action.BACKUP) {
            for (SnapshotInfo snap : tree) {
                if (ref.snapshot().equals(snap.name())) {
                    return new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100,
                            new Refs.RestorePoint(new PointRef(ref.vm(), snap.snapshot().value()).format(), snap.createTime(), null), null);
                }
            }
            throw taskGone;
        }
        boolean stillThere = tree.stream().anyMatch(snap -> snap.snapshot().value().equals(ref.snapshot()));
        if (stillThere) {
            throw taskGone;
        }
        return new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100, null, null);
    }

    /**
     * Each VM's snapshot tree: Lifeboat's snapshots (by name prefix) created at or after {@code since} (all when
     * null). A VM that cannot be read goes to {@code failures}, beside the others. Bad credentials or an unreachable
     * vCenter fail the whole call: no VM could be read.
     */
    @Override
    public Results.ResultList listResults(Session session, List<Refs.Vm> vms, Instant since) {
        return withSession(session, s -> listResults(s, vms, since));
    }

    private static Results.ResultList listResults(VimClient.Session s, List<Refs.Vm> vms, Instant since) {
        List<Results.BackupResult> results = new ArrayList<>();
        List<Results.VmFailure> failures = new ArrayList<>();
        for (Refs.Vm vm : vms) {
            try {
                Moref vmRef = findVm(s, vm);
                for (SnapshotInfo snap : s.snapshots(vmRef)) {
                    if (snap.name() == null || !snap.name().startsWith(NAME_PREFIX)) {
                        continue;
                    }
                    if (since != null && (snap.createTime() == null || snap.createTime().isBefore(since))) {
                        continue;
                    }
                    results.add(new Results.BackupResult(vm.id(), new PointRef(vmRef.value(), snap.snapshot().value()).format(),
                            Results.BackupResult.Status.SUCCESS, snap.createTime(), snap.createTime(), null));
                }
            } catch (PluginError e) {
                if (e.code().equals(TerminalError.BAD_CREDENTIALS) || e.code().equals(RetryableError.SESSION_EXPIRED)
                        || e.code().equals(RetryableError.UNREACHABLE) || e.code().equals(RetryableError.TIMEOUT)) {
                    throw e; // not this VM's problem: every other VM would fail the same way
                }
                failures.add(new Results.VmFailure(vm.id(), e.code(), e.detail()));
            }
        }
        return new Results.ResultList(results, failures);
    }

    /**
     * The snapshots Lifeboat took that vCenter holds for many VMs: one PropertyCollector retrieval
     * (RetrievePropertiesEx) of {@code config.instanceUuid} and {@code snapshot} of up to {@link #HELD_CHUNK} VMs by
     * moref. A VM whose moref vCenter does not answer, or answers with another instance uuid (a moref is reused after a
     * VM is removed), is located alone by uuid, as {@link #listResults} does.
     */
    @Override
    public Results.HeldPage listHeld(Session session, List<Refs.Vm> vms, String cursor) {
        return withSession(session, s -> HeldPages.page(vms, cursor, HELD_CHUNK, part -> held(s, part)));
    }

    static final int HELD_CHUNK = 64;
    private static final List<String> HELD_PATHS = List.of("config.instanceUuid", "snapshot");

    private static HeldPages.Listed held(VimClient.Session s, List<Refs.Vm> part) {
        Map<String, List<String>> refs = new LinkedHashMap<>();
        List<Results.VmFailure> failures = new ArrayList<>();
        Map<Moref, Refs.Vm> byMoref = new LinkedHashMap<>();
        List<Refs.Vm> alone = new ArrayList<>();
        for (Refs.Vm vm : part) {
            String m = moref(vm.moref());
            if (m == null) alone.add(vm); else byMoref.put(new Moref(VM, m), vm);
        }
        Map<Moref, Map<String, Xml.Node>> answered;
        try {
            answered = byMoref.isEmpty() ? Map.of() : s.nodes(new ArrayList<>(byMoref.keySet()), HELD_PATHS);
        } catch (TerminalError e) {
            if (!e.code().equals(TerminalError.UNKNOWN_VM)) throw e;
            answered = Map.of(); // one moref vCenter does not know failed the retrieval: each VM alone then
        }
        for (Map.Entry<Moref, Refs.Vm> e : byMoref.entrySet()) {
            Refs.Vm vm = e.getValue();
            Map<String, Xml.Node> vals = answered.get(e.getKey());
            Xml.Node uuidNode = vals == null ? null : vals.get("config.instanceUuid");
            String uuid = uuidNode == null || uuidNode.text().isBlank() ? null : uuidNode.text().strip();
            if (vals == null || (vm.uuid() != null && !vm.uuid().isBlank() && !vm.uuid().strip().equalsIgnoreCase(uuid))) {
                alone.add(vm);
                continue;
            }
            List<String> mine = new ArrayList<>();
            for (SnapshotInfo snap : VimClient.snapshots(vals.get("snapshot"))) {
                if (snap.name() != null && snap.name().startsWith(NAME_PREFIX)) mine.add(new PointRef(e.getKey().value(), snap.snapshot().value()).format());
            }
            refs.put(vm.id(), mine);
        }
        if (!alone.isEmpty()) {
            HeldPages.Listed one = HeldPages.of(alone, listResults(s, alone, null));
            refs.putAll(one.refs());
            failures.addAll(one.failures());
        }
        return new HeldPages.Listed(refs, failures);
    }

    /** Lifeboat's snapshots of the whole vCenter since a time, a page of VMs at a time (see {@link SnapshotResultPages}). */
    @Override
    public Results.ResultPage listResultPage(Session session, Instant since, String cursor) {
        return withSession(session, s -> SnapshotResultPages.page(s, since, cursor));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private <T> T withSession(Session session, Function<VimClient.Session, T> work) {
        try (VimClient.Session s = open(session)) {
            s.loginOrReuse();
            return work.apply(s);
        }
    }

    private VimClient.Session open(Session session) {
        if (session.manager().type() != ManagerType.VMWARE_SNAPSHOT) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the VMware snapshot plugin got a " + session.manager().type() + " manager");
        }
        return vim.open(session.manager(), user(session), session.password(), session.retry());
    }

    private static String user(Session session) {
        // VMWARE_SNAPSHOT managers hold only vCenter's credentials, whole; no separator splits them.
        String user = session.vcenterUser("\u0000");
        return user == null ? "" : user;
    }

    /**
     * The VM by its instance UUID (SearchIndex.FindByUuid), else by its moref (read back to prove it exists). The
     * instance UUID comes first: it survives a VM being re-registered, a moref does not.
     */
    static Moref findVm(VimClient.Session s, Refs.Vm vm) {
        if (vm.uuid() != null && !vm.uuid().isBlank()) {
            Moref found = s.findVmByInstanceUuid(vm.uuid().strip());
            if (found != null) {
                return found;
            }
        }
        String moref = moref(vm.moref());
        if (moref != null) {
            Moref ref = new Moref(VM, moref);
            try {
                s.properties(ref, "name");
                return ref;
            } catch (TerminalError e) {
                if (!e.code().equals(TerminalError.UNKNOWN_VM)) {
                    throw e;
                }
            }
        }
        throw new TerminalError(TerminalError.UNKNOWN_VM, "vCenter at " + s.sdk().getHost() + " has no VM " + vm.id()
                + " (instance UUID " + vm.uuid() + ", moref " + vm.moref() + ")");
    }

    /** Accepts {@code vm-57} and {@code VirtualMachine:vm-57}. */
    private static String moref(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip();
        return t.startsWith(VM + ":") ? t.substring(VM.length() + 1) : t;
    }

    private static void requireSameVm(Refs.Vm vm, Moref vmRef, PointRef point) {
        if (!point.vm().equals(vmRef.value())) {
            throw new TerminalError(TerminalError.UNKNOWN_RESTORE_POINT, "restore point " + point.format() + " is a snapshot of "
                    + point.vm() + ", not of VM " + vm.id() + " (" + vmRef.value() + ")");
        }
    }

    private static String describe(Action action) {
        return switch (action) {
            case BACKUP -> "snapshot";
            case RESTORE -> "revert to snapshot";
            case REMOVE -> "remove snapshot";
        };
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
