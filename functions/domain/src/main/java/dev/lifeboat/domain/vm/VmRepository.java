package dev.lifeboat.domain.vm;

import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import java.util.Map;
import java.util.Optional;

/** Port: where VMs and their backup configurations are kept. Writes throw {@link StoreConflict}. */
public interface VmRepository {
    Optional<VirtualMachine> findVm(String id);

    /**
     * VMs sorted by datacenter, then id.
     *
     * @param enterprise only this enterprise's VMs, or null for every enterprise
     * @param datacenter only this datacenter's VMs, or null for all
     */
    Page<VirtualMachine> listVms(String enterprise, String datacenter, PageRequest page);

    /**
     * Writes {@code next} in place of {@code previous} (null: the VM is new) when both the VM's version and its
     * configuration's version are still those of {@code previous}. In the same transaction it keeps the policy → VM
     * index, each policy's VM count and the datacenter's count of configured VMs in step with
     * {@link VmBackupConfig#policiesInUse()}, and checks that each newly used policy still has the version given in
     * {@code policyVersions} (so its schedules cannot change under the validation just made).
     * ALREADY_EXISTS, NOT_FOUND, or VERSION_MISMATCH (for the VM or a policy: read again and retry).
     */
    void saveVm(VirtualMachine previous, VirtualMachine next, Map<String, Long> policyVersions);
}
