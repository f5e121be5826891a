package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.common.ErrorInfo;
import java.time.Instant;

/** One restore of a backup onto its VM; {@code requestId} is the restore request it belongs to. */
public record Restore(
        String id,
        String backupId,
        String vm,
        String requestId,
        RestoreStatus status,
        Instant requestedAt,
        Instant startedAt,
        Instant finishedAt,
        ErrorInfo error,
        String jobRef,
        long version) {

    public Restore withStatus(RestoreStatus next, Instant at, ErrorInfo failure) {
        return new Restore(id, backupId, vm, requestId, next, requestedAt,
                next == RestoreStatus.IN_PROGRESS && startedAt == null ? at : startedAt,
                next.ended() ? at : finishedAt, failure, jobRef, version + 1);
    }

    public Restore withJob(String job) {
        return new Restore(id, backupId, vm, requestId, status, requestedAt, startedAt, finishedAt, error, job, version + 1);
    }
}
