package dev.lifeboat.domain.backup;

/**
 * Port: starts the backup-lifecycle and multi-restore workflows. Each start is named after what it runs (the backup,
 * the restore request), so a repeated start runs once. {@link Unavailable} when the workflow service cannot be reached.
 */
public interface LifecycleWorkflows {
    void startBackup(Backup backup);

    void startRestores(RestoreRequest request);

    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
