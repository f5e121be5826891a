package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.events.EventPublisher.StateChangeEvent;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ManagerRepository;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.PolicyRepository;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmRepository;
import dev.lifeboat.domain.vm.VmState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The workflow side of backups and restores: what the backup-lifecycle and multi-restore workflows record at each
 * step, with the state-change event of every status change. Every step may run again (Step Functions retries a task
 * whose answer was lost), so each one accepts the state it would have left and publishes its event again rather than
 * fail: an event may be seen twice, never missed. A write that meets another (a {@code StoreConflict}) is left to the
 * caller, which runs the step again on fresh state.
 */
public final class BackupLifecycle {
    private final VmRepository vms;
    private final BackupRepository backups;
    private final ManagerRepository managers;
    private final PolicyRepository policies;
    private final EventPublisher events;
    private final Clock clock;
    private final Supplier<String> ids;
    private final Map<ManagerType, Duration> timeouts;

    /** @param timeouts how long a backup or restore of each manager type may run before it is FAILED with TIMEOUT */
    public BackupLifecycle(VmRepository vms, BackupRepository backups, ManagerRepository managers, PolicyRepository policies,
                           EventPublisher events, Clock clock, Supplier<String> ids, Map<ManagerType, Duration> timeouts) {
        this.vms = vms;
        this.backups = backups;
        this.managers = managers;
        this.policies = policies;
        this.events = events;
        this.clock = clock;
        this.ids = ids;
        this.timeouts = Map.copyOf(timeouts);
    }

