package dev.lifeboat.local.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LocalClockTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void startsAtTheGivenInstantAndOnlyMovesForward() {
        LocalClock clock = new LocalClock(START, 600);
        Instant first = clock.now();
        Instant second = clock.now();
        assertFalse(first.isBefore(START));
        assertFalse(second.isBefore(first));
        // A generous bound: a day of local time is 144 s of real time at this speed.
        assertTrue(first.isBefore(START.plus(Duration.ofDays(1))), first.toString());
        assertEquals(600, clock.speed());
        assertEquals(clock.getZone(), java.time.ZoneOffset.UTC);
    }

    @Test
    void startingNowIsNearTheRealNow() {
        Instant before = Instant.now();
        LocalClock clock = LocalClock.startingNow(1);
        Instant local = clock.now();
        assertFalse(local.isBefore(before));
        assertTrue(local.isBefore(Instant.now().plusSeconds(1)));
    }

    @Test
    void sleepUntilReturnsOnceTheLocalClockHasReachedTheInstant() throws InterruptedException {
        LocalClock clock = new LocalClock(START, 600);
        Instant target = START.plus(Duration.ofMinutes(2));
        long realStart = System.nanoTime();
        clock.sleepUntil(target);
        long realNanos = System.nanoTime() - realStart;
        assertFalse(clock.now().isBefore(target));
        // Two local minutes are 200 ms of real time; only a generous upper bound is checked.
        assertTrue(realNanos < TimeUnit.SECONDS.toNanos(30), realNanos + " ns");
    }

    @Test
    void sleepingUntilAPastInstantReturnsAtOnce() throws InterruptedException {
        LocalClock clock = new LocalClock(START, 1);
        clock.sleepUntil(START.minusSeconds(3600));
        clock.sleep(Duration.ZERO);
    }

    @Test
    void advanceJumpsAheadAndWakesSleepers() throws InterruptedException {
        LocalClock clock = new LocalClock(START, 1);
        Instant farAway = START.plus(Duration.ofDays(10));
        CountDownLatch woke = new CountDownLatch(1);
        AtomicReference<Instant> seen = new AtomicReference<>();
        Thread sleeper = new Thread(() -> {
            try {
                clock.sleepUntil(farAway);
                seen.set(clock.now());
                woke.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        sleeper.start();
        AtomicInteger listened = new AtomicInteger();
        clock.onAdvance(listened::incrementAndGet);
        clock.advance(Duration.ofDays(10));
        assertTrue(woke.await(30, TimeUnit.SECONDS), "the sleeper woke");
        assertFalse(seen.get().isBefore(farAway));
        assertEquals(1, listened.get());
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
    }

    @Test
    void realDurationsScaleWithTheSpeed() {
        LocalClock clock = new LocalClock(START, 60);
        assertEquals(Duration.ofSeconds(1), clock.toReal(Duration.ofMinutes(1)));
        assertEquals(Duration.ofMillis(100), new LocalClock(START, 600).toReal(Duration.ofMinutes(1)));
        assertEquals(Duration.ofSeconds(2), new LocalClock(START, 0.5).toReal(Duration.ofSeconds(1)));
        assertEquals(Duration.ZERO, clock.toReal(Duration.ofSeconds(-5)));
        assertEquals(0, clock.realNanosUntil(START.minusSeconds(1)));
        assertTrue(clock.realNanosUntil(START.plus(Duration.ofHours(1))) <= TimeUnit.MINUTES.toNanos(1));
    }

    @Test
    void aZoneViewReadsTheSameClock() {
        LocalClock clock = new LocalClock(START, 1);
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
        assertEquals(ZoneId.of("Europe/Paris"), paris.getZone());
        assertFalse(paris.instant().isBefore(START));
        assertTrue(paris.instant().isBefore(START.plusSeconds(60)));
    }

    @Test
    void speedsMustBePositiveNumbers() {
        assertEquals(60, LocalClock.parseSpeed("60"));
        assertEquals(0.5, LocalClock.parseSpeed(" 0.5 "));
        for (String bad : new String[] {"0", "-1", "fast", "NaN", "Infinity", ""}) {
            assertThrows(IllegalArgumentException.class, () -> LocalClock.parseSpeed(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new LocalClock(START, 0));
        assertThrows(IllegalArgumentException.class, () -> new LocalClock(START, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new LocalClock(null, 1));
    }
}
