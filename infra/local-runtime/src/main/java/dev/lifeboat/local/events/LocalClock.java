package dev.lifeboat.local.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The local runtime's clock: it starts at a given instant (by default the real now) and runs {@code speed} times
 * as fast as real time, so that schedules of minutes or hours can be watched in seconds ({@code --clock-speed 60}:
 * one real second is a local minute).
 *
 * <p>It counts real time with {@link System#nanoTime()}, not the wall clock, so a change of the machine's time does
 * not make it jump. It only moves forward: {@link #advance(Duration)} jumps ahead (for tests and demos), and wakes
 * every thread sleeping on it. Thread-safe.
 */
public final class LocalClock extends Clock {
    private final Instant origin;
    private final long originNanos;
    private final double speed;
    private final List<Runnable> advanceListeners = new CopyOnWriteArrayList<>();
    /** Added by {@link #advance}; written under this object's monitor. */
    private volatile long jumpedNanos;

    /**
     * @param start the local time now
     * @param speed local seconds per real second; above 0 (below 1 slows the clock down)
     */
    public LocalClock(Instant start, double speed) {
        if (start == null) {
            throw new IllegalArgumentException("start is required");
        }
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("clock speed must be a number above 0, got " + speed);
        }
        this.origin = start;
        this.originNanos = System.nanoTime();
        this.speed = speed;
    }

    /** A clock at the real now running {@code speed} times as fast. */
    public static LocalClock startingNow(double speed) {
        return new LocalClock(Instant.now(), speed);
    }

    /** A clock that follows real time. */
    public static LocalClock realTime() {
        return startingNow(1);
    }

    /** Reads a {@code --clock-speed} value: a positive number, e.g. {@code 60} or {@code 0.5}. */
    public static double parseSpeed(String text) {
        double speed;
        try {
            speed = Double.parseDouble(text.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("clock speed must be a number above 0, got " + text);
        }
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("clock speed must be a number above 0, got " + text);
        }
        return speed;
    }

    public double speed() {
        return speed;
    }

    /** The local time now. */
    public Instant now() {
        long realNanos = System.nanoTime() - originNanos;
        return origin.plusNanos(localNanos(realNanos) + jumpedNanos);
    }

    @Override
    public Instant instant() {
        return now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** A view in another zone that reads this clock. */
    @Override
    public Clock withZone(ZoneId zone) {
        LocalClock clock = this;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return clock.withZone(other);
            }

            @Override
            public Instant instant() {
                return clock.now();
            }
        };
    }

    /** Jumps ahead by {@code by} local time and wakes every sleeper, which then rechecks its deadline. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the local clock only moves forward, got " + by);
        }
        synchronized (this) {
            jumpedNanos += by.toNanos();
            notifyAll();
        }
        advanceListeners.forEach(Runnable::run);
    }

    /** Runs {@code listener} after every {@link #advance}, e.g. to wake a loop that waits on its own lock. */
    public void onAdvance(Runnable listener) {
        advanceListeners.add(listener);
    }

    public void removeAdvanceListener(Runnable listener) {
        advanceListeners.remove(listener);
    }

    /** Real nanoseconds until the local clock reaches {@code instant}, at the current speed; 0 when it has. */
    public long realNanosUntil(Instant instant) {
        Duration local = Duration.between(now(), instant);
        if (local.isNegative() || local.isZero()) {
            return 0;
        }
        return toReal(local).toNanos();
    }

    /** How long {@code local} lasts in real time; at least a nanosecond for any positive duration. */
    public Duration toReal(Duration local) {
        if (local.isNegative() || local.isZero()) {
            return Duration.ZERO;
        }
        double nanos = Math.ceil(local.getSeconds() * 1e9 / speed + local.getNano() / speed);
        return Duration.ofNanos(nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, (long) nanos));
    }

    /** Sleeps until the local clock reaches {@code instant} (at once if it has); wakes early on no account. */
    public void sleepUntil(Instant instant) throws InterruptedException {
        synchronized (this) {
            while (true) {
                long nanos = realNanosUntil(instant);
                if (nanos <= 0) {
                    return;
                }
                // Woken by advance() or spuriously: the loop measures again.
                TimeUnit.NANOSECONDS.timedWait(this, nanos);
            }
        }
    }

    /** Sleeps for {@code local} local time. */
    public void sleep(Duration local) throws InterruptedException {
        sleepUntil(now().plus(local));
    }

    private long localNanos(long realNanos) {
        // A double holds whole nanoseconds exactly up to ~104 days of local time; beyond, it loses
        // sub-microsecond precision, which no schedule (minute precision) can see.
        return speed == 1 ? realNanos : (long) (realNanos * speed);
    }

    @Override
    public String toString() {
        return "LocalClock[" + now() + ", speed " + speed + "]";
    }
}
