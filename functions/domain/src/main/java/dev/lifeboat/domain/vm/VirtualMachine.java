package dev.lifeboat.domain.vm;

import java.time.Instant;

/**
 * A VM as the cloud platform reported it, with its backup configuration. The enterprise and the datacenter never
 * change once set: policies, allowances and backups depend on them.
 */
public record VirtualMachine(
        String id,
        String enterprise,
        String datacenter,
        String name,
        VmState state,
        Hypervisor hypervisor,
        long version,
        Instant createdAt,
        Instant updatedAt,
        VmBackupConfig backup) {

    public VirtualMachine withBackup(VmBackupConfig next) {
        return new VirtualMachine(id, enterprise, datacenter, name, state, hypervisor, version, createdAt, updatedAt, next);
    }
}
