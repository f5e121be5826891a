package dev.lifeboat.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.fakes.Fixtures;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void idsSortInCreationOrderEvenWithinOneMillisecond() {
        Ids ids = new Ids(Fixtures.CLOCK);
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            made.add(ids.get());
        }
        List<String> sorted = new ArrayList<>(made);
        sorted.sort(null);
        assertEquals(made, sorted);
        assertEquals(1000, new HashSet<>(made).size());
        assertTrue(made.stream().allMatch(Ids::looksLikeId));
    }

    @Test
    void timePartIsTheMillisecondsInBase32() {
        String id = new Ids(Clock.fixed(Instant.ofEpochMilli(0), ZoneOffset.UTC)).get();
        assertEquals("0000000000", id.substring(0, 10));
        String later = new Ids(Clock.fixed(Instant.ofEpochMilli(32), ZoneOffset.UTC)).get();
        assertEquals("0000000010", later.substring(0, 10));
    }
}
