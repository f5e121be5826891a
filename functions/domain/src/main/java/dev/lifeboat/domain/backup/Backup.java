package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.Ids;
import java.time.Instant;

/**
 * One backup of a VM.
 *
 * @param providerRef the backup system's restore point, once the backup succeeded (what a restore names)
 * @param jobRef the backup system's job while it runs (what polling follows); never shown to users
 * @param restoreCount restores ever requested of this backup (the multiple-restore rule reads it)
 */
public record Backup(
        String id,
        String vm,
        String datacenter,
        String enterprise,
        String policyId,
        Trigger trigger,
        BackupStatus status,
        Instant requestedAt,
        Instant startedAt,
        Instant finishedAt,
        Integer progress,
        Long sizeBytes,
        String providerRef,
        String jobRef,
        ErrorInfo error,
        long restoreCount,
        long version) {

    /**
     * The id of the DISCOVERED backup of a restore point that the backup system lists under {@code ref}, created at
     * {@code createdAt}: the same point always gives the same id, so that two runs that overlap, or a run that repeats a
     * failed one, write the same item once (the second write is refused), and results sync reads it by this key.
     */
    public static String discoveredId(String vm, String ref, Instant createdAt) {
        return Ids.derived(createdAt.toEpochMilli(), "discovered|" + vm + "|" + ref);
    }

    /**
     * Whether results sync finds this backup by its key alone when the backup system lists {@code ref} with the start
     * this backup has: a discovery whose id derives from that reference and start. Such a backup needs no reference
     * pointer; any other one (Lifeboat's own, or a discovery listed without a start) is found through its pointers.
     * A discovery listed with its start was requested at it; one listed without was requested when found, and may be
     * given a start later (when it ends), which no listing repeats: that is why both must agree.
     */
    public boolean keyedBy(String ref) {
        return trigger == Trigger.DISCOVERED && startedAt != null && startedAt.equals(requestedAt) && ref != null
                && id.equals(discoveredId(vm, ref, startedAt));
    }

    public Backup withStatus(BackupStatus next, Instant at, ErrorInfo failure) {
        return new Backup(id, vm, datacenter, enterprise, policyId, trigger, next, requestedAt,
                next == BackupStatus.IN_PROGRESS && startedAt == null ? at : startedAt,
                (next == BackupStatus.SUCCESS || next == BackupStatus.FAILED) && finishedAt == null ? at : finishedAt,
                next == BackupStatus.SUCCESS ? Integer.valueOf(100) : progress, sizeBytes, providerRef, jobRef, failure, restoreCount, version + 1);
    }

    public Backup withJob(String job) {
        return new Backup(id, vm, datacenter, enterprise, policyId, trigger, status, requestedAt, startedAt, finishedAt, progress,
                sizeBytes, providerRef, job, error, restoreCount, version + 1);
    }

    public Backup withProgress(Integer percent) {
        return new Backup(id, vm, datacenter, enterprise, policyId, trigger, status, requestedAt, startedAt, finishedAt, percent,
                sizeBytes, providerRef, jobRef, error, restoreCount, version + 1);
    }

    public Backup succeeded(Instant at, String restorePoint, Long size) {
        return new Backup(id, vm, datacenter, enterprise, policyId, trigger, BackupStatus.SUCCESS, requestedAt,
                startedAt == null ? at : startedAt, at, 100, size, restorePoint, jobRef, null, restoreCount, version + 1);
    }

    public Backup withRestoreRequested() {
        return new Backup(id, vm, datacenter, enterprise, policyId, trigger, status, requestedAt, startedAt, finishedAt, progress,
                sizeBytes, providerRef, jobRef, error, restoreCount + 1, version + 1);
    }
}
