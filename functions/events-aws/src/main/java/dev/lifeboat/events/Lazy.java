package dev.lifeboat.events;

import java.util.Objects;
import java.util.function.Supplier;

/** A value built on first use, once: functions that never publish or schedule never build the SDK client. */
final class Lazy<T> implements Supplier<T> {
    private final Supplier<? extends T> build;
    private T value;

    Lazy(Supplier<? extends T> build) {
        this.build = Objects.requireNonNull(build);
    }

    @Override
    public synchronized T get() {
        if (value == null) {
            value = Objects.requireNonNull(build.get(), "the client supplier answered null");
        }
        return value;
    }
}
