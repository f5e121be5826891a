package dev.lifeboat.domain.vm;

/**
 * Where the VM lives on vCenter, as the cloud platform knows it. Lifeboat keeps these references for the plugins
 * (the VMware plugins find a VM by instance UUID or moref); each may be null.
 */
public record Hypervisor(String vcenter, String moref, String uuid) {
    public static final Hypervisor NONE = new Hypervisor(null, null, null);
}
