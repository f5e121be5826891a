package dev.lifeboat.domain.backup;

import java.time.Duration;
import java.time.Instant;

/**
 * How long a workflow waits before it asks the backup system again: 15 s, 30 s, 60 s, then every 2 minutes, never past
 * the deadline of the operation. Short first waits catch snapshots that take seconds; the longer ones keep a
 * four-hour backup from costing hundreds of state transitions.
 *
 * <p>And when the workflow next records a poll that finds the job still running ({@link #recordBy}): a poll before
 * that time goes straight back to the Wait (3 state transitions instead of 4), so a long job's progress is recorded
 * about every 10 minutes, not every 2.
 */
public final class PollPlan {
    static final long[] WAITS = {15, 30, 60, 120};
    static final long LAST_WAIT = WAITS[WAITS.length - 1];

    /**
     * While the waits are at their 2-minute step, a running job is recorded again this long after the poll that was
     * recorded. Polls come a little more than 2 minutes apart (the calls and transitions between them add up), so 9
     * minutes after a poll is reached at the fifth poll after it: about every 10 minutes, and the loop's drift never
     * pushes it to the sixth.
     */
    public static final Duration RECORD_EVERY = Duration.ofMinutes(9);

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

    /**
     * The first poll time at which a job still running is recorded again, given the poll just recorded (at
     * {@code polledAt}) and the wait planned after it. A wait shorter than the last step (the first growing waits, or
     * one cut short by the deadline) records the very next poll. Otherwise the next record is {@link #RECORD_EVERY}
     * later, or earlier when the deadline is less than a wait away from the poll: a poll that skipped recording would
     * wait the full {@code waitSeconds} again and could not stop at the deadline.
     */
    public static Instant recordBy(Instant polledAt, long waitSeconds, Instant deadline) {
        if (waitSeconds < LAST_WAIT) {
            return polledAt;
        }
        Instant periodic = polledAt.plus(RECORD_EVERY);
        Instant beforeDeadline = deadline.minusSeconds(waitSeconds);
        return periodic.isBefore(beforeDeadline) ? periodic : beforeDeadline;
    }

    /** How many polls a job makes, and how many of them are recorded while it runs (the last poll sees its end). */
    public record Schedule(int polls, int recorded) {}

    /**
     * The poll loop of a job that takes {@code job}, on a deadline that does not end it, as the workflows run it: each
     * iteration takes its wait plus {@code overhead} (the calls and transitions). For cost estimates: a steady poll
     * iteration is 3 state transitions, a recorded one 4.
     */
    public static Schedule schedule(Duration job, Duration overhead) {
        Instant start = Instant.EPOCH;
        Instant deadline = start.plus(job).plus(Duration.ofDays(1));
        int attempt = 0;
        long wait = nextWait(attempt++, start, deadline);
        Instant recordBy = recordBy(start, wait, deadline);
        Instant t = start;
        int polls = 0;
        int recorded = 0;
        while (true) {
            t = t.plusSeconds(wait).plus(overhead);
            polls++;
            if (!t.isBefore(start.plus(job))) {
                return new Schedule(polls, recorded);
            }
            if (!t.isBefore(recordBy)) {
                recorded++;
                wait = nextWait(attempt++, t, deadline);
                recordBy = recordBy(t, wait, deadline);
            }
        }
    }
}
