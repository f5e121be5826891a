package dev.lifeboat.sim.veeam;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator with the demo data for the local runtime, until SIGTERM or Ctrl-C.
 *
 * <pre>java -cp &lt;classpath&gt; dev.lifeboat.sim.veeam.VeeamSimulatorMain [--port N] [--job-seconds S] [--task-seconds S]</pre>
 *
 * Prints {@code VEEAM_SIMULATOR=http://127.0.0.1:PORT/api/} once it listens.
 */
public final class VeeamSimulatorMain {
    private VeeamSimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        VeeamSimulator sim;
        try {
            sim = launch(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: VeeamSimulatorMain [--port N] [--job-seconds S] [--task-seconds S]");
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("Cannot start the Veeam simulator: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "veeam-simulator-shutdown"));
        stopped.await();
    }

    /** Parses the arguments, starts the simulator with the demo data and prints its URL. */
    static VeeamSimulator launch(String[] args, PrintStream out) throws IOException {
        int port = 9399;
        double jobSeconds = 2;
        double taskSeconds = 0.5;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + name);
            }
            String value = args[++i];
            try {
                switch (name) {
                    case "--port" -> port = Integer.parseInt(value);
                    case "--job-seconds" -> jobSeconds = Double.parseDouble(value);
                    case "--task-seconds" -> taskSeconds = Double.parseDouble(value);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number for " + name + ": " + value);
            }
        }
        VeeamSimulator sim = VeeamSimulator.builder()
            .port(port)
            .jobDuration(Duration.ofMillis(Math.round(jobSeconds * 1000)))
            .taskDuration(Duration.ofMillis(Math.round(taskSeconds * 1000)))
            .seed(VeeamSimulator::addDemoData)
            .start();
        out.println("VEEAM_SIMULATOR=" + sim.baseUri());
        out.flush();
        return sim;
    }
}
