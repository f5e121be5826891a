package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.vm.VirtualMachine;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Brings Lifeboat's backups of a datacenter's VMs in line with what the backup system holds: backups the system ran on
 * its own schedule are added as DISCOVERED, discovered ones still running are updated, and SUCCESS backups the system
 * no longer holds become EXPIRED. Backups that a Lifeboat workflow is running are the workflow's to record.
 */
public final class ResultsSync {
    private final BackupRepository backups;
    private final EventPublisher events;
    private final Clock clock;
    private final Supplier<String> ids;

    public ResultsSync(BackupRepository backups, EventPublisher events, Clock clock, Supplier<String> ids) {
        this.backups = backups;
        this.events = events;
        this.clock = clock;
        this.ids = ids;
    }

    /** A backup as the backup system lists it. */
    public record Observed(String vm, String ref, BackupStatus status, Instant startedAt, Instant finishedAt, Long sizeBytes) {
        public Observed {
            // Lifeboat keeps milliseconds everywhere; vCenter gives nanoseconds.
            startedAt = startedAt == null ? null : startedAt.truncatedTo(ChronoUnit.MILLIS);
            finishedAt = finishedAt == null ? null : finishedAt.truncatedTo(ChronoUnit.MILLIS);
        }
    }

    /** What one run changed, and the VMs it could not look at (the backup system reported them failing). */
    public record Outcome(int discovered, int updated, int expired, List<ErrorInfo> skipped) {}

    static final ErrorInfo LOST = new ErrorInfo("LOST",
            "The workflow that ran this operation ended without recording its outcome; the VM is free again.");

    /**
     * @param vms the VMs that were listed; only their backups are compared
     * @param failedVms VMs the backup system could not list, with the reason: they are skipped, never expired
     */
    public Outcome record(List<VirtualMachine> vms, List<Observed> observed, Map<String, ErrorInfo> failedVms) {
        Map<String, List<Observed>> byVm = new HashMap<>();
        observed.forEach(o -> byVm.computeIfAbsent(o.vm(), k -> new ArrayList<>()).add(o));
        int discovered = 0;
        int updated = 0;
        int expired = 0;
        List<ErrorInfo> skipped = new ArrayList<>();
        List<EventPublisher.StateChangeEvent> changes = new ArrayList<>();
        failedVms.forEach((vm, why) -> skipped.add(new ErrorInfo(why.code(), vm + ": " + why.message())));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        for (VirtualMachine vm : vms) {
            if (failedVms.containsKey(vm.id())) {
                continue;
            }
            List<Backup> known = backups.allBackups(vm.id());
            Map<String, Backup> byRef = new HashMap<>();
            for (Backup b : known) {
                if (b.providerRef() != null) byRef.put(b.providerRef(), b);
                if (b.jobRef() != null) byRef.putIfAbsent(b.jobRef(), b);
            }
            Set<String> held = new HashSet<>();
            for (Observed o : byVm.getOrDefault(vm.id(), List.of())) {
                held.add(o.ref());
                Backup b = byRef.get(o.ref());
                if (b == null) {
                    Backup found = new Backup(ids.get(), vm.id(), vm.datacenter(), vm.enterprise(), null, Trigger.DISCOVERED,
                            o.status(), o.startedAt() == null ? now : o.startedAt(), o.startedAt(), o.status().running() ? null : o.finishedAt(),
                            o.status() == BackupStatus.SUCCESS ? Integer.valueOf(100) : null, o.sizeBytes(),
                            o.status() == BackupStatus.SUCCESS ? o.ref() : null, o.status().running() ? o.ref() : null,
                            o.status() == BackupStatus.FAILED ? new ErrorInfo("BACKUP_SYSTEM", "The backup system reports this backup failed.") : null,
                            0, 1);
                    backups.saveBackup(null, found);
                    changes.add(BackupLifecycle.event(found));
                    discovered++;
                } else if (b.status() == BackupStatus.SUCCESS && b.providerRef() == null && o.status() == BackupStatus.SUCCESS) {
                    // The job ended before the backup system listed its restore point; now it does.
                    Backup completed = b.succeeded(b.finishedAt() == null ? now : b.finishedAt(), o.ref(), o.sizeBytes());
                    backups.saveBackup(b, completed);
                    changes.add(BackupLifecycle.event(completed));
                    updated++;
                } else if (b.trigger() == Trigger.DISCOVERED && b.status().running() && !o.status().running()) {
                    Backup next = o.status() == BackupStatus.SUCCESS ? b.succeeded(o.finishedAt() == null ? now : o.finishedAt(), o.ref(), o.sizeBytes())
                            : b.withStatus(BackupStatus.FAILED, now, new ErrorInfo("BACKUP_SYSTEM", "The backup system reports this backup failed."));
                    backups.saveBackup(b, next);
                    changes.add(BackupLifecycle.event(next));
                    updated++;
                }
            }
            for (Backup b : known) {
                if (b.status() == BackupStatus.SUCCESS && b.providerRef() != null && !held.contains(b.providerRef())) {
                    Backup gone = b.withStatus(BackupStatus.EXPIRED, now, null);
                    backups.saveBackup(b, gone);
                    changes.add(BackupLifecycle.event(gone));
                    expired++;
                }
            }
        }
        // Recorded first, published after: a run that fails to publish is retried, finds nothing new, and the
        // events of this run are lost only if the bus stays down through the retries (the table keeps the truth).
        events.publish(changes);
        return new Outcome(discovered, updated, expired, skipped);
    }

    /**
     * The backstop of workflows that ended without recording their outcome: a backup or restore that Lifeboat started
     * and that is still QUEUED long after it was requested (its workflow never began it), or still running long after
     * its timeout, is FAILED with LOST and frees its VM. It runs over every VM of a datacenter, configured or not, and
     * whether or not the backup system answers.
     *
     * @return how many it failed
     */
    public int sweep(List<VirtualMachine> vms, Instant queuedBefore, Instant runningBefore) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<EventPublisher.StateChangeEvent> changes = new ArrayList<>();
        for (VirtualMachine vm : vms) {
            for (Backup b : backups.allBackups(vm.id())) {
                boolean stale = b.status() == BackupStatus.QUEUED ? b.requestedAt().isBefore(queuedBefore) : b.requestedAt().isBefore(runningBefore);
                if (b.status().running() && b.trigger() != Trigger.DISCOVERED && stale) {
                    Backup failed = b.withStatus(BackupStatus.FAILED, now, LOST);
                    backups.finishBackup(b, failed);
                    changes.add(BackupLifecycle.event(failed));
                }
            }
            for (Restore r : backups.allRestores(vm.id())) {
                boolean stale = r.status() == RestoreStatus.QUEUED ? r.requestedAt().isBefore(queuedBefore) : r.requestedAt().isBefore(runningBefore);
                if (!r.status().ended() && stale) {
                    Restore failed = r.withStatus(RestoreStatus.FAILED, now, LOST);
                    backups.finishRestore(r, failed);
                    backups.findBackup(r.vm(), r.backupId()).ifPresent(b -> changes.add(BackupLifecycle.event(failed, b)));
                }
            }
        }
        events.publish(changes);
        return changes.size();
    }
}
