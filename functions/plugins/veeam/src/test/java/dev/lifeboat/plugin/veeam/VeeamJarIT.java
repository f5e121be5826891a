package dev.lifeboat.plugin.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.secrets.FileSecretStore;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment jar on its own: a fresh {@code java -cp target/veeam-plugin.jar} process runs the handler's Lambda
 * constructor (secrets from {@code SECRET_STORE=file:…}) against a simulator. Runs in the package phase, after shade.
 */
class VeeamJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 8L * 1024 * 1024;

    @TempDir
    Path dir;
    private SimFixture f;
    private SecretRef ref;

    @BeforeEach
    void start() {
        f = SimFixture.start(b -> b.instant());
        ref = new FileSecretStore(dir.resolve("secrets")).put("lifeboat/dc1/veeam", new Secret(SimFixture.PASSWORD));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void theJarIsSmallEnoughAndRunsTheHandlerInAFreshJvm() throws Exception {
        Path jar = Path.of("target", "veeam-plugin.jar");
        assertTrue(Files.isRegularFile(jar), "build the jar first (mvn package)");
        long size = Files.size(jar);
        System.out.println("veeam-plugin.jar: " + size + " bytes");
        assertTrue(size <= MAX_BYTES, "the jar has " + size + " bytes, more than 8 MB");

        String ok = run(jar, VeeamPluginHandlerTest.command("LIST_POLICIES", f.sim.baseUri().toString(), ref).toString());
        assertTrue(ok.startsWith("RESULT "), ok);
        JsonNode policies = JSON.readTree(ok.substring("RESULT ".length()));
        assertEquals("GOLD", policies.path("policies").get(0).path("code").asText());

        String connection = run(jar, VeeamPluginHandlerTest.command("CHECK_CONNECTION", f.sim.baseUri().toString(), ref).toString());
        assertTrue(JSON.readTree(connection.substring("RESULT ".length())).path("authenticated").asBoolean(), connection);

        String error = run(jar, VeeamPluginHandlerTest.command("LIST_POLICIES", f.sim.baseUri().toString(),
                new SecretRef(ref.secretId(), "00000000-0000-0000-0000-000000000000")).toString());
        assertTrue(error.startsWith("ERROR dev.lifeboat.plugin.RetryableError SECRET_UNAVAILABLE"), error);
    }

    private String run(Path jar, String command) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", jar + File.pathSeparator + Path.of("target", "test-classes"),
                JarLauncher.class.getName())).redirectErrorStream(true);
        pb.environment().put("SECRET_STORE", "file:" + dir.resolve("secrets"));
        pb.environment().put("VEEAM_REQUEST_TIMEOUT_SECONDS", "5");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(command.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the handler process did not end");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return output.lines().filter(l -> l.startsWith("RESULT ") || l.startsWith("ERROR ")).findFirst()
                .orElseThrow(() -> new AssertionError("no result from the jar, output:\n" + output));
    }
}
