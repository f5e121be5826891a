package dev.lifeboat.domain.manager;

/** A datacenter that has a backup manager, as the console's datacenter list shows it. */
public record DatacenterSummary(String id, String managerName, ManagerType managerType, long policyCount, long configuredVmCount) {}
