package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.StoreConflict;
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
import java.util.function.Function;

/**
 * Brings Lifeboat's backups of a datacenter's VMs in line with what the backup system holds: backups the system ran on
 * its own schedule are added as DISCOVERED, discovered ones still running are updated, and SUCCESS backups the system
 * no longer holds become EXPIRED. Backups that a Lifeboat workflow is running are the workflow's to record.
 */
public final class ResultsSync {
    private final BackupRepository backups;
    private final EventPublisher events;
    private final Clock clock;

    public ResultsSync(BackupRepository backups, EventPublisher events, Clock clock) {
        this.backups = backups;
        this.events = events;
        this.clock = clock;
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
        int[] counts = new int[3];
        List<ErrorInfo> skipped = new ArrayList<>();
        List<EventPublisher.StateChangeEvent> changes = new ArrayList<>();
        failedVms.forEach((vm, why) -> skipped.add(new ErrorInfo(why.code(), vm + ": " + why.message())));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<Backup> found = new ArrayList<>();
        for (VirtualMachine vm : vms) {
            if (failedVms.containsKey(vm.id())) {
                continue;
            }
            compare(SyncRepository.PointedVm.of(vm), backups.allBackups(vm.id()), byVm.getOrDefault(vm.id(), List.of()), true, now, counts, changes, found);
        }
        create(found, counts, changes);
        // Recorded first, published after: a run that fails to publish is retried, finds nothing new, and the
        // events of this run are lost only if the bus stays down through the retries (the table keeps the truth).
        events.publish(changes);
        return new Outcome(counts[0], counts[1], counts[2], skipped);
    }

    /**
     * Records what the backup system created lately, listed in bulk rather than VM by VM: new backups are DISCOVERED
     * and running ones updated, but nothing expires, since the list holds only what is new.
     */
    public Outcome recordNew(Map<SyncRepository.PointedVm, List<Observed>> observed) {
        return recordNew(observed, Map.of());
    }

    /**
     * As {@link #recordNew(Map)}, with Lifeboat's backups of (some of) the VMs read beforehand, by VM id: those that carry
     * a listed reference suffice, since nothing expires here (the caller reads them by key, a page at a time).
     */
    public Outcome recordNew(Map<SyncRepository.PointedVm, List<Observed>> observed, Map<String, List<Backup>> knownByVm) {
        int[] counts = new int[3];
        List<EventPublisher.StateChangeEvent> changes = new ArrayList<>();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<Backup> found = new ArrayList<>();
        observed.forEach((vm, seen) -> compare(vm, knownByVm.containsKey(vm.id()) ? knownByVm.get(vm.id()) : backups.allBackups(vm.id()),
                seen, false, now, counts, changes, found));
        create(found, counts, changes);
        events.publish(changes);
        return new Outcome(counts[0], counts[1], counts[2], List.of());
    }

    /**
     * Expires what the backup system no longer holds, from the references it holds now (results sync's slice: held
     * references only, no details, so nothing is discovered here; discovery is the bulk listing's by watermark).
     *
     * @param held per VM id: every reference the backup system holds for it (an empty set: none)
     * @param knownByVm per VM id of {@code held}: Lifeboat's backups of it
     * @param listedFrom when the listing began: a backup that finished since may be missing from it, and is not expired
     * @param requestedBefore null, or only backups requested before this expire: later ones may be gaining their
     *                        reference from a listing of what is new that runs beside this one
     */
    public Outcome expireUnheld(Map<String, java.util.Set<String>> held, Map<String, List<Backup>> knownByVm, Instant listedFrom,
                                Instant requestedBefore) {
        List<EventPublisher.StateChangeEvent> changes = new ArrayList<>();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        int expired = 0;
        for (Map.Entry<String, java.util.Set<String>> vm : held.entrySet()) {
            for (Backup b : knownByVm.getOrDefault(vm.getKey(), List.of())) {
                if (b.status() == BackupStatus.SUCCESS && b.providerRef() != null && !vm.getValue().contains(b.providerRef())
                        && (b.finishedAt() == null || b.finishedAt().isBefore(listedFrom))
                        && (requestedBefore == null || b.requestedAt().isBefore(requestedBefore))) {
                    Backup gone = b.withStatus(BackupStatus.EXPIRED, now, null);
                    try {
                        backups.saveBackup(b, gone);
                    } catch (StoreConflict changedMeanwhile) {
                        continue; // a workflow or another run changed it since it was read: the next comparison decides
                    }
                    changes.add(BackupLifecycle.event(gone));
                    expired++;
                }
            }
        }
        events.publish(changes);
        return new Outcome(0, 0, expired, List.of());
    }

    /** {@link Backup#discoveredId}, from the point's start, or else its end (listed without a start, it keeps a pointer). */
    static String discoveredId(String vm, Observed o) {
        Instant at = o.startedAt() != null ? o.startedAt() : o.finishedAt() != null ? o.finishedAt() : Instant.EPOCH;
        return Backup.discoveredId(vm, o.ref(), at);
    }

    /**
     * Writes the backups a comparison found, all in as few round trips as the store allows: the discoveries of a page
     * of restore points are what grows with the VMs that changed. One that another run wrote first is neither
     * counted nor announced again.
     */
    private void create(List<Backup> found, int[] counts, List<EventPublisher.StateChangeEvent> changes) {
        for (Backup created : backups.createAll(found)) {
            changes.add(BackupLifecycle.event(created));
            counts[0]++;
        }
    }

