package dev.lifeboat.sim;

import java.time.Duration;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The fault switch of a simulator, for reliability tests: a share of requests answered with a server error, a delay
 * before every answer, a share of connections dropped without an answer, and requests carried out whose answer is
 * then dropped (the backup system started the job, the client never heard). Changeable while the simulator runs;
 * the random source is seeded so a failing test can be replayed.
 */
public final class Faults {
    private volatile double errorRate;
    private volatile int errorStatus = 500;
    private volatile Duration latency = Duration.ZERO;
    private volatile double dropRate;
    private volatile int failNext;
    private volatile int dropNext;
    private volatile int dropAnswerNext;
    private volatile double dropAnswerRate;
    private volatile Predicate<String> dropAnswerOf = r -> false;
    private volatile Predicate<String> changeBefore = r -> false;
    private volatile Runnable change;
    private final Random random;

    public Faults(long seed) {
        this.random = new Random(seed);
    }

    public Faults() {
        this(42);
    }

    /** A share (0..1) of requests answered with {@code status} (500, 503, ...). */
    public Faults errorRate(double rate, int status) {
        this.errorRate = rate;
        this.errorStatus = status;
        return this;
    }

    /** The next {@code count} requests answer {@code status}. */
    public Faults failNext(int count, int status) {
        this.failNext = count;
        this.errorStatus = status;
        return this;
    }

    public Faults latency(Duration latency) {
        this.latency = latency;
        return this;
    }

    /** A share (0..1) of connections closed without an answer. */
    public Faults dropRate(double rate) {
        this.dropRate = rate;
        return this;
    }

    /** The next {@code count} connections are closed without an answer. */
    public Faults dropNext(int count) {
        this.dropNext = count;
        return this;
    }

    /**
     * The next {@code count} requests that {@code requests} accepts are carried out, then their connection is closed
     * without an answer. A request is seen as {@code "METHOD /path?query"}.
     */
    public Faults dropAnswerNext(int count, Predicate<String> requests) {
        this.dropAnswerOf = requests;
        this.dropAnswerNext = count;
        return this;
    }

    /** A share (0..1) of the requests that {@code requests} accepts carried out, then left without an answer. */
    public Faults dropAnswerRate(double rate, Predicate<String> requests) {
        this.dropAnswerOf = requests;
        this.dropAnswerRate = rate;
        return this;
    }

    /**
     * Before the next request that {@code requests} accepts is served, {@code change} runs once: the backup system
     * changes between two requests of a client (retention deleting a restore point while a client pages a query).
     */
    public Faults changeBeforeNext(Predicate<String> requests, Runnable change) {
        this.changeBefore = requests;
        this.change = change;
        return this;
    }

    public Faults clear() {
        errorRate = 0;
        dropRate = 0;
        failNext = 0;
        dropNext = 0;
        dropAnswerNext = 0;
        dropAnswerRate = 0;
        dropAnswerOf = r -> false;
        changeBefore = r -> false;
        change = null;
        latency = Duration.ZERO;
        return this;
    }

    Duration latency() {
        return latency;
    }

    /** Decides the fate of one request, seen as {@code "METHOD /path?query"}. */
    synchronized Fate next(String request) {
        Runnable pending = change;
        if (pending != null && changeBefore.test(request)) {
            change = null;
            pending.run();
        }
        if ((dropAnswerNext > 0 || dropAnswerRate > 0) && dropAnswerOf.test(request)) {
            if (dropAnswerNext > 0) {
                dropAnswerNext--;
                return Fate.SERVE_THEN_DROP;
            }
            if (random.nextDouble() < dropAnswerRate) {
                return Fate.SERVE_THEN_DROP;
            }
        }
        return next();
    }

    /** Decides the fate of one request. */
    synchronized Fate next() {
        if (dropNext > 0) {
            dropNext--;
            return Fate.DROP;
        }
        if (failNext > 0) {
            failNext--;
            return Fate.ERROR;
        }
        if (dropRate > 0 && random.nextDouble() < dropRate) {
            return Fate.DROP;
        }
        if (errorRate > 0 && random.nextDouble() < errorRate) {
            return Fate.ERROR;
        }
        return Fate.SERVE;
    }

    int errorStatus() {
        return errorStatus;
    }

    enum Fate { SERVE, ERROR, DROP, SERVE_THEN_DROP }
}
