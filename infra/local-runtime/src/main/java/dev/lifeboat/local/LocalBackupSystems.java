package dev.lifeboat.local;

import dev.lifeboat.sim.networker.NetworkerSimulator;
import dev.lifeboat.sim.networker.NetworkerSimulatorMain;
import dev.lifeboat.sim.veeam.VeeamSimulator;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The backup systems of the local runtime: the Veeam Enterprise Manager and NetWorker simulators with their demo
 * data (vCenter {@code vcenter.local} with web-01 and db-01; jobs or workflows GOLD and SILVER), on loopback ports.
 * Both accept user {@code lifeboat}, password {@code lifeboat}; jobs take {@code jobDuration}.
 */
public final class LocalBackupSystems implements AutoCloseable {
    static final String USER = "lifeboat";
    static final String PASSWORD = "lifeboat";

    private final VeeamSimulator veeam;
    private final NetworkerSimulator networker;

    /** The Veeam simulator, for steering it (failures, sessions) in tests and demos. */
    public VeeamSimulator veeam() {
        return veeam;
    }

    public NetworkerSimulator networker() {
        return networker;
    }

    private LocalBackupSystems(VeeamSimulator veeam, NetworkerSimulator networker) {
        this.veeam = veeam;
        this.networker = networker;
    }

    /** Fixed ports by default: managers saved in the data folder keep pointing at the simulators across restarts. */
    static LocalBackupSystems start(int veeamPort, int networkerPort, Duration jobDuration) throws IOException {
        VeeamSimulator veeam = VeeamSimulator.builder().port(veeamPort).jobDuration(jobDuration).taskDuration(Duration.ofMillis(300))
                .credentials(USER, PASSWORD).seed(VeeamSimulator::addDemoData).start();
        try {
            NetworkerSimulator networker = NetworkerSimulator.builder().port(networkerPort).credentials(USER, PASSWORD).jobDuration(jobDuration).start();
            NetworkerSimulatorMain.demoData(networker);
            return new LocalBackupSystems(veeam, networker);
        } catch (IOException | RuntimeException e) {
            veeam.close();
            throw e;
        }
    }

    public URI veeamEndpoint() {
        return veeam.baseUri();
    }

    public URI networkerEndpoint() {
        return networker.baseUri();
    }

    @Override
    public void close() {
        veeam.close();
        networker.close();
    }
}
