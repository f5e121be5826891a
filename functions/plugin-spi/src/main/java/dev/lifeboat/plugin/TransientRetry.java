package dev.lifeboat.plugin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;

/**
 * Retries of one plugin command's HTTP requests, whatever the HTTP library: a request is repeated only when repeating
 * it cannot do anything twice, within the command's deadline (taken from the Lambda context, see
 * {@link Session#deadline()}).
 *
 * <ul>
 *   <li>Any request: a connection that could not be made (refused, connect timeout: nothing was sent), and the answers
 *       429 and 503, which say the server did not take the request (RFC 9110 §15.6.4, RFC 6585 §4); their
 *       {@code Retry-After} (seconds or an HTTP date, RFC 9110 §10.2.3) is honoured.</li>
 *   <li>Idempotent requests only (reads, logons, and what the caller declares so): a connection that broke after the
 *       request was sent, and the answers 500, 502 and 504.</li>
 * </ul>
 * A start that is not idempotent is never repeated here: its answer may have been lost after the backup system acted,
 * and only the plugin can tell, by looking for the job it started (see {@code BackupPlugin#startBackup}).
 *
 * <p>Waits are "full jitter" (a uniform draw between 0 and {@code base·2^attempt}, capped), which spreads the retries
 * of many Lambdas hitting one flaky manager (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015). A wait that
 * would pass the deadline is not taken: the last answer or failure goes back to the caller, which maps it to its typed
 * error as before, and the workflow's own retry takes over.
 */
public final class TransientRetry {
    /** Attempts per request, the first included. */
    public static final int MAX_ATTEMPTS = 6;
    private static final Duration BASE = Duration.ofMillis(200);
    private static final Duration CAP = Duration.ofSeconds(5);
    /** Longest Retry-After honoured; a server asking for more is left to the workflow's retry. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    /** What the caller's HTTP library answered, as far as retrying goes. */
    public record Answer(int status, Optional<String> retryAfter) {
        public static Answer of(int status, String retryAfter) {
            return new Answer(status, Optional.ofNullable(retryAfter));
        }
    }

    /** One attempt of a request; throws what the HTTP library throws. */
    @FunctionalInterface
    public interface Attempt<T> {
        T send() throws IOException, InterruptedException;
    }

    /** Sleeps; tests replace it to run without waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Instant deadline;
    private final Clock clock;
    private final Sleeper sleeper;
    private final LongUnaryOperator jitter;
    private int retries;

    /**
     * @param jitter a uniform draw in {@code [0, bound]} for a bound in milliseconds (tests pass a fixed one)
     */
    public TransientRetry(Instant deadline, Clock clock, Sleeper sleeper, LongUnaryOperator jitter) {
        this.deadline = Objects.requireNonNull(deadline);
        this.clock = Objects.requireNonNull(clock);
        this.sleeper = Objects.requireNonNull(sleeper);
        this.jitter = Objects.requireNonNull(jitter);
    }

    /** Real time, real sleeps, random jitter. */
    public static TransientRetry until(Instant deadline) {
        return new TransientRetry(deadline, Clock.systemUTC(), d -> Thread.sleep(Math.max(1, d.toMillis())),
                bound -> bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1));
    }

    public Instant deadline() {
        return deadline;
    }

    /** The time left before the deadline, never negative. */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Requests repeated so far by this instance (for the plugins' log line and the request-count measurements). */
    public int retries() {
        return retries;
    }

    /**
     * Sends with retries as described above.
     *
     * @param idempotent whether repeating the request cannot do anything twice
     * @param answer     reads the status and {@code Retry-After} of what {@code attempt} returned
     */
    public <T> T send(boolean idempotent, Attempt<T> attempt, Function<T, Answer> answer) throws IOException, InterruptedException {
        for (int n = 0; ; n++) {
            T result;
            try {
                result = attempt.send();
            } catch (IOException e) {
                boolean notSent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
                if (!(notSent || idempotent) || !pause(n, null)) {
                    throw e;
                }
                continue;
            }
            Answer a = answer.apply(result);
            boolean declined = a.status() == 429 || a.status() == 503;
            boolean failedRead = idempotent && (a.status() == 500 || a.status() == 502 || a.status() == 504);
            if (!(declined || failedRead) || !pause(n, declined ? a.retryAfter().orElse(null) : null)) {
                return result;
            }
        }
    }

    /** Waits before attempt {@code n + 1}; false when no attempt is left or the wait would pass the deadline. */
    private boolean pause(int n, String retryAfter) throws InterruptedException {
        if (n + 1 >= MAX_ATTEMPTS) {
            return false;
        }
        Duration wait = Duration.ofMillis(jitter.applyAsLong(Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(n, 20))));
        Duration asked = retryAfter(retryAfter, clock.instant());
        if (asked != null) {
            if (asked.compareTo(MAX_RETRY_AFTER) > 0) {
                return false;
            }
            wait = asked.compareTo(wait) > 0 ? asked : wait;
        }
        if (wait.compareTo(remaining()) >= 0) {
            return false;
        }
        sleeper.sleep(wait);
        retries++;
        return true;
    }

    /** {@code Retry-After}: delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
