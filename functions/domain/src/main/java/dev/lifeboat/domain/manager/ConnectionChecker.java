package dev.lifeboat.domain.manager;

/** Port: asks the manager type's plugin to log on to the backup system (the only backup-system call inside a request). */
public interface ConnectionChecker {
    /** Throws a SERVICE_UNAVAILABLE {@link dev.lifeboat.domain.error.DomainException} when no plugin serves the type. */
    ConnectionCheck check(BackupManager manager);
}
