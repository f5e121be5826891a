package dev.lifeboat.plugin.networker;

import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.sim.networker.NetworkerSimulator;
import dev.lifeboat.sim.networker.Vm;
import java.io.IOException;
import java.time.Duration;

/**
 * A NetWorker simulator with Lifeboat's usual scene: policy {@code Lifeboat} with workflows GOLD and SILVER backing up
 * the groups of the same names, vCenter {@code vcenter.local} with web-01 (in GOLD) and db-01 (unprotected), and a
 * plugin with short timeouts pointed at it. NetWorker credentials differ from the user name, so a test can tell that
 * the password never reaches a message.
 */
final class SimFixture implements AutoCloseable {
    static final String VC = "vcenter.local";
    static final String NW_USER = "nwadmin";
    static final String NW_PASSWORD = "Nw-S3cret!";
    static final String VC_PART_USER = "administrator@vsphere.local";
    static final String VC_PART_PASSWORD = "Vc-S3cret!";
    static final Duration JOB = Duration.ofMillis(300);

    final NetworkerSimulator sim;
    final Vm web;
    final Vm db;
    final NetworkerPlugin plugin;

    SimFixture() throws IOException {
        this(NetworkerSimulator.builder());
    }

    SimFixture(NetworkerSimulator.Builder builder) throws IOException {
        sim = builder.jobDuration(JOB).credentials(NW_USER, NW_PASSWORD).start();
        sim.addPolicy("Lifeboat", "");
        sim.addWorkflow("Lifeboat", "GOLD", "GOLD");
        sim.addWorkflow("Lifeboat", "SILVER", "SILVER");
        sim.addVCenter(VC);
        web = sim.addVm(VC, "web-01");
        db = sim.addVm(VC, "db-01");
        sim.assign("GOLD", VC, web.uuid());
        // 1 s per answer: the contract's 5 s delay must end as a TIMEOUT quickly.
        plugin = new NetworkerPlugin(NetworkerPlugin.Settings.defaults().withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(1)));
    }

    Refs.Manager manager() {
        return new Refs.Manager("dc1", ManagerType.NETWORKER, sim.baseUri().toString(), NW_USER + "#" + VC_PART_USER,
                new SecretRef("lifeboat/manager/dc1", "00000000-0000-0000-0000-000000000001"), null, false);
    }

    Session session() {
        return new Session(manager(), new Secret(NW_PASSWORD + "#" + VC_PART_PASSWORD));
    }

    /** A session whose command must answer within {@code budget}. */
    Session session(Duration budget) {
        return new Session(manager(), new Secret(NW_PASSWORD + "#" + VC_PART_PASSWORD), java.time.Instant.now().plus(budget), null);
    }

    Session wrongPassword() {
        return new Session(manager(), new Secret("Wr0ng-Pass#" + VC_PART_PASSWORD));
    }

    static Refs.Vm ref(Vm vm) {
        return new Refs.Vm("lb-" + vm.name(), vm.name(), vm.vCenterHostname(), vm.moref(), vm.uuid(), true);
    }

    static Refs.Vm unallocated(Vm vm) {
        return new Refs.Vm("lb-" + vm.name(), vm.name(), vm.vCenterHostname(), vm.moref(), vm.uuid(), false);
    }

    @Override
    public void close() {
        sim.close();
    }
}
