package dev.lifeboat.domain.backup;

/** QUEUED → IN_PROGRESS → SUCCESS | FAILED; a SUCCESS the backup system no longer holds becomes EXPIRED. */
public enum BackupStatus {
    QUEUED, IN_PROGRESS, SUCCESS, FAILED, EXPIRED;

    /** While running, the backup holds the VM's lock. */
    public boolean running() {
        return this == QUEUED || this == IN_PROGRESS;
    }
}
