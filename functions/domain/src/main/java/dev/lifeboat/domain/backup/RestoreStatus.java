package dev.lifeboat.domain.backup;

/** QUEUED → IN_PROGRESS → SUCCESS | FAILED. */
public enum RestoreStatus {
    QUEUED, IN_PROGRESS, SUCCESS, FAILED;

    public boolean ended() {
        return this == SUCCESS || this == FAILED;
    }
}
