package dev.lifeboat.domain.common;

/**
 * Counters kept per datacenter so that rules spanning many items are checked with one read and one condition:
 * a VEEAM manager needs no DEFINED_HOUR policy; a manager cannot go while VMs are configured.
 */
public record DatacenterUsage(long definedHourPolicies, long configuredVms) {
    public static final DatacenterUsage NONE = new DatacenterUsage(0, 0);
}
