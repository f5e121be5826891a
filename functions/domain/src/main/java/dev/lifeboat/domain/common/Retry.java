package dev.lifeboat.domain.common;

import java.util.function.Supplier;

/**
 * Read-validate-write loops. When the writer gave no {@code If-Match} and only lost a race on the version the
 * service read, the whole step runs again on fresh data; with {@code If-Match}, the loss is the caller's 412.
 */
public final class Retry {
    static final int ATTEMPTS = 4;

    private Retry() {}

    /** Runs {@code step}; a {@link LostRace} thrown by it is retried while allowed. */
    public static <T> T optimistic(ExpectedVersion expected, Supplier<T> step) {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.get();
            } catch (LostRace race) {
                if (!expected.isAny() || attempt >= ATTEMPTS) {
                    throw race.answer();
                }
            }
        }
    }

    /** The step lost a race; {@link #answer()} is what the caller gets if it cannot retry. */
    public static final class LostRace extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Supplier<RuntimeException> answer;

        public LostRace(Supplier<RuntimeException> answer) {
            super(null, null, false, false);
            this.answer = answer;
        }

        RuntimeException answer() {
            return answer.get();
        }
    }
}
