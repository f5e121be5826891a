package dev.lifeboat.plugin.networker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.plugin.Session;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a VM recovered with {@code recoverMode: New} goes: the vCenter managed-object references that the recover spec
 * requires (backup-systems.md §2.7: {@code datacenterMoref}, {@code clusterComputeResourceMoref} or
 * {@code computeResourceMoref}, {@code vmFolderMoref}, {@code datastoreMoref}; {@code hostMoref} and
 * {@code resourcePoolMoref} optional). Values are the morefs' values as vCenter writes them ({@code domain-c26}).
 */
public record Placement(String datacenter, String cluster, String computeResource, String host, String resourcePool,
                 String vmFolder, String datastore) {

    /** The fields a {@code New} recover cannot do without, by their spec names, that this placement lacks. */
    List<String> missing() {
        List<String> out = new ArrayList<>();
        if (datacenter == null) out.add("datacenterMoref");
        if (cluster == null && computeResource == null) out.add("clusterComputeResourceMoref");
        if (vmFolder == null) out.add("vmFolderMoref");
        if (datastore == null) out.add("datastoreMoref");
        return out;
    }

    /**
     * Finds the placement of a VM to be recreated from a backup. The morefs belong to vCenter (§2.7), so the lookup asks
     * vCenter, logging on with the vCenter half of the manager's credentials; the default is {@link VcenterPlacement}.
     *
     * @param vCenter the vCenter as NetWorker names it (the restore point's {@code vcenters/<vc>}), host[:port]
     * @param vmUuid  the backed-up VM's instance uuid
     * @param backup  NetWorker's backup resource ({@code vmInformation.datastoreMoref} is where its disks were)
     */
    public interface Resolver {
        Placement placementFor(Session session, String vCenter, String vmUuid, JsonNode backup);
    }
}
