package dev.lifeboat.domain.vm;

/** Whether the cloud platform has the VM on a hypervisor; only a deployed VM is known to the backup system. */
public enum VmState {
    DEPLOYED,
    NOT_ALLOCATED;

    public static VmState parse(String text) {
        for (VmState s : values()) {
            if (s.name().equals(text)) {
                return s;
            }
        }
        return null;
    }
}
