package dev.lifeboat.sim.networker;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of a NetWorker job. {@code kind} is {@code backup} or {@code recover}; {@code state} is one of
 * {@code Queued}, {@code Active}, {@code SessionActive} (non-terminal, names [U] in backup-systems.md §2.5) or
 * {@code Completed}; {@code completionStatus} is {@code Unknown} until it stops, then {@code Succeeded}, {@code Failed},
 * {@code Abandoned} (cancelled) or {@code Unknown} (nothing to do). {@code backupIds} are the backups it made.
 */
public record Job(long id, String kind, String name, String type, String state, boolean stopped, String completionStatus,
                  int exitCode, String message, Instant startTime, Instant endTime, List<String> vmUuids,
                  List<String> backupIds) {
    public Job {
        vmUuids = List.copyOf(vmUuids);
        backupIds = List.copyOf(backupIds);
    }
}
