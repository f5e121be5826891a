package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.processes.RepositoryRoot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGTERM, as the shell sends it to the runtime's JVM) stops every child the local runtime started: dynalite,
 * vcsim and the Node processes of running executions. Nothing is left behind.
 */
class LocalRuntimeShutdownTest {
    @Test
    void aTerminatedRuntimeLeavesNoChildRunning(@TempDir Path data) throws Exception {
        Path root = RepositoryRoot.find();
        Process runtime = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.lifeboat.local.LocalApiMain",
                "--template", root.resolve("template.yaml").toString(), "--port", "0", "--lambda-port", "0", "--sfn-port", "0",
                "--veeam-port", "0", "--networker-port", "0", "--data", data.resolve("dynamodb").toString(),
                "--param", "JwtIssuer=lifeboat-local", "--param", "SecretStore=file:" + data.resolve("secrets"),
                "--param", "PluginSecretStore=file:" + data.resolve("secrets"), "--param", "SecretsExtensionLayerArn=local-none"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(runtime.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder banner = new StringBuilder();
            Pattern started = Pattern.compile("Lifeboat started locally in (\\d+) ms");
            long startMs = -1;
            for (String line; (line = out.readLine()) != null; ) {
                banner.append(line).append('\n');
                Matcher m = started.matcher(line);
                if (m.find()) startMs = Long.parseLong(m.group(1));
                if (line.startsWith("Ctrl-C stops everything")) break;
            }
            assertTrue(startMs >= 0, banner::toString);
            List<ProcessHandle> children = runtime.toHandle().descendants().toList();
            assertFalse(children.isEmpty(), "dynalite runs as a child: " + banner);
            // Drain the rest of the log so the runtime never blocks on a full pipe while it stops.
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
            drain.setDaemon(true);
            drain.start();

            runtime.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks either way
            assertTrue(runtime.waitFor(30, TimeUnit.SECONDS), "the runtime stopped");
            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
                assertFalse(child.isAlive(), "child " + child.pid() + " " + child.info().command().orElse("?") + " still runs");
            }
            assertEquals(143, runtime.exitValue(), "ended by the signal, after its shutdown hooks");
        } finally {
            runtime.destroyForcibly();
        }
    }
}
