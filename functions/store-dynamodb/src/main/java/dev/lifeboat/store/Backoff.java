package dev.lifeboat.store;

import java.util.function.Function;

/**
 * The pause before asking DynamoDB again for what a batch left unprocessed (a throttled partition), shared by batch
 * reads and writes so that both back off alike: AWS recommends exponential backoff for both (API reference,
 * BatchGetItem and BatchWriteItem).
 */
final class Backoff {
    /** Requests per batch chunk at most, the first included. */
    static final int ATTEMPTS = 5;

    private Backoff() {}

    /** The pause before attempt {@code attempt} (1 for the first repeat): 50, 100, 200, 400 ms. */
    static long before(int attempt) {
        return 25L << attempt;
    }

    /** Sleeps; an interrupt keeps the thread's flag set and fails with what {@code interrupted} makes of it. */
    static void sleep(long millis, Function<InterruptedException, RuntimeException> interrupted) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted.apply(e);
        }
    }
}
