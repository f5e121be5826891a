package dev.lifeboat.domain.policy;

import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/** Port: where policies are kept. Writes are conditional and throw {@link StoreConflict} naming the failed condition. */
public interface PolicyRepository {
    Optional<BackupPolicy> findPolicy(String datacenter, String policyId);

    /** The id of the policy that holds this code (ignoring letter case) in the datacenter. */
    Optional<String> findPolicyIdByCode(String datacenter, String code);

    /** Policies of a datacenter, oldest first. */
    Page<BackupPolicy> listPolicies(String datacenter, PageRequest page);

    /** The policies of the datacenter among {@code policyIds}, in the order given; unknown ids are left out. */
    java.util.List<BackupPolicy> findPolicies(String datacenter, Collection<String> policyIds);

    /** The subset of {@code policyIds} that name policies of the datacenter. */
    Set<String> existingPolicyIds(String datacenter, Collection<String> policyIds);

    /**
     * Creates the policy with its code guard, and allows it to {@code allowEnterprise} (when not null) in the same
     * transaction. CODE_TAKEN, or MANAGER_IS_VEEAM for a DEFINED_HOUR policy.
     */
    void createPolicy(BackupPolicy policy, String allowEnterprise);

    /** VERSION_MISMATCH, NOT_FOUND, CODE_TAKEN, POLICY_IN_USE (when schedules change), MANAGER_IS_VEEAM. */
    void updatePolicy(BackupPolicy previous, BackupPolicy next);

    /** VERSION_MISMATCH, NOT_FOUND, POLICY_IN_USE. */
    void deletePolicy(BackupPolicy policy);
}
