package dev.lifeboat.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which requests are repeated, how long it waits, and that the deadline is never passed. */
class TransientRetryTest {
    private final Instant start = Instant.parse("2026-12-05T10:00:00Z");
    private final MovingClock clock = new MovingClock(start);
    private final List<Duration> waits = new ArrayList<>();

    private TransientRetry retry(Duration budget) {
        // The jitter draws its upper bound, so the waits show the backoff's ceiling.
        return new TransientRetry(start.plus(budget), clock, d -> {
            waits.add(d);
            clock.now = clock.now.plus(d);
        }, bound -> bound);
    }

    /** Answers in turn: an Integer is a status, an IOException is thrown. */
    private static TransientRetry.Attempt<Integer> answers(Object... in) {
        Deque<Object> queue = new ArrayDeque<>(List.of(in));
        return () -> {
            Object next = queue.size() > 1 ? queue.poll() : queue.peek();
            if (next instanceof IOException e) throw e;
            return (Integer) next;
        };
    }

    private <T> T send(TransientRetry r, boolean idempotent, TransientRetry.Attempt<T> attempt, String retryAfter) throws Exception {
        return r.send(idempotent, attempt, s -> TransientRetry.Answer.of((Integer) s, retryAfter));
    }

    @Test
    void aReadIsRepeatedAfterServerErrorsAndBrokenConnectionsWithGrowingCappedWaits() throws Exception {
        TransientRetry r = retry(Duration.ofMinutes(1));
        assertEquals(200, send(r, true, answers(500, new IOException("reset"), 502, 504, 200), null));
        assertEquals(List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600)), waits);
        assertEquals(4, r.retries());
    }

    @Test
    void aStartIsNotRepeatedAfterAServerErrorOrABrokenConnectionButIsWhenDeclinedOrNeverSent() throws Exception {
        assertEquals(500, send(retry(Duration.ofMinutes(1)), false, answers(500, 200), null));
        assertThrows(IOException.class, () -> send(retry(Duration.ofMinutes(1)), false, answers(new IOException("reset"), 200), null));
        assertEquals(202, send(retry(Duration.ofMinutes(1)), false, answers(new ConnectException("refused"), 503, 429, 202), null));
    }

    @Test
    void retryAfterIsHonouredInSecondsOrAsADate() throws Exception {
        send(retry(Duration.ofMinutes(1)), true, answers(429, 200), "3");
        assertEquals(List.of(Duration.ofSeconds(3)), waits);
        assertEquals(Duration.ofSeconds(90), TransientRetry.retryAfter("Sat, 05 Dec 2026 10:01:30 GMT", start));
        assertEquals(null, TransientRetry.retryAfter("soon", start));
    }

    @Test
    void noWaitPassesTheDeadlineAndTheLastAnswerGoesBack() throws Exception {
        TransientRetry r = retry(Duration.ofSeconds(1));
        assertEquals(503, send(r, true, answers(503), null));
        assertTrue(clock.now.isBefore(start.plusSeconds(1)), "stopped at " + clock.now);
        assertEquals(503, send(retry(Duration.ofMinutes(5)), true, answers(503), "60"), "a Retry-After beyond 30 s is left to the workflow");
    }

    @Test
    void attemptsAreBounded() throws Exception {
        int[] calls = {0};
        retry(Duration.ofHours(1)).send(true, () -> ++calls[0], n -> TransientRetry.Answer.of(500, null));
        assertEquals(TransientRetry.MAX_ATTEMPTS, calls[0]);
    }

    private static final class MovingClock extends Clock {
        Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
