package dev.lifeboat.sim.networker;

/**
 * Where a VM lives in its vCenter, as the managed-object references a recover {@code New} must name
 * (backup-systems.md §2.7: datacenter-*, domain-c*, host-*, resgroup-*, group-v*, datastore-*).
 */
public record Placement(String datacenterMoref, String clusterComputeResourceMoref, String hostMoref,
                        String resourcePoolMoref, String vmFolderMoref, String datastoreMoref) {
}