    /** Raised for a step that names something that does not exist: a bug or a deleted VM, never worth a retry. */
    public static final class Gone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Gone(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * What a workflow needs to run a backup; {@code manager} is null when the backup does not run (it is FAILED
     * already, e.g. a scheduled backup of a busy VM), and then the workflow ends.
     */
    public record BackupRun(Backup backup, VirtualMachine vm, BackupManager manager, String policyCode, Instant deadline) {
        public boolean runs() {
            return manager != null;
        }
    }

    public BackupRun beginBackup(String vmId, String backupId) {
        Backup backup = backup(vmId, backupId);
        VirtualMachine vm = vms.findVm(vmId).orElseThrow(() -> new Gone("virtual machine " + vmId + " does not exist"));
        if (!backup.status().running()) {
            return new BackupRun(backup, vm, null, null, null);
        }
        Optional<BackupManager> manager = managers.findManager(backup.datacenter());
        if (manager.isEmpty()) {
            failBackup(vmId, backupId, new ErrorInfo("NO_MANAGER", "Datacenter " + backup.datacenter() + " has no backup manager."));
            return new BackupRun(backup(vmId, backupId), vm, null, null, null);
        }
        Backup running = backup;
        if (backup.status() == BackupStatus.QUEUED) {
            // The API records QUEUED without an event bus client; the workflow publishes that change for it.
            publish(backup);
            running = backup.withStatus(BackupStatus.IN_PROGRESS, now(), null);
            backups.saveBackup(backup, running);
        }
        publish(running);
        String code = backup.policyId() == null ? null
                : policies.findPolicy(backup.datacenter(), backup.policyId()).map(BackupPolicy::code).orElse(null);
        return new BackupRun(running, vm, manager.get(), code, running.startedAt().plus(timeout(manager.get().type())));
    }

    /**
     * A schedule fired: the backup is created here. A VM that is busy, not deployed, or whose configuration is not in
     * force gets a FAILED backup that says why, so the missed run is visible in its list.
     */
    public BackupRun beginScheduled(String vmId, String policyId, Instant scheduledAt) {
        VirtualMachine vm = vms.findVm(vmId).orElseThrow(() -> new Gone("virtual machine " + vmId + " does not exist"));
        Instant now = now();
        Instant at = scheduledAt == null ? now : scheduledAt.truncatedTo(ChronoUnit.MILLIS);
        String id = scheduledBackupId(vmId, policyId, at);
        // Scheduler delivers at least once and a step may be retried: the same firing is the same backup.
        Optional<Backup> earlier = backups.findBackup(vmId, id);
        if (earlier.isPresent()) {
            return earlier.get().status().running() ? beginBackup(vmId, id) : new BackupRun(earlier.get(), vm, null, null, null);
        }
        Backup backup = new Backup(id, vmId, vm.datacenter(), vm.enterprise(), policyId, Trigger.SCHEDULED, BackupStatus.QUEUED,
                at, null, null, null, null, null, null, null, 0, 1);
        String refusal = null;
        if (vm.state() != VmState.DEPLOYED) {
            refusal = "Virtual machine " + vmId + " is " + vm.state() + "; only a DEPLOYED VM is backed up.";
        } else if (vm.backup().status() != ConfigStatus.APPLIED || vm.backup().policies().stream().noneMatch(p -> p.policyId().equals(policyId))) {
            refusal = "Policy " + policyId + " is not in force for virtual machine " + vmId + ".";
        }
        if (refusal == null) {
            try {
                backups.createLockedBackup(backup, vm);
                return beginBackup(vmId, backup.id());
            } catch (StoreConflict conflict) {
                if (conflict.reason() == StoreConflict.Reason.ALREADY_EXISTS) {
                    return beginBackup(vmId, id);
                }
                refusal = conflict.reason() == StoreConflict.Reason.VM_LOCKED
                        ? "Virtual machine " + vmId + " was busy with another backup or restore when the schedule fired."
                        : "Virtual machine " + vmId + " changed when the schedule fired.";
            }
        }
        Backup skipped = backup.withStatus(BackupStatus.FAILED, now, new ErrorInfo("SKIPPED", refusal));
        backups.saveBackup(null, skipped);
        publish(skipped);
        return new BackupRun(skipped, vm, null, null, null);
    }

    /** The id of the backup a schedule's firing makes: the same firing always names the same backup. */
    public static String scheduledBackupId(String vmId, String policyId, Instant scheduledAt) {
        return dev.lifeboat.domain.common.Ids.derived(scheduledAt.toEpochMilli(), "scheduled|" + vmId + "|" + policyId + "|" + scheduledAt);
    }

    public void recordBackupJob(String vmId, String backupId, String jobRef) {
        Backup b = backup(vmId, backupId);
        if (!jobRef.equals(b.jobRef())) {
            backups.saveBackup(b, b.withJob(jobRef));
        }
    }

    /** Where a poll leaves the operation: still running (wait this long), or done. */
    public enum PollState { RUNNING, SUCCEEDED, FAILED, TIMED_OUT }

    /**
     * The plan after a recorded poll: wait {@code waitSeconds}, and record the job again at the first poll at or after
     * {@code recordBy} (polls before it only look whether the job ended; see {@link PollPlan#recordBy}).
     */
    public record Poll(PollState state, int attempt, long waitSeconds, Instant recordBy) {}

    /**
     * Records the progress of a running backup job and plans the next poll. {@code polledAt} is when the backup system
     * was asked (null for the plan right after the start: now).
     */
    public Poll recordBackupRunning(String vmId, String backupId, Integer progress, int attempt, Instant polledAt, Instant deadline) {
        Backup b = backup(vmId, backupId);
        if (progress != null && !progress.equals(b.progress())) {
            backups.saveBackup(b, b.withProgress(Math.max(0, Math.min(99, progress))));
        }
        return plan(attempt, polledAt, deadline);
    }

    private Poll plan(int attempt, Instant polledAt, Instant deadline) {
        Instant now = now();
        Instant at = polledAt == null ? now : polledAt;
        long wait = PollPlan.nextWait(attempt, now, deadline);
        // Time is up: a poll right away, which the workflow ends as TIMED_OUT, since it is made past the deadline.
        return wait == 0 ? new Poll(PollState.TIMED_OUT, attempt, 0, at)
                : new Poll(PollState.RUNNING, attempt + 1, wait, PollPlan.recordBy(at, wait, deadline));
    }

    public void succeedBackup(String vmId, String backupId, String restorePoint, Long sizeBytes) {
        Backup b = backup(vmId, backupId);
        if (b.status().running()) {
            Backup done = b.succeeded(now(), restorePoint, sizeBytes);
            backups.finishBackup(b, done);
            b = done;
        }
        publish(b);
    }

    /** FAILED with the reason, the VM free again. A backup that already ended keeps its outcome. */
    public void failBackup(String vmId, String backupId, ErrorInfo error) {
        Backup b = backup(vmId, backupId);
        if (b.status().running()) {
            Backup failed = b.withStatus(BackupStatus.FAILED, now(), error);
            backups.finishBackup(b, failed);
            b = failed;
        }
        publish(b);
    }

    public ErrorInfo timedOut(ManagerType type) {
        return new ErrorInfo("TIMEOUT", "The backup system did not finish within " + timeout(type).toMinutes() + " minutes.");
    }

    private Duration timeout(ManagerType type) {
        return timeouts.getOrDefault(type, Duration.ofHours(4));
    }

    // ---- restores -----------------------------------------------------------------------------------------------

    /** The accepted items of a restore request, for the multi-restore workflow's Map. */
    public List<RestoreRequest.Item> acceptedItems(String requestId) {
        RestoreRequest request = backups.findRequest(requestId).orElseThrow(() -> new Gone("restore request " + requestId + " does not exist"));
        return request.items().stream().filter(i -> i.restoreId() != null).toList();
    }

    public record RestoreRun(Restore restore, Backup backup, VirtualMachine vm, BackupManager manager, Instant deadline) {
        public boolean runs() {
            return manager != null;
        }
    }

    public RestoreRun beginRestore(String vmId, String backupId, String restoreId) {
        Restore restore = restore(vmId, backupId, restoreId);
        Backup backup = backup(vmId, backupId);
        VirtualMachine vm = vms.findVm(vmId).orElseThrow(() -> new Gone("virtual machine " + vmId + " does not exist"));
        if (restore.status().ended()) {
            return new RestoreRun(restore, backup, vm, null, null);
        }
        Optional<BackupManager> manager = managers.findManager(backup.datacenter());
        if (manager.isEmpty()) {
            failRestore(vmId, backupId, restoreId, new ErrorInfo("NO_MANAGER", "Datacenter " + backup.datacenter() + " has no backup manager."));
            return new RestoreRun(restore(vmId, backupId, restoreId), backup, vm, null, null);
        }
        Restore running = restore;
        if (restore.status() == RestoreStatus.QUEUED) {
            publish(restore, backup);
            running = restore.withStatus(RestoreStatus.IN_PROGRESS, now(), null);
            backups.saveRestore(restore, running);
        }
        publish(running, backup);
        return new RestoreRun(running, backup, vm, manager.get(), running.startedAt().plus(timeout(manager.get().type())));
    }

    public void recordRestoreJob(String vmId, String backupId, String restoreId, String jobRef) {
        Restore r = restore(vmId, backupId, restoreId);
        if (!jobRef.equals(r.jobRef())) {
            backups.saveRestore(r, r.withJob(jobRef));
        }
    }

    /** Plans the next poll of a running restore job ({@code polledAt} as for {@link #recordBackupRunning}). */
    public Poll recordRestoreRunning(int attempt, Instant polledAt, Instant deadline) {
        return plan(attempt, polledAt, deadline);
    }

    public void succeedRestore(String vmId, String backupId, String restoreId) {
        endRestore(vmId, backupId, restoreId, RestoreStatus.SUCCESS, null);
    }

    public void failRestore(String vmId, String backupId, String restoreId, ErrorInfo error) {
        endRestore(vmId, backupId, restoreId, RestoreStatus.FAILED, error);
    }

    private void endRestore(String vmId, String backupId, String restoreId, RestoreStatus status, ErrorInfo error) {
        Restore r = restore(vmId, backupId, restoreId);
        if (!r.status().ended()) {
            Restore done = r.withStatus(status, now(), error);
            backups.finishRestore(r, done);
            r = done;
        }
        publish(r, backup(vmId, backupId));
    }

    // ---- common -------------------------------------------------------------------------------------------------

    private Backup backup(String vmId, String backupId) {
        return backups.findBackup(vmId, backupId).orElseThrow(() -> new Gone("backup " + backupId + " of " + vmId + " does not exist"));
    }

    private Restore restore(String vmId, String backupId, String restoreId) {
        return backups.findRestore(vmId, backupId, restoreId)
                .orElseThrow(() -> new Gone("restore " + restoreId + " of backup " + backupId + " does not exist"));
    }


    /** The state-change event of a backup; results sync publishes the changes it makes with the same shape. */
    public static StateChangeEvent event(Backup b) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("backupId", b.id());
        d.put("vm", b.vm());
        d.put("datacenter", b.datacenter());
        d.put("enterprise", b.enterprise());
        d.put("policyId", b.policyId());
        d.put("trigger", b.trigger().name());
        d.put("status", b.status().name());
        d.put("error", b.error() == null ? null : Map.of("code", b.error().code(), "message", b.error().message()));
        return new StateChangeEvent(StateChangeEvent.Kind.BACKUP, b.id(), d);
    }

    private void publish(Backup b) {
        events.publish(List.of(event(b)));
    }

    public static StateChangeEvent event(Restore r, Backup b) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("restoreId", r.id());
        d.put("backupId", r.backupId());
        d.put("requestId", r.requestId());
        d.put("vm", r.vm());
        d.put("datacenter", b.datacenter());
        d.put("enterprise", b.enterprise());
        d.put("status", r.status().name());
        d.put("error", r.error() == null ? null : Map.of("code", r.error().code(), "message", r.error().message()));
        return new StateChangeEvent(StateChangeEvent.Kind.RESTORE, r.id(), d);
    }

    private void publish(Restore r, Backup b) {
        events.publish(List.of(event(r, b)));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