    /** @param found where new backups go, to be created together by {@link #create} */
    private void compare(SyncRepository.PointedVm vm, List<Backup> known, List<Observed> seen, boolean expire, Instant now, int[] counts,
                         List<EventPublisher.StateChangeEvent> changes, List<Backup> found) {
        Map<String, Backup> byRef = new HashMap<>();
        Map<String, Backup> byId = new HashMap<>();
        for (Backup b : known) {
            if (b.providerRef() != null) byRef.put(b.providerRef(), b);
            if (b.jobRef() != null) byRef.putIfAbsent(b.jobRef(), b);
            byId.put(b.id(), b);
        }
        Set<String> held = new HashSet<>();
        for (Observed o : seen) {
            held.add(o.ref());
            // A discovery the backup system reported FAILED keeps no reference: its id, derived from the point, still
            // names it, so that it is not written again (a refused write, which cancels the transaction of its page).
            Backup b = byRef.containsKey(o.ref()) ? byRef.get(o.ref()) : byId.get(discoveredId(vm.id(), o));
            if (b != null && found.contains(b)) {
                continue; // listed twice: found once, and written with the others
            }
            if (b == null) {
                Backup discovered = new Backup(discoveredId(vm.id(), o), vm.id(), vm.datacenter(), vm.enterprise(), null, Trigger.DISCOVERED,
                        o.status(), o.startedAt() == null ? now : o.startedAt(), o.startedAt(), o.status().running() ? null : o.finishedAt(),
                        o.status() == BackupStatus.SUCCESS ? Integer.valueOf(100) : null, o.sizeBytes(),
                        o.status() == BackupStatus.SUCCESS ? o.ref() : null, o.status().running() ? o.ref() : null,
                        o.status() == BackupStatus.FAILED ? new ErrorInfo("BACKUP_SYSTEM", "The backup system reports this backup failed.") : null,
                        0, 1);
                byRef.put(o.ref(), discovered);
                found.add(discovered);
            } else if (b.status() == BackupStatus.SUCCESS && b.providerRef() == null && o.status() == BackupStatus.SUCCESS) {
                // The job ended before the backup system listed its restore point; now it does.
                Backup completed = b.succeeded(b.finishedAt() == null ? now : b.finishedAt(), o.ref(), o.sizeBytes());
                backups.saveBackup(b, completed);
                changes.add(BackupLifecycle.event(completed));
                counts[1]++;
            } else if (b.trigger() == Trigger.DISCOVERED && b.status().running() && !o.status().running()) {
                Backup next = o.status() == BackupStatus.SUCCESS ? b.succeeded(o.finishedAt() == null ? now : o.finishedAt(), o.ref(), o.sizeBytes())
                        : b.withStatus(BackupStatus.FAILED, now, new ErrorInfo("BACKUP_SYSTEM", "The backup system reports this backup failed."));
                backups.saveBackup(b, next);
                changes.add(BackupLifecycle.event(next));
                counts[1]++;
            }
        }
        if (!expire) {
            return;
        }
        for (Backup b : known) {
            if (b.status() == BackupStatus.SUCCESS && b.providerRef() != null && !held.contains(b.providerRef())) {
                Backup gone = b.withStatus(BackupStatus.EXPIRED, now, null);
                backups.saveBackup(b, gone);
                changes.add(BackupLifecycle.event(gone));
                counts[2]++;
            }
        }
    }

    /**
     * The backstop of workflows that ended without recording their outcome: a backup or restore that Lifeboat started
     * and that is still QUEUED long after it was requested (its workflow never began it), or still running long after
     * its timeout, is FAILED with LOST and frees its VM. The candidates come from the index of what is due (only those
     * begun before the earliest bound), whether or not any backup system answers; each is read again, since the index
     * lags the table.
     *
     * @param runningBefore per datacenter: an operation still running that was requested before this has outlived
     *                      its workflow (its manager type's timeout and a margin)
     * @return how many it failed
     */
    public int sweep(List<Backup> candidates, List<Restore> restoreCandidates, Instant queuedBefore, Function<String, Instant> runningBefore) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<EventPublisher.StateChangeEvent> changes = new ArrayList<>();
        for (Backup candidate : candidates) {
            Backup b = backups.findBackup(candidate.vm(), candidate.id()).orElse(null);
            if (b == null || !b.status().running() || b.trigger() == Trigger.DISCOVERED) continue;
            Instant bound = b.status() == BackupStatus.QUEUED ? queuedBefore : runningBefore.apply(b.datacenter());
            if (b.requestedAt().isBefore(bound)) {
                Backup failed = b.withStatus(BackupStatus.FAILED, now, LOST);
                backups.finishBackup(b, failed);
                changes.add(BackupLifecycle.event(failed));
            }
        }
        for (Restore candidate : restoreCandidates) {
            Restore r = backups.findRestore(candidate.vm(), candidate.backupId(), candidate.id()).orElse(null);
            Backup of = r == null ? null : backups.findBackup(r.vm(), r.backupId()).orElse(null);
            if (r == null || r.status().ended()) continue;
            Instant bound = r.status() == RestoreStatus.QUEUED ? queuedBefore
                    : of == null ? queuedBefore : runningBefore.apply(of.datacenter());
            if (r.requestedAt().isBefore(bound)) {
                Restore failed = r.withStatus(RestoreStatus.FAILED, now, LOST);
                backups.finishRestore(r, failed);
                if (of != null) changes.add(BackupLifecycle.event(failed, of));
            }
        }
        events.publish(changes);
        return changes.size();
    }
}
