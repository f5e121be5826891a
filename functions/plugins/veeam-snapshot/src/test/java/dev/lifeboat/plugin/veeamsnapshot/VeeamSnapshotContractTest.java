package dev.lifeboat.plugin.veeamsnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.PluginContract;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.veeam.SimFixture;
import dev.lifeboat.plugin.vmware.Fixtures;
import dev.lifeboat.plugin.vmware.VimClient;
import dev.lifeboat.plugin.vmware.VimProxy;
import dev.lifeboat.plugin.vmware.VmwareSnapshotPlugin;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract with both halves real: the Veeam simulator keeps the policies (GOLD processes the VM), and vcsim,
 * behind the fault proxy over https trusted by CA bundle, takes the snapshots. The VM's vCenter is the proxy's
 * address, as a VM's hypervisor.vcenter names its vCenter.
 */
class VeeamSnapshotContractTest extends PluginContract {
    private static VimProxy proxy;
    private static Refs.Vm vm;
    private SimFixture veeam;
    private VeeamSnapshotPlugin plugin;

    @BeforeAll
    static void startVcenter() throws IOException {
        proxy = new VimProxy(Fixtures.vcsim(), Fixtures.proxyTls().serverContext());
        Refs.Vm found = Fixtures.vm("DC0/vm/DC0_H0_VM0");
        vm = new Refs.Vm("lb-vm-1", found.name(), "127.0.0.1:" + proxy.sdk().getPort(), found.moref(), found.uuid(), true);
    }

    @AfterAll
    static void stopVcenter() {
        proxy.close();
    }

    @BeforeEach
    void startVeeam() {
        veeam = SimFixture.start(b -> b.taskDuration(Duration.ofMillis(50)).jobDuration(Duration.ofMillis(300)).operationFinishedPolls(1));
        veeam.sim.addHierarchyRoot(vm.vcenter());
        veeam.sim.addVm(vm.vcenter(), vm.name(), vm.moref(), vm.uuid());
        plugin = new VeeamSnapshotPlugin(veeam.plugin,
                new VmwareSnapshotPlugin(new VimClient.Config(Fixtures.testTimeout(), Fixtures.testTimeout())), "#");
    }

    @AfterEach
    void stopVeeam() {
        veeam.close();
    }

    private Session session(String veeamPassword) {
        Refs.Manager m = new Refs.Manager("dc1", ManagerType.VEEAM_SNAPSHOT, veeam.sim.baseUri().toString(), "lifeboat#" + Fixtures.USER,
                new SecretRef("lifeboat/manager/vs", "v1"), Fixtures.proxyTls().certificatePem(), false);
        // The vCenter part is everything after the first separator, so it may contain the separator itself.
        return new Session(m, new Secret(veeamPassword + "#" + Fixtures.PASSWORD));
    }

    @Override
    protected BackupPlugin plugin() {
        return plugin;
    }

    @Override
    protected Session session() {
        return session(SimFixture.PASSWORD);
    }

    @Override
    protected Session sessionWithWrongPassword() {
        return session("not-the-veeam-password");
    }

    @Override
    protected Refs.Vm knownVm() {
        return vm;
    }

    @Override
    protected Refs.Policy knownPolicy() {
        return SimFixture.gold();
    }

    @Override
    protected void failNextBackup(Refs.Vm v, String message) {
        proxy.failNextBackup(v.moref(), message);
    }

    @Override
    protected void expireNextSession() {
        veeam.http.expireNextSessions(1);
    }

    @Override
    protected void failNextRequests(int count, int status) {
        veeam.sim.faults().failNext(count, status);
    }

    @Override
    protected void delayAnswers(Duration delay) {
        veeam.sim.faults().latency(delay);
    }

    @Override
    protected void clearFaults() {
        veeam.sim.faults().clear();
        veeam.http.expireNextSessions(0);
        proxy.clear();
    }

    @Test
    void schedulesGoToVeeamAndBackupsToVcenter() {
        assertTrue(plugin.applySchedule(session(), vm, knownPolicy()).applied());
        assertTrue(veeam.sim.includes("GOLD").stream().anyMatch(i -> i.toString().contains(vm.name())), "Veeam's job processes the VM");
        Refs.Job job = plugin.startBackup(session(), vm, knownPolicy());
        assertTrue(job.ref().startsWith(vm.vcenter() + "|backup/"), job.ref());
        Results.JobStatus done = waitFor(job);
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state());
        assertTrue(done.restorePoint().ref().startsWith(vm.vcenter() + "|" + vm.moref() + "/snapshot-"), done.restorePoint().ref());
        assertTrue(veeam.sim.backupSessions().isEmpty(), "backup now did not go through Veeam");
    }

    @Test
    void aVmWithoutVcenterOrAForeignReferenceIsRefused() {
        Refs.Vm noVcenter = new Refs.Vm("x", vm.name(), null, vm.moref(), vm.uuid(), true);
        assertEquals(TerminalError.UNKNOWN_VM, assertThrows(TerminalError.class,
                () -> plugin.startBackup(session(), noVcenter, knownPolicy())).code());
        assertEquals(TerminalError.UNKNOWN_JOB, assertThrows(TerminalError.class,
                () -> plugin.pollJob(session(), new Refs.Job(Refs.Job.Kind.BACKUP, "backup/vm-1/task-1/x", null))).code());
        Results.ResultList r = plugin.listResults(session(), List.of(noVcenter, vm), Instant.now().minusSeconds(60));
        assertEquals(List.of("x"), r.failures().stream().map(Results.VmFailure::vmId).toList());
    }

    @Test
    void credentialsWithoutAVcenterPartAreRefusedForSnapshots() {
        Session veeamOnly = new Session(new Refs.Manager("dc1", ManagerType.VEEAM_SNAPSHOT, veeam.sim.baseUri().toString(), "lifeboat",
                new SecretRef("s", "v"), null, false), new Secret("lifeboat"));
        assertEquals(TerminalError.BAD_CREDENTIALS, assertThrows(TerminalError.class,
                () -> plugin.startBackup(veeamOnly, vm, knownPolicy())).code());
    }
}
