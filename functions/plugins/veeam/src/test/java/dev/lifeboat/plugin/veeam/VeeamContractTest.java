package dev.lifeboat.plugin.veeam;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.PluginContract;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Session;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The plugin contract against the Veeam simulator: a fresh simulator per case, tasks of 50 ms with one
 * {@code OperationFinished} poll, backup and restore sessions of 300 ms, and a plugin with a 1 s request timeout.
 */
class VeeamContractTest extends PluginContract {
    private SimFixture f;

    @BeforeEach
    void startSimulator() {
        f = SimFixture.start(b -> b.taskDuration(Duration.ofMillis(50)).jobDuration(Duration.ofMillis(300)).operationFinishedPolls(1));
    }

    @AfterEach
    void stopSimulator() {
        f.close();
    }

    @Override
    protected BackupPlugin plugin() {
        return f.plugin;
    }

    @Override
    protected Session session() {
        return f.session();
    }

    @Override
    protected Session sessionWithWrongPassword() {
        return new Session(f.session().manager(), new Secret("not-the-password-42"));
    }

    @Override
    protected boolean listsResultPages() {
        return true;
    }

    @Override
    protected Refs.Vm knownVm() {
        return SimFixture.web01();
    }

    @Override
    protected Refs.Policy knownPolicy() {
        return SimFixture.gold();
    }

    @Override
    protected void failNextBackup(Refs.Vm vm, String message) {
        f.sim.failNextBackup(vm.name(), message);
    }

    @Override
    protected void expireNextSession() {
        f.http.expireNextSessions(1);
    }

    @Override
    protected void failNextRequests(int count, int status) {
        f.sim.faults().failNext(count, status);
    }

    @Override
    protected void delayAnswers(Duration delay) {
        f.sim.faults().latency(delay);
    }

    @Override
    protected void clearFaults() {
        f.sim.faults().clear();
        f.http.expireNextSessions(0);
    }
}
