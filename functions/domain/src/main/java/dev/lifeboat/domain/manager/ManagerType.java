package dev.lifeboat.domain.manager;

/** The backup systems Lifeboat can drive, one plugin each. */
public enum ManagerType {
    VEEAM(false, true, false, false),
    NETWORKER(true, false, true, true),
    VMWARE_SNAPSHOT(false, false, true, false),
    VEEAM_SNAPSHOT(true, true, true, false);

    private final boolean splitCredentials;
    private final boolean endpointEndsWithSlash;
    private final boolean supportsDefinedHour;
    private final boolean restoresUnallocatedVm;

    ManagerType(boolean splitCredentials, boolean endpointEndsWithSlash, boolean supportsDefinedHour, boolean restoresUnallocatedVm) {
        this.splitCredentials = splitCredentials;
        this.endpointEndsWithSlash = endpointEndsWithSlash;
        this.supportsDefinedHour = supportsDefinedHour;
        this.restoresUnallocatedVm = restoresUnallocatedVm;
    }

    /** User and password hold a backup-system part and a vCenter part joined by the separator. */
    public boolean splitsCredentials() {
        return splitCredentials;
    }

    /** Veeam Enterprise Manager resolves relative links against its base URL, which must end with {@code /}. */
    public boolean endpointEndsWithSlash() {
        return endpointEndsWithSlash;
    }

    /** Veeam jobs cannot run once at a given moment, so VEEAM refuses DEFINED_HOUR schedules. */
    public boolean supportsDefinedHour() {
        return supportsDefinedHour;
    }

    /** NetWorker recreates a VM that is not allocated through vCenter; the others restore in place only. */
    public boolean restoresUnallocatedVm() {
        return restoresUnallocatedVm;
    }

    public static ManagerType parse(String text) {
        for (ManagerType t : values()) {
            if (t.name().equals(text)) {
                return t;
            }
        }
        return null;
    }
}
