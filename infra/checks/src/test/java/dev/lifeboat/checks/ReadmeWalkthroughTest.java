package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.LocalApiMain;
import dev.lifeboat.processes.RepositoryRoot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walkthrough, run as a user runs it: its shell block, unchanged, with bash and curl against a freshly
 * started local runtime (on free ports, given to the block through the API and VEEAM variables it honours).
 * {@code ./lifeboat token} is the token command on this test's classpath.
 */
class ReadmeWalkthroughTest {
    static String walkthrough(Path root) throws Exception {
        String readme = Files.readString(root.resolve("README.md"));
        Matcher m = Pattern.compile("<!-- walkthrough -->\\s*```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has a shell block after <!-- walkthrough -->");
        return m.group(1);
    }

    @Test
    void theWalkthroughRunsFromPolicyToMultiRestore(@TempDir Path data) throws Exception {
        Path root = RepositoryRoot.find();
        String script = walkthrough(root);
        Path bin = Files.createDirectories(data.resolve("bin"));
        Path lifeboat = bin.resolve("lifeboat");
        Files.writeString(lifeboat, "#!/usr/bin/env bash\n# ./lifeboat token, as the repository's script runs it\nshift\nexec \""
                + Path.of(System.getProperty("java.home"), "bin", "java") + "\" -cp \"" + System.getProperty("java.class.path")
                + "\" dev.lifeboat.local.TokenCommand \"$@\"\n");
        Files.setPosixFilePermissions(lifeboat, PosixFilePermissions.fromString("rwxr-xr-x"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (LocalApiMain.Running running = LocalApiMain.start(new String[] {
                "--template", root.resolve("template.yaml").toString(), "--port", "0", "--lambda-port", "0", "--sfn-port", "0",
                "--veeam-port", "0", "--networker-port", "0", "--job-seconds", "0.5", "--data", data.resolve("dynamodb").toString(),
                "--param", "JwtIssuer=lifeboat-local", "--param", "SecretStore=file:" + data.resolve("secrets"),
                "--param", "PluginSecretStore=file:" + data.resolve("secrets"), "--param", "SecretsExtensionLayerArn=local-none"}, sink, sink)) {
            ProcessBuilder bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(bin.toFile()).redirectErrorStream(true);
            bash.environment().put("API", running.api().baseUri().toString());
            bash.environment().put("VEEAM", running.veeamEndpoint().toString());
            Process p = bash.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(8, TimeUnit.MINUTES), "the walkthrough finished");
            assertEquals(0, p.exitValue(), () -> "the walkthrough failed:\n" + output + "\n--- runtime log ---\n" + log);
            assertTrue(output.contains("\"reachable\":true,\"authenticated\":true"), output);
            assertTrue(output.contains("\"trigger\":\"MANUAL\",\"status\":\"SUCCESS\""), output);
            assertTrue(output.matches("(?s).*\"items\":\\[\\{\"vm\":\"web-01\".*\"status\":\"SUCCESS\".*"), output);
        }
    }
}
