package dev.lifeboat.workflow;

/**
 * A task failed for a reason that may pass (the table throttled, the event bus was unreachable). Its fully qualified
 * class name is the error name the state machines retry with backoff.
 */
public final class TransientTaskError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransientTaskError(String message, Throwable cause) {
        super(message, cause);
    }
}
