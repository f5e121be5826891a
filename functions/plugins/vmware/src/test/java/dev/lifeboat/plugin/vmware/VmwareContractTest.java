package dev.lifeboat.plugin.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.PluginContract;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.Session;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin contract against a real vcsim, through {@link VimProxy} (a FaultProxy serving https with its own
 * certificate, which the manager trusts by caBundlePem: every case also runs the CA-bundle trust path with host-name
 * checks on). Plugin timeouts are 1 s, so the timeout case takes about that long.
 */
class VmwareContractTest extends PluginContract {
    private static VimProxy proxy;
    private static VmwareSnapshotPlugin plugin;
    private static Refs.Vm vm;

    @BeforeAll
    static void start() throws IOException {
        Fixtures.ProxyTls tls = Fixtures.proxyTls();
        proxy = new VimProxy(Fixtures.vcsim(), tls.serverContext());
        plugin = new VmwareSnapshotPlugin(new VimClient.Config(Fixtures.testTimeout(), Fixtures.testTimeout()));
        Refs.Vm found = Fixtures.vm("DC0/vm/DC0_H0_VM1");
        // The VM names its vCenter as the manager's endpoint does: result pages name it so beside the moref.
        vm = new Refs.Vm(found.id(), found.name(), proxy.sdk().getHost(), found.moref(), found.uuid(), found.allocated());
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Override
    protected BackupPlugin plugin() {
        return plugin;
    }

    @Override
    protected Session session() {
        return Fixtures.session(proxy.sdk(), Fixtures.proxyTls().certificatePem(), false);
    }

    @Override
    protected Session sessionWithWrongPassword() {
        return new Session(session().manager(), new Secret(Fixtures.WRONG_PASSWORD));
    }

    @Override
    protected boolean listsResultPages() {
        return true;
    }

    @Override
    protected Refs.Vm knownVm() {
        return vm;
    }

    @Override
    protected Refs.Policy knownPolicy() {
        return new Refs.Policy("p-gold", "GOLD");
    }

    /** Real vCenter reports such failures on the task (info.state=error), so that is where the proxy puts it. */
    @Override
    protected void failNextBackup(Refs.Vm vm, String message) {
        proxy.failNextBackup(vm.moref(), message);
    }

    @Override
    protected void expireNextSession() {
        proxy.expireNextSessions(1);
    }

    @Override
    protected void failNextRequests(int count, int status) {
        proxy.faults.failNext(count, status);
    }

    @Override
    protected void delayAnswers(Duration delay) {
        proxy.faults.latency(delay);
    }

    @Override
    protected void clearFaults() {
        proxy.clear();
    }

    // ---- the three cases that assume backup-system policies --------------------------------------------------------

    /**
     * Overridden: vCenter has no backup policies (Lifeboat schedules snapshots itself, schedulesItself=false), so no
     * policy can be found by code. What holds instead: the list is empty, and listing still proves the credentials.
     */
    @Test
    @Override
    public void policiesAreFoundByCode() {
        assertEquals(List.of(), plugin().listPolicies(session()));
        assertTrue(!plugin().capabilities().schedulesItself(), "Lifeboat schedules VMware snapshots");
    }

    /**
     * Overridden: with no policies in vCenter every code applies, so an unknown code cannot be refused. What holds
     * instead: any code is applied, and the schedule is Lifeboat's.
     */
    @Test
    @Override
    public void unknownPolicyIsTerminal() {
        Results.Schedule s = plugin().applySchedule(session(), knownVm(), new Refs.Policy("p-x", "NO_SUCH_POLICY_CODE"));
        assertTrue(s.applied());
        assertEquals(VmwareSnapshotPlugin.SCHEDULED_BY_LIFEBOAT, s.details());
    }

    /**
     * Overridden: the contract's version asserts a non-empty policy list, which vCenter cannot have (above). The same
     * behaviour is asserted on what it is about: the first call after Login is refused with NotAuthenticated, the
     * plugin logs in once more and the call then succeeds.
     */
    @Test
    @Override
    public void anExpiredSessionIsRenewedOnce() {
        assertEquals(List.of(), plugin().listPolicies(session())); // the plugin keeps this login for the next command
        int loginsBefore = proxy.logins.get();
        int refusedBefore = proxy.notAuthenticated.get();
        proxy.refuseNextCall();
        assertEquals(List.of(), plugin().listPolicies(session()));
        assertEquals(refusedBefore + 1, proxy.notAuthenticated.get(), "the proxy refused the kept session's first call");
        assertEquals(loginsBefore + 1, proxy.logins.get(), "logged in once more, and only once");
    }
}
