package dev.lifeboat.domain.vm;

import dev.lifeboat.domain.common.ErrorInfo;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The backup configuration of a VM.
 *
 * @param policies the selected policies: while PENDING the ones being applied, otherwise the ones in force
 * @param previous while PENDING, the selection in force before the change (what a refusal puts back); else empty
 * @param action while PENDING, what the apply-schedule run does; else null
 * @param error why the last change failed, while FAILED; else null
 * @param version 0 for a VM that was never configured
 */
public record VmBackupConfig(
        List<PolicySelection> policies,
        List<PolicySelection> previous,
        ConfigStatus status,
        ApplyAction action,
        ErrorInfo error,
        long version,
        Instant updatedAt) {

    public static final VmBackupConfig NONE = new VmBackupConfig(List.of(), List.of(), ConfigStatus.APPLIED, null, null, 0, null);

    public VmBackupConfig {
        policies = List.copyOf(policies);
        previous = List.copyOf(previous);
    }

    public boolean pending() {
        return status == ConfigStatus.PENDING;
    }

    /**
     * The policies this VM holds in use: the selected ones and, while a change is pending, the ones it replaces,
     * because a refused change puts those back. A policy in use cannot change its schedules or be deleted.
     */
    public Set<String> policiesInUse() {
        Set<String> ids = new LinkedHashSet<>();
        policies.forEach(p -> ids.add(p.policyId()));
        previous.forEach(p -> ids.add(p.policyId()));
        return ids;
    }
}
