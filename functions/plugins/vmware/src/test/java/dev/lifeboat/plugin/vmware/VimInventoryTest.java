package dev.lifeboat.plugin.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.vmware.VimClient.Moref;
import dev.lifeboat.testing.VcsimServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The inventory look-ups another plugin builds on (the NetWorker plugin places recovered VMs with them), against
 * vcsim's default inventory: properties as plain values, one call for several objects, the walk up to the datacenter,
 * the hosts of a datastore. Morefs are looked up, never hard-coded.
 */
class VimInventoryTest {
    private final VcsimServer vcsim = Fixtures.vcsim();
    private final VimClient client = new VimClient(new VimClient.Config(Fixtures.testTimeout().multipliedBy(5), Fixtures.testTimeout().multipliedBy(5)));

    private VimClient.Session open() {
        // Not the manager form: an endpoint, a trust setting and the credentials, as a NetWorker manager's vCenter part.
        VimClient.Session s = client.open(vcsim.sdkUri().toString(), null, true, Fixtures.USER, new Secret(Fixtures.PASSWORD));
        s.login();
        return s;
    }

    @Test
    void aVmsPlacementIsReadAndWalkedUpToItsDatacenter() {
        try (VimClient.Session s = open()) {
            Moref dc = s.findByInventoryPath("DC0");
            assertEquals("Datacenter", dc.type());
            Moref vm = s.findByInventoryPath("DC0/vm/DC0_C0_RP0_VM0");
            assertEquals("VirtualMachine", vm.type());
            assertNull(s.findByInventoryPath("DC0/vm/no-such-vm"));

            Map<String, Object> p = s.properties(vm, List.of("runtime.host", "resourcePool", "parent", "datastore", "config.instanceUuid"));
            Moref host = VimClient.asMoref(p.get("runtime.host"));
            assertEquals("HostSystem", host.type());
            assertEquals("ResourcePool", VimClient.asMoref(p.get("resourcePool")).type());
            Moref folder = VimClient.asMoref(p.get("parent"));
            List<Moref> datastores = VimClient.asMorefs(p.get("datastore"));
            assertEquals(1, datastores.size());
            assertEquals("Datastore", datastores.get(0).type());
            assertEquals(vm, s.findVmByInstanceUuid((String) p.get("config.instanceUuid")));

            Moref cluster = VimClient.asMoref(s.properties(host, List.of("parent")).get("parent"));
            assertEquals("ClusterComputeResource", cluster.type());
            assertEquals(s.findByInventoryPath("DC0/host/DC0_C0"), cluster);
            assertEquals(dc, s.datacenterOf(host), "host → cluster → host folder → datacenter");
            assertEquals(dc, s.datacenterOf(vm), "VM → VM folder → datacenter");
            assertEquals(dc, s.datacenterOf(dc));
            Map<String, Object> dcProps = s.properties(dc, List.of("vmFolder", "name"));
            assertEquals(folder, dcProps.get("vmFolder"), "the VM is in its datacenter's VM folder");
            assertEquals("DC0", dcProps.get("name"));
        }
    }

    @Test
    void severalObjectsAreReadInOneCall() {
        try (VimClient.Session s = open()) {
            Moref standalone = s.findByInventoryPath("DC0/host/DC0_H0");
            Moref cluster = s.findByInventoryPath("DC0/host/DC0_C0");
            Map<Moref, Map<String, Object>> both = s.properties(List.of(standalone, cluster), List.of("resourcePool", "name"));
            assertEquals(List.of(standalone, cluster), List.copyOf(both.keySet()));
            assertEquals("ComputeResource", standalone.type());
            assertEquals("DC0_H0", both.get(standalone).get("name"));
            assertEquals("DC0_C0", both.get(cluster).get("name"));
            assertEquals("ResourcePool", VimClient.asMoref(both.get(cluster).get("resourcePool")).type());
            assertEquals(Map.of(), s.properties(List.of(), List.of("name")));
        }
    }

    @Test
    void theHostsOfADatastoreAreThoseThatMountIt() {
        try (VimClient.Session s = open()) {
            Moref vm = s.findByInventoryPath("DC0/vm/DC0_H0_VM0");
            Moref ds = VimClient.asMorefs(s.properties(vm, List.of("datastore")).get("datastore")).get(0);
            List<Moref> hosts = s.hostsMounting(ds);
            assertFalse(hosts.isEmpty(), "vcsim's LocalDS_0 is mounted somewhere");
            for (Moref h : hosts) {
                assertEquals("HostSystem", h.type());
                assertTrue(VimClient.asMorefs(s.properties(h, List.of("datastore")).get("datastore")).contains(ds),
                        h + " lists " + ds + " among its datastores");
            }
            TerminalError gone = assertThrows(TerminalError.class, () -> s.hostsMounting(new Moref("Datastore", "datastore-999")));
            assertEquals(TerminalError.REFUSED, gone.code());
            assertTrue(gone.detail().contains("no longer has Datastore:datastore-999"), gone.detail());
        }
    }
}
