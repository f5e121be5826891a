package dev.lifeboat.domain.backup;

import java.time.Duration;
import java.time.Instant;

/**
 * How long a workflow waits before it asks the backup system again: 15 s, 30 s, 60 s, then every 2 minutes, never past
 * the deadline of the operation. Short first waits catch snapshots that take seconds; the longer ones keep a
 * four-hour backup from costing hundreds of state transitions.
 */
public final class PollPlan {
    static final long[] WAITS = {15, 30, 60, 120};

    private PollPlan() {}

    /** The next wait in seconds after {@code attempt} polls, or 0 when the deadline has passed (time is up). */
    public static long nextWait(int attempt, Instant now, Instant deadline) {
        long left = Duration.between(now, deadline).toSeconds();
        if (!now.isBefore(deadline)) {
            return 0;
        }
        long planned = WAITS[Math.min(attempt, WAITS.length - 1)];
        // Wait at least one second: a Wait state of 0 seconds would poll in a tight loop just before the deadline.
        return Math.max(1, Math.min(planned, left));
    }
}
