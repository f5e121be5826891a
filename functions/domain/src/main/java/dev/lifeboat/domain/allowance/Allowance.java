package dev.lifeboat.domain.allowance;

import java.util.List;

/** The policies of a datacenter that an enterprise's VMs may select; version 0 when never set. */
public record Allowance(String enterprise, String datacenter, List<String> policyIds, long version) {
    public Allowance {
        policyIds = List.copyOf(policyIds);
    }
}
