package dev.lifeboat.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Independent requests of one task sent together instead of one after another: a task's time is its round trips, and
 * the chunks of one batch (two transactions of a page's discoveries, two BatchGetItems of its pointers) do not depend
 * on each other. At most {@link #AT_ONCE} at a time per JVM, on daemon threads, so that a Lambda instance never holds
 * more connections than its one HTTP client pools.
 */
public final class RoundTrips {
    public static final int AT_ONCE = 8;
    private static final String THREAD = "dynamodb-round-trip";
    private static final ExecutorService POOL = Executors.newFixedThreadPool(AT_ONCE, r -> {
        Thread t = new Thread(r, THREAD);
        t.setDaemon(true);
        return t;
    });

    private RoundTrips() {}

    /**
     * {@code call} of each item, the answers in the items' order; the first failure is thrown as it was (the other
     * calls are cancelled). One item, or a call from a thread of this pool (a nested batch), runs here: a pool thread
     * waiting on the pool could wait forever.
     */
    public static <T, R> List<R> each(List<T> items, Function<T, R> call) {
        if (items.size() <= 1 || Thread.currentThread().getName().equals(THREAD)) return items.stream().map(call).toList();
        List<Future<R>> futures = new ArrayList<>(items.size());
        for (T item : items) futures.add(POOL.submit(() -> call.apply(item)));
        List<R> out = new ArrayList<>(items.size());
        try {
            for (Future<R> f : futures) out.add(f.get());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for DynamoDB", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }
}
