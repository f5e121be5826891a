package dev.lifeboat.domain.vm;

/**
 * Port: starts the apply-schedule workflow for a VM whose configuration is PENDING. Starting the same request
 * twice runs it once (the adapter derives the execution name from it), so a caller may simply start again after a
 * failure. Implementations throw {@link Unavailable} when the workflow service cannot be reached.
 */
public interface ScheduleWorkflow {
    void start(ApplyRequest request);

    /** What the workflow needs to find its work; it loads everything else (never a secret) itself. */
    record ApplyRequest(String vm, String datacenter, long configVersion, ApplyAction action) {}

    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
