package dev.lifeboat.plugin.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.PluginJars;
import dev.lifeboat.secrets.FileSecretStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment jar on its own: a fresh {@code java -cp target/veeam-plugin.jar} process runs the handler's Lambda
 * entry (secrets from {@code SECRET_STORE=file:…}) against a simulator. Runs in the package phase, after shade.
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

        PluginJars.Run ok = run(jar, VeeamPluginHandlerTest.command("LIST_POLICIES", f.sim.baseUri().toString(), ref).toString());
        assertEquals(0, ok.exitCode(), ok.stderr());
        JsonNode policies = JSON.readTree(ok.stdout());
        assertEquals("GOLD", policies.path("policies").get(0).path("code").asText());

        PluginJars.Run connection = run(jar, VeeamPluginHandlerTest.command("CHECK_CONNECTION", f.sim.baseUri().toString(), ref).toString());
        assertTrue(JSON.readTree(connection.stdout()).path("authenticated").asBoolean(), connection.toString());

        PluginJars.Run error = run(jar, VeeamPluginHandlerTest.command("LIST_POLICIES", f.sim.baseUri().toString(),
                new SecretRef(ref.secretId(), "00000000-0000-0000-0000-000000000000")).toString());
        assertEquals(1, error.exitCode());
        assertTrue(error.stderr().contains("dev.lifeboat.plugin.RetryableError: SECRET_UNAVAILABLE"), error.stderr());
    }

    private PluginJars.Run run(Path jar, String command) throws Exception {
        return PluginJars.run(jar, VeeamPluginHandler.class.getName(),
                Map.of("SECRET_STORE", "file:" + dir.resolve("secrets"), "VEEAM_REQUEST_TIMEOUT_SECONDS", "5"),
                command.getBytes(StandardCharsets.UTF_8));
    }
}
