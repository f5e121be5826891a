package dev.lifeboat.sim.networker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator with demo data until SIGTERM or Ctrl-C:
 * {@code java -cp ... dev.lifeboat.sim.networker.NetworkerSimulatorMain --port 9090 --job-seconds 2}.
 * Prints {@code NETWORKER_SIMULATOR=http://127.0.0.1:PORT/nwrestapi/v3/global} once it listens.
 */
public final class NetworkerSimulatorMain {
    private NetworkerSimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        double jobSeconds = 2;
        String user = "lifeboat";
        String password = "lifeboat";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value for " + a);
            }
            switch (a) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--job-seconds" -> jobSeconds = Double.parseDouble(args[++i]);
                case "--user" -> user = args[++i];
                case "--password" -> password = args[++i];
                default -> usage("unknown argument " + a);
            }
        }
        NetworkerSimulator sim = NetworkerSimulator.builder()
                .port(port)
                .credentials(user, password)
                .jobDuration(Duration.ofMillis(Math.round(jobSeconds * 1000)))
                .start();
        demoData(sim);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "networker-simulator-stop"));
        System.out.println("NETWORKER_SIMULATOR=" + sim.baseUri());
        System.out.flush();
        stopped.await();
    }

    /**
     * Policy {@code Lifeboat} with workflows {@code GOLD} and {@code SILVER} (one group each, named alike), vCenter
     * {@code vcenter.local} with {@code web-01} and {@code db-01}; {@code web-01} has a backup from yesterday and an
     * expired one, as if NetWorker's own schedule had made them.
     */
    public static void demoData(NetworkerSimulator sim) {
        sim.addPolicy("Lifeboat", "Lifeboat self-service backup policies");
        sim.addProtectionGroup("GOLD", "Lifeboat policy GOLD");
        sim.addProtectionGroup("SILVER", "Lifeboat policy SILVER");
        sim.addWorkflow("Lifeboat", "GOLD", Duration.ofDays(30), List.of("GOLD"));
        sim.addWorkflow("Lifeboat", "SILVER", Duration.ofDays(14), List.of("SILVER"));
        sim.addVCenter("vcenter.local");
        Vm web = sim.addVm("vcenter.local", "web-01");
        sim.addVm("vcenter.local", "db-01");
        Instant now = sim.clock().instant();
        sim.addBackup(web.uuid(), now.minus(Duration.ofDays(40)), now.minus(Duration.ofDays(10)));
        sim.addBackup(web.uuid(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(29)));
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: NetworkerSimulatorMain [--port N] [--job-seconds S] [--user U] [--password P]");
        System.exit(2);
    }
}
