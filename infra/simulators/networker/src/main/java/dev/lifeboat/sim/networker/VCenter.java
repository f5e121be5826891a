package dev.lifeboat.sim.networker;

import java.util.Map;

/**
 * A vCenter known to NetWorker: its inventory (moref → display name of every datacenter, cluster, host, resource
 * pool, VM folder and datastore) and the placement new VMs get by default.
 */
public record VCenter(String hostname, Map<String, String> inventory, Placement defaultPlacement) {
    public VCenter {
        inventory = Map.copyOf(inventory);
    }
}
