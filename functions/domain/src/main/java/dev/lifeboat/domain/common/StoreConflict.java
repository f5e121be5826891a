package dev.lifeboat.domain.common;

/**
 * A conditional write that the store refused. The reason names the condition that failed, so the service can
 * answer the user precisely (or retry when it only lost a race on the version it read).
 */
public final class StoreConflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        ALREADY_EXISTS,
        NOT_FOUND,
        VERSION_MISMATCH,
        CODE_TAKEN,
        POLICY_IN_USE,
        MANAGER_IS_VEEAM,
        DEFINED_HOUR_POLICIES_EXIST,
        VMS_CONFIGURED,
        /** Another backup or restore of the VM holds its lock. */
        VM_LOCKED
    }

    private final Reason reason;

    public StoreConflict(Reason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
