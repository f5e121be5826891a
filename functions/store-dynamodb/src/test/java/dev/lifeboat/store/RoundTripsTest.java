package dev.lifeboat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RoundTripsTest {
    @Test
    void callsRunTogetherAndAnswerInTheItemsOrder() {
        // Each call waits until all four have begun: one after another, the first would wait forever.
        CountDownLatch allBegun = new CountDownLatch(4);
        List<String> answers = RoundTrips.each(List.of(1, 2, 3, 4), i -> {
            allBegun.countDown();
            try {
                assertTrue(allBegun.await(10, TimeUnit.SECONDS), "the calls did not run together");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return "answer-" + i;
        });
        assertEquals(List.of("answer-1", "answer-2", "answer-3", "answer-4"), answers);
    }

    @Test
    void theFirstFailureIsThrownAsItWas() {
        IllegalArgumentException refused = new IllegalArgumentException("refused");
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> RoundTrips.each(List.of(1, 2, 3), i -> {
            if (i == 2) throw refused;
            return i;
        }));
        assertSame(refused, thrown);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // the pool's threads all waiting on the pool: without the guard, this hangs
    void aBatchInsideABatchRunsOnItsCallersThreadInsteadOfWaitingForThePool() {
        List<Integer> outer = IntStream.range(0, RoundTrips.AT_ONCE * 2).boxed().toList();
        List<Integer> sums = RoundTrips.each(outer, i -> RoundTrips.each(List.of(i, i), j -> j).stream().mapToInt(Integer::intValue).sum());
        assertEquals(outer.stream().map(i -> 2 * i).toList(), sums);
    }
}
