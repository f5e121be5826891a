package dev.lifeboat.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.manager.ManagerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * How long a start (backup, restore) or an apply step is retried after a transient error of its plugin
 * ({@code dev.lifeboat.plugin.RetryableError}): for a window per manager type from the first failure, with growing
 * waits, rather than a fixed number of attempts. A backup system that restarts for a few minutes then costs a few
 * waits, not the operation. The window comes from {@code START_RETRY_WINDOW_<TYPE>} (an ISO-8601 duration such as
 * {@code PT10M}; default 10 minutes).
 *
 * <p>The state machine keeps {@code {attempt, deadline}} in the run; {@code retry.next} answers the next wait and
 * whether to go on. Waits are exponential from 2 s, doubled per attempt and capped at 2 minutes, with "equal jitter"
 * (half fixed, half random) so that the VMs of a datacenter that failed together do not retry together, and never
 * past the window's end.
 */
final class StartRetries {
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    static final long FIRST_WAIT_SECONDS = 2;
    static final long MAX_WAIT_SECONDS = 120;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Map<ManagerType, Duration> windows;
    private final Clock clock;
    private final LongUnaryOperator jitter;

    StartRetries(Map<ManagerType, Duration> windows, Clock clock, LongUnaryOperator jitter) {
        this.windows = windows;
        this.clock = clock;
        this.jitter = jitter;
    }

    static StartRetries fromEnvironment(Map<String, String> env, Clock clock) {
        Map<ManagerType, Duration> windows = new EnumMap<>(ManagerType.class);
        for (ManagerType type : ManagerType.values()) {
            String name = "START_RETRY_WINDOW_" + type.name();
            String value = env.get(name);
            try {
                windows.put(type, value == null || value.isBlank() ? DEFAULT_WINDOW : Duration.parse(value));
            } catch (DateTimeParseException e) {
                throw new IllegalStateException(name + " is not an ISO-8601 duration such as PT10M: " + value, e);
            }
        }
        return new StartRetries(Map.copyOf(windows), clock, bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /**
     * After a failed attempt: {@code {attempt, deadline, waitSeconds, again}}. The first failure begins the window
     * ({@code retry} without a deadline); {@code again} is false once it has passed, and the caller records the failure.
     */
    JsonNode next(ManagerType type, JsonNode retry) {
        Instant now = clock.instant();
        int attempt = retry.path("attempt").asInt(0);
        Instant deadline = retry.hasNonNull("deadline") ? Instant.parse(retry.get("deadline").asText()) : now.plus(windows.get(type));
        ObjectNode out = NODES.objectNode().put("attempt", attempt + 1).put("deadline", deadline.toString());
        long left = Duration.between(now, deadline).toSeconds();
        if (left < 1) {
            return out.put("waitSeconds", 0).put("again", false);
        }
        long ceiling = Math.min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS << Math.min(attempt, 20));
        long wait = ceiling - ceiling / 2 + jitter.applyAsLong(ceiling / 2);
        return out.put("waitSeconds", Math.max(1, Math.min(wait, left))).put("again", true);
    }
}
