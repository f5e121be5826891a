package dev.lifeboat.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lifeboat.domain.manager.ManagerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The next wait of a start retried in time: growing, capped, within the window, then given up. */
class StartRetriesTest {
    static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    static StartRetries at(Instant now, long jitter) {
        Map<ManagerType, Duration> windows = new EnumMap<>(ManagerType.class);
        for (ManagerType t : ManagerType.values()) windows.put(t, Duration.ofMinutes(10));
        return new StartRetries(windows, Clock.fixed(now, ZoneOffset.UTC), bound -> Math.min(bound, jitter));
    }

    @Test
    void theFirstFailureBeginsTheWindowAndTheWaitsGrowToTheCap() {
        JsonNode retry = JsonNodeFactory.instance.objectNode().put("attempt", 0);
        JsonNode first = at(T0, 0).next(ManagerType.VEEAM, retry);
        assertEquals(T0.plus(Duration.ofMinutes(10)).toString(), first.get("deadline").asText());
        assertTrue(first.get("again").asBoolean());
        long previous = 0;
        JsonNode r = first;
        for (int i = 0; i < 12; i++) {
            r = at(T0, Long.MAX_VALUE).next(ManagerType.VEEAM, r);
            long wait = r.get("waitSeconds").asLong();
            assertTrue(wait >= previous && wait <= StartRetries.MAX_WAIT_SECONDS, "growing, capped: " + wait);
            previous = wait;
        }
        assertEquals(StartRetries.MAX_WAIT_SECONDS, previous);
        assertEquals(T0.plus(Duration.ofMinutes(10)).toString(), r.get("deadline").asText(), "the window does not move");
    }

    @Test
    void noWaitGoesPastTheWindowAndAFailureAfterItGivesUp() {
        JsonNode retry = JsonNodeFactory.instance.objectNode().put("attempt", 9).put("deadline", T0.plusSeconds(30).toString());
        assertEquals(30, at(T0, Long.MAX_VALUE).next(ManagerType.NETWORKER, retry).get("waitSeconds").asLong());
        JsonNode after = at(T0.plusSeconds(30), 0).next(ManagerType.NETWORKER, retry);
        assertFalse(after.get("again").asBoolean());
    }

    @Test
    void theWindowComesFromTheEnvironmentAsAnIsoDuration() {
        StartRetries retries = StartRetries.fromEnvironment(Map.of("START_RETRY_WINDOW_VEEAM", "PT45S"), Clock.fixed(T0, ZoneOffset.UTC));
        JsonNode none = JsonNodeFactory.instance.objectNode();
        assertEquals(T0.plusSeconds(45).toString(), retries.next(ManagerType.VEEAM, none).get("deadline").asText());
        assertEquals(T0.plus(StartRetries.DEFAULT_WINDOW).toString(), retries.next(ManagerType.NETWORKER, none).get("deadline").asText());
        IllegalStateException bad = assertThrows(IllegalStateException.class,
                () -> StartRetries.fromEnvironment(Map.of("START_RETRY_WINDOW_VEEAM", "10 minutes"), Clock.systemUTC()));
        assertTrue(bad.getMessage().contains("START_RETRY_WINDOW_VEEAM"), bad.getMessage());
    }
}
