package dev.lifeboat.plugin.networker;

import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.PluginContract;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Session;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The plugin contract every Lifeboat plugin passes, against the NetWorker simulator (a fresh one per case). */
class NetworkerContractTest extends PluginContract {
    private SimFixture nw;

    @BeforeEach
    void start() throws IOException {
        nw = new SimFixture();
    }

    @AfterEach
    void stop() {
        // Runs before the contract's own @AfterEach (clearFaults), which only resets the closed simulator's switch.
        nw.close();
    }

    @Override
    protected BackupPlugin plugin() {
        return nw.plugin;
    }

    @Override
    protected Session session() {
        return nw.session();
    }

    @Override
    protected Session sessionWithWrongPassword() {
        return nw.wrongPassword();
    }

    @Override
    protected Refs.Vm knownVm() {
        return SimFixture.ref(nw.web);
    }

    @Override
    protected Refs.Policy knownPolicy() {
        // Lower case on purpose: codes match group names ignoring case.
        return new Refs.Policy("pol-gold", "gold");
    }

    @Override
    protected boolean listsResultPages() {
        return true;
    }

    @Override
    protected void failNextBackup(Refs.Vm vm, String message) {
        nw.sim.failNextBackup(vm.uuid(), message);
    }

    @Override
    protected void expireNextSession() {
        // Nothing to expire: NetWorker keeps no session, every request carries Basic auth (backup-systems.md §2.1), so
        // the plugin holds no session that could go stale. The contract case then checks a plain call still works.
    }

    @Override
    protected void failNextRequests(int count, int status) {
        nw.sim.faults().failNext(count, status);
    }

    @Override
    protected void delayAnswers(Duration delay) {
        nw.sim.faults().latency(delay);
    }

    @Override
    protected void clearFaults() {
        nw.sim.faults().clear();
    }
}
