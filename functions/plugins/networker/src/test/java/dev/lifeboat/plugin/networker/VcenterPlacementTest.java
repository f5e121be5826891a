package dev.lifeboat.plugin.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.vmware.VimClient;
import dev.lifeboat.plugin.vmware.VimClient.Moref;
import dev.lifeboat.sim.networker.Disk;
import dev.lifeboat.sim.networker.NetworkerSimulator;
import dev.lifeboat.sim.networker.Placement;
import dev.lifeboat.sim.networker.Vm;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Restores as a new VM (NetWorker recover {@code New}) placed by vCenter itself: a real vcsim ({@link VcsimVcenter})
 * is the vCenter, and the NetWorker simulator's inventory of that vCenter is built from it (the morefs of DC0, its
 * clusters, hosts, resource pools, VM folder and datastore, read through {@link VimClient}), so the simulator's check of
 * a recover's morefs is a check against vCenter's. Each case mirrors a different vcsim VM into NetWorker, since cases
 * change vcsim (a VM's uuid, a destroyed VM) and vcsim lives for the whole test JVM.
 */
class VcenterPlacementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NW_USER = "nwadmin";
    private static final String NW_PASSWORD = "Nw-S3cret!";
    private static final Refs.Policy GOLD = new Refs.Policy("pol-gold", "GOLD");

    private final VcsimVcenter vcenter = VcsimVcenter.get();
    private NetworkerSimulator nw;
    private NetworkerPlugin plugin;

    @BeforeEach
    void start() throws IOException {
        nw = NetworkerSimulator.builder().jobDuration(Duration.ofMillis(200)).credentials(NW_USER, NW_PASSWORD).start();
        nw.addPolicy("Lifeboat", "");
        nw.addWorkflow("Lifeboat", "GOLD", "GOLD");
        nw.addVCenter(vcenter.host());
        plugin = new NetworkerPlugin(NetworkerPlugin.Settings.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        try (VimClient.Session s = readVcenter()) {
            registerInventory(s);
        }
    }

    @AfterEach
    void stop() {
        nw.close();
    }

    // ---- the cases -----------------------------------------------------------------------------------------------------

    @Test
    void aCopyOfAVmStillInVcenterGoesBesideIt() throws Exception {
        Mirrored web = mirror("DC0_H0_VM0");
        // vCenter now knows the VM by the instance uuid NetWorker has for it.
        vcenter.setInstanceUuid(web.vcsimVm.value(), web.nw.uuid());
        Refs.RestorePoint rp = backUp(web.nw);

        Results.JobStatus done = waitFor(plugin.startRestore(session(), ref(web.nw, true), rp, Refs.RestoreMode.NEW_VM));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        JsonNode body = JSON.readTree(nw.recovers().get(0).requestBody());
        assertEquals("New", body.path("recoverMode").asText());
        assertEquals(vcenter.host(), body.path("vCenterHostname").asText());
        // The VM's own place: DC0_H0 is a standalone host, so a compute resource, not a cluster.
        assertEquals(web.placement.datacenterMoref(), body.path("datacenterMoref").asText());
        assertEquals(web.placement.clusterComputeResourceMoref(), body.path("computeResourceMoref").asText());
        assertTrue(body.path("computeResourceMoref").asText().startsWith("domain-s"), body.toString());
        assertFalse(body.has("clusterComputeResourceMoref"), body.toString());
        assertEquals(web.placement.hostMoref(), body.path("hostMoref").asText());
        assertEquals(web.placement.resourcePoolMoref(), body.path("resourcePoolMoref").asText());
        assertEquals(web.placement.vmFolderMoref(), body.path("vmFolderMoref").asText());
        assertEquals(web.placement.datastoreMoref(), body.path("datastoreMoref").asText());
        // vcsim's own names behind vCenter's spelling: the datastore is vcsim's temp-dir datastore of the VM.
        assertTrue(vcenter.vcsimName(body.path("datastoreMoref").asText()).contains("LocalDS_0"), body.toString());
        // A copy: new name, off and disconnected, the original stays.
        assertTrue(body.path("vmName").asText().startsWith("DC0_H0_VM0-restored-"), body.toString());
        assertFalse(body.path("powerOn").asBoolean());
        assertFalse(body.path("reconnectNic").asBoolean());
        assertTrue(nw.vm(web.nw.uuid()).isPresent());
        assertTrue(nw.vmNamed(body.path("vmName").asText()).isPresent(), "NetWorker made the copy");
    }

    @Test
    void aVmDestroyedInVcenterIsRecreatedOnAHostOfItsBackupsDatastore() throws Exception {
        Mirrored app = mirror("DC0_H0_VM1");
        vcenter.setInstanceUuid(app.vcsimVm.value(), app.nw.uuid());
        Refs.RestorePoint rp = backUp(app.nw);
        // The VM is gone: destroyed in vCenter, and NetWorker's vCenter view no longer has it either.
        vcenter.destroy(app.vcsimVm.value());
        nw.deleteVm(app.nw.uuid());

        Results.JobStatus done = waitFor(plugin.startRestore(session(), ref(app.nw, false), rp, Refs.RestoreMode.IN_PLACE));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        JsonNode body = JSON.readTree(nw.recovers().get(0).requestBody());
        assertEquals("New", body.path("recoverMode").asText());
        String datastore = app.placement.datastoreMoref();
        assertEquals(datastore, body.path("datastoreMoref").asText(), "the backup's datastore");
        try (VimClient.Session s = readVcenter()) {
            // The host is one vCenter says mounts that datastore; the rest is that host's place in vCenter.
            Moref host = new Moref("HostSystem", body.path("hostMoref").asText());
            assertTrue(s.hostsMounting(new Moref("Datastore", datastore)).contains(host), body.toString());
            Moref compute = VimClient.asMoref(s.properties(host, List.of("parent")).get("parent"));
            String field = compute.type().equals("ClusterComputeResource") ? "clusterComputeResourceMoref" : "computeResourceMoref";
            assertEquals(compute.value(), body.path(field).asText(), body.toString());
            assertEquals(VimClient.asMoref(s.properties(compute, List.of("resourcePool")).get("resourcePool")).value(),
                    body.path("resourcePoolMoref").asText());
            Moref dc = s.findByInventoryPath("DC0");
            assertEquals(dc.value(), body.path("datacenterMoref").asText());
            assertEquals(VimClient.asMoref(s.properties(dc, List.of("vmFolder")).get("vmFolder")).value(), body.path("vmFolderMoref").asText());
            assertEquals(null, s.findVmByInstanceUuid(app.nw.uuid()), "vCenter really has no such VM");
        }
        // Recreated: its own name, on and connected, the disks of the backup.
        assertEquals("DC0_H0_VM1", body.path("vmName").asText());
        assertTrue(body.path("powerOn").asBoolean());
        assertTrue(body.path("reconnectNic").asBoolean());
        assertEquals(2000, body.path("disks").get(0).path("key").asInt());
        assertEquals("Hard disk 1", body.path("disks").get(0).path("name").asText());
        assertEquals(datastore, body.path("disks").get(0).path("datastoreMoref").asText());
        Vm again = nw.vmNamed("DC0_H0_VM1").orElseThrow();
        assertNotEquals(app.nw.uuid(), again.uuid(), "NetWorker made a new VM");
        assertEquals(body.path("hostMoref").asText(), again.placement().hostMoref());
    }

    @Test
    void aWrongVcenterPasswordIsBadCredentialsOfTheVcenterPart() {
        Mirrored db = mirror("DC0_C0_RP0_VM0");
        Refs.RestorePoint rp = backUp(db.nw);
        Session wrong = new Session(manager(vcenter.caBundlePem(), false), new Secret(NW_PASSWORD + "#Not-The-Password"));
        TerminalError e = assertCode(TerminalError.class, TerminalError.BAD_CREDENTIALS,
                () -> plugin.startRestore(wrong, ref(db.nw, true), rp, Refs.RestoreMode.NEW_VM));
        assertTrue(e.detail().contains("refused the vCenter part of the manager's credentials (user '" + VcsimVcenter.USER + "'"), e.detail());
        assertTrue(e.detail().startsWith("vCenter " + vcenter.host()), e.detail());
        assertFalse(e.detail().contains("Not-The-Password"), e.detail());
        assertTrue(nw.recovers().isEmpty(), "no recover was asked for");

        Session none = new Session(manager(vcenter.caBundlePem(), false), new Secret(NW_PASSWORD));
        TerminalError noPart = assertCode(TerminalError.class, TerminalError.BAD_CREDENTIALS,
                () -> plugin.startRestore(none, ref(db.nw, true), rp, Refs.RestoreMode.NEW_VM));
        assertTrue(noPart.detail().contains("no vCenter part"), noPart.detail());
    }

    @Test
    void aBackupOnADatastoreVcenterDoesNotKnowIsRefusedNamingTheMissingFields() {
        // A VM on the NetWorker simulator's own example datastore (datastore-31): vcsim has no such datastore.
        Vm stray = nw.addVm(vcenter.host(), "stray-01");
        nw.assign("GOLD", vcenter.host(), stray.uuid());
        Refs.RestorePoint rp = backUp(stray);
        nw.deleteVm(stray.uuid());
        TerminalError e = assertCode(TerminalError.class, TerminalError.REFUSED,
                () -> plugin.startRestore(session(), ref(stray, false), rp, Refs.RestoreMode.IN_PLACE));
        assertTrue(e.detail().contains("does not know the backup's datastore datastore-31"), e.detail());
        for (String field : List.of("datastoreMoref", "clusterComputeResourceMoref", "datacenterMoref", "vmFolderMoref")) {
            assertTrue(e.detail().contains(field), field + " named in: " + e.detail());
        }
        assertTrue(nw.recovers().isEmpty());
    }

    @Test
    void vcentersTransportAndTlsFailuresKeepTheirTypes() throws IOException {
        Mirrored db = mirror("DC0_C0_RP0_VM1");
        Refs.RestorePoint rp = backUp(db.nw);
        // No CA bundle: the JVM's trust store does not know the test certificate; retrying would not help.
        Session untrusted = new Session(manager(null, false), new Secret(NW_PASSWORD + "#" + VcsimVcenter.PASSWORD));
        TerminalError tls = assertCode(TerminalError.class, TerminalError.REFUSED,
                () -> plugin.startRestore(untrusted, ref(db.nw, true), rp, Refs.RestoreMode.NEW_VM));
        assertTrue(tls.detail().startsWith("TLS: the certificate of vCenter at " + vcenter.host() + " is not trusted"), tls.detail());
        // insecureTls (labs) trusts it.
        Session insecure = new Session(manager(null, true), new Secret(NW_PASSWORD + "#" + VcsimVcenter.PASSWORD));
        assertEquals(Refs.Job.Kind.RESTORE, plugin.startRestore(insecure, ref(db.nw, true), rp, Refs.RestoreMode.NEW_VM).kind());

        // A vCenter nobody listens at: retryable, as the workflow's Retry expects.
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String gone = "127.0.0.1:" + closed;
        nw.addVCenter(gone);
        nw.addWorkflow("Lifeboat", "FAR", "FAR");
        Vm far = nw.addVm(gone, "far-01");
        nw.assign("FAR", gone, far.uuid());
        Refs.RestorePoint farPoint = backUp(far, new Refs.Policy("pol-far", "FAR"));
        assertCode(RetryableError.class, RetryableError.UNREACHABLE,
                () -> plugin.startRestore(session(), ref(far, true), farPoint, Refs.RestoreMode.NEW_VM));
    }

    // ---- the scene -----------------------------------------------------------------------------------------------------

    /** A vcsim VM as NetWorker knows it: NetWorker's record (its own uuid) at the VM's placement in vCenter. */
    private record Mirrored(Moref vcsimVm, Vm nw, Placement placement) {}

    private VimClient.Session readVcenter() {
        VimClient.Session s = new VimClient(new VimClient.Config(VcsimVcenter.timeout(), VcsimVcenter.timeout()))
                .open(vcenter.sdk().toString(), vcenter.caBundlePem(), false, VcsimVcenter.USER, new Secret(VcsimVcenter.PASSWORD));
        s.login();
        return s;
    }

    /**
     * NetWorker's view of the vCenter, from vCenter: DC0, its VM folder, each compute resource under its host folder
     * (the standalone DC0_H0 and the cluster DC0_C0) with their hosts, root resource pools and datastores.
     */
    private void registerInventory(VimClient.Session s) {
        Moref dc = s.findByInventoryPath("DC0");
        Map<String, Object> d = s.properties(dc, List.of("name", "vmFolder"));
        register(dc, (String) d.get("name"));
        register(VimClient.asMoref(d.get("vmFolder")), "vm");
        for (String path : List.of("DC0/host/DC0_H0", "DC0/host/DC0_C0")) {
            Moref compute = s.findByInventoryPath(path);
            Map<String, Object> c = s.properties(compute, List.of("name", "host", "resourcePool", "datastore"));
            register(compute, (String) c.get("name"));
            register(VimClient.asMoref(c.get("resourcePool")), "Resources");
            for (Moref host : VimClient.asMorefs(c.get("host"))) {
                register(host, (String) s.properties(host, List.of("name")).get("name"));
            }
            for (Moref ds : VimClient.asMorefs(c.get("datastore"))) {
                register(ds, (String) s.properties(ds, List.of("name")).get("name"));
            }
        }
    }

    private void register(Moref ref, String name) {
        assertNotNull(ref);
        nw.addInventoryObject(vcenter.host(), ref.value(), name);
    }

    /** The vcsim VM at {@code DC0/vm/<name>}, added to NetWorker at its vCenter placement, in group GOLD. */
    private Mirrored mirror(String name) {
        try (VimClient.Session s = readVcenter()) {
            Moref vm = s.findByInventoryPath("DC0/vm/" + name);
            assertNotNull(vm, name);
            Map<String, Object> v = s.properties(vm, List.of("runtime.host", "resourcePool", "parent", "datastore"));
            Moref host = VimClient.asMoref(v.get("runtime.host"));
            Moref compute = VimClient.asMoref(s.properties(host, List.of("parent")).get("parent"));
            Moref ds = VimClient.asMorefs(v.get("datastore")).get(0);
            Placement p = new Placement(s.datacenterOf(vm).value(), compute.value(), host.value(),
                    VimClient.asMoref(v.get("resourcePool")).value(), VimClient.asMoref(v.get("parent")).value(), ds.value());
            String dsName = (String) s.properties(ds, List.of("name")).get("name");
            Vm added = nw.addVm(vcenter.host(), name, p, List.of(new Disk(2000, "Hard disk 1", ds.value(), dsName, 16L << 20, true)));
            nw.assign("GOLD", vcenter.host(), added.uuid());
            return new Mirrored(vm, added, p);
        }
    }

    private Refs.Manager manager(String caBundlePem, boolean insecureTls) {
        return new Refs.Manager("dc1", ManagerType.NETWORKER, nw.baseUri().toString(), NW_USER + "#" + VcsimVcenter.USER,
                new SecretRef("lifeboat/manager/dc1", "00000000-0000-0000-0000-000000000001"), caBundlePem, insecureTls);
    }

    /** NetWorker's password, the separator, vCenter's password (which itself holds a '#': only the first one splits). */
    private Session session() {
        return new Session(manager(vcenter.caBundlePem(), false), new Secret(NW_PASSWORD + "#" + VcsimVcenter.PASSWORD));
    }

    private static Refs.Vm ref(Vm vm, boolean allocated) {
        return new Refs.Vm("lb-" + vm.name(), vm.name(), vm.vCenterHostname(), vm.moref(), vm.uuid(), allocated);
    }

    private Refs.RestorePoint backUp(Vm vm) {
        return backUp(vm, GOLD);
    }

    private Refs.RestorePoint backUp(Vm vm, Refs.Policy policy) {
        Results.JobStatus done = waitFor(plugin.startBackup(session(), ref(vm, true), policy));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        assertNotNull(done.restorePoint());
        return done.restorePoint();
    }

    private Results.JobStatus waitFor(Refs.Job job) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Results.JobStatus s = plugin.pollJob(session(), job);
            if (s.state() != Results.JobStatus.State.RUNNING) {
                return s;
            }
            assertTrue(Instant.now().isBefore(deadline), "job did not end: " + job);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static <E extends PluginError> E assertCode(Class<E> type, String code, Supplier<?> call) {
        E e = assertThrows(type, call::get);
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains(NW_PASSWORD) || e.getMessage().contains(VcsimVcenter.PASSWORD), "no password in " + e.getMessage());
        return e;
    }
}
