package dev.lifeboat.plugin.networker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a VM recovered with {@code recoverMode: New} goes: the vCenter managed-object references that the recover spec
 * requires (backup-systems.md §2.7: {@code datacenterMoref}, {@code clusterComputeResourceMoref} or
 * {@code computeResourceMoref}, {@code vmFolderMoref}, {@code datastoreMoref}; {@code hostMoref} and
 * {@code resourcePoolMoref} optional).
 */
record Placement(String datacenter, String cluster, String computeResource, String host, String resourcePool,
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

    /** The morefs of a VM item ({@code GET {VC}/vms/{uuid}}), null where the item does not carry them. */
    static Placement ofVmItem(JsonNode vm) {
        return new Placement(Wire.text(vm, "datacenterMoref"), Wire.text(vm, "clusterComputeResourceMoref"),
                Wire.text(vm, "computeResourceMoref"), Wire.text(vm, "hostMoref"), Wire.text(vm, "resourcePoolMoref"),
                Wire.text(vm, "vmFolderMoref"), Wire.text(vm, "datastoreMoref"));
    }

    Placement withDatastore(String ds) {
        return ds == null ? this : new Placement(datacenter, cluster, computeResource, host, resourcePool, vmFolder, ds);
    }

    /**
     * Finds the placement of a VM to be recreated from a backup. The session is given because the lookup belongs to
     * vCenter: the vCenter half of the manager's credentials is what a vCenter lookup logs on with.
     */
    interface Resolver {
        Placement placementFor(Session session, NetworkerClient client, String vCenter, String vmUuid, JsonNode backup);
    }

    /**
     * The placement from what NetWorker tells about its vCenters (backup-systems.md §2.7 says the morefs "come from
     * vCenter": SOAP §3, or reuse {@code vmInformation.datastoreMoref}). This resolver asks NetWorker's vCenter
     * endpoints instead, in this order:
     * <ol>
     *   <li>the VM itself, {@code GET {VC}/vms/{uuid}}, when vCenter still has it (a NEW_VM copy beside the original):
     *       the copy goes where the original is;</li>
     *   <li>otherwise (the VM is gone, {@code Refs.Vm.allocated()==false}) a VM of the same vCenter that lives on the
     *       backup's datastore ({@code vmInformation.datastoreMoref}), from {@code GET {VC}/vms}: a VM on that datastore
     *       shows the datacenter, cluster, folder and pool where that storage is reachable; failing that, the first VM
     *       of that vCenter with a full placement;</li>
     *   <li>the datastore is always the backup's own when the backup names it, so the disks go back where they were.</li>
     * </ol>
     *
     * <p><b>Where a real deployment differs:</b> the placement morefs on NetWorker's VM items ({@code datacenterMoref},
     * {@code vmFolderMoref}, ...) are the simulator's choice [U], not something NetWorker is known to return. On a real
     * server this resolver finds only the datastore and answers REFUSED naming what is missing; the resolver to plug in
     * there asks vCenter itself (vim25 SOAP, §3: {@code FindByInventoryPath} / PropertyCollector on the datastore's
     * datacenter, its {@code vmFolder}, and a cluster with the datastore and its resource pool), logging on with
     * {@link Session#vcenterUser(String)} / {@link Session#vcenterPassword(String)}. That lookup is the VMware plugin's
     * client; this module does not carry a second copy of it.
     */
    static final class FromNetworkerInventory implements Resolver {
        @Override
        public Placement placementFor(Session session, NetworkerClient client, String vCenter, String vmUuid, JsonNode backup) {
            String backupDatastore = Wire.text(backup.path("vmInformation"), "datastoreMoref");
            String vcPath = "vmware/vcenters/" + NetworkerClient.seg(vCenter);
            NetworkerClient.Response own = client.exchange("GET", client.resolve(vcPath + "/vms/" + NetworkerClient.seg(vmUuid)), null);
            if (own.ok()) {
                Placement p = ofVmItem(NetworkerClient.json(own.body())).withDatastore(backupDatastore);
                if (p.missing().isEmpty()) {
                    return p;
                }
            } else if (own.status() != 404) {
                throw client.error("GET", client.resolve(vcPath + "/vms/" + NetworkerClient.seg(vmUuid)), own,
                        new NetworkerClient.Lookup(TerminalError.UNKNOWN_VM, "vCenter " + vCenter));
            }
            JsonNode list = client.get(vcPath + "/vms", new NetworkerClient.Lookup(TerminalError.REFUSED, "vCenter " + vCenter));
            Placement sameDatastore = null;
            Placement any = null;
            for (JsonNode vm : Wire.items(list, "vms")) {
                Placement p = ofVmItem(vm);
                if (!p.withDatastore("x").missing().isEmpty()) {
                    continue;
                }
                if (any == null) {
                    any = p;
                }
                if (backupDatastore != null && backupDatastore.equals(p.datastore())) {
                    sameDatastore = p;
                    break;
                }
            }
            Placement chosen = sameDatastore != null ? sameDatastore : any;
            if (chosen == null) {
                return new Placement(null, null, null, null, null, null, backupDatastore);
            }
            return chosen.withDatastore(backupDatastore);
        }
    }
}
