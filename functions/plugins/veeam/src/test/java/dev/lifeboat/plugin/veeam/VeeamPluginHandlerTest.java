package dev.lifeboat.plugin.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.secrets.FileSecretStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lambda frame end to end: JSON command with a secretRef → password from a FileSecretStore → simulator → JSON. */
class VeeamPluginHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private SimFixture f;
    private FileSecretStore secrets;
    private SecretRef ref;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private VeeamPluginHandler handler;

    @BeforeEach
    void start() {
        f = SimFixture.start(b -> b.instant());
        secrets = new FileSecretStore(dir.resolve("secrets"));
        ref = secrets.put("lifeboat/dc1/veeam", new Secret(SimFixture.PASSWORD));
        handler = new VeeamPluginHandler(new VeeamPlugin(SimFixture.OPTIONS), secrets, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static ObjectNode command(String operation, String endpoint, SecretRef ref) {
        ObjectNode c = JSON.createObjectNode().put("operation", operation);
        ObjectNode m = c.putObject("manager").put("datacenter", "dc1").put("type", "VEEAM").put("endpoint", endpoint).put("user", "lifeboat");
        m.putObject("secretRef").put("secretId", ref.secretId()).put("versionId", ref.versionId());
        return c;
    }

    private JsonNode invoke(ObjectNode command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(command)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void aCommandBecomesAJsonResult() throws Exception {
        JsonNode policies = invoke(command("LIST_POLICIES", f.sim.baseUri().toString(), ref));
        assertEquals("GOLD", policies.path("policies").get(0).path("code").asText(), policies.toString());

        ObjectNode backup = command("START_BACKUP", f.sim.baseUri().toString(), ref);
        backup.putObject("vm").put("id", "vm-id-web").put("name", "web-01").put("vcenter", SimFixture.VCENTER).put("moref", "vm-101");
        backup.putObject("policy").put("id", "p-gold").put("code", "GOLD");
        JsonNode started = invoke(backup);
        assertEquals("BACKUP", started.path("job").path("kind").asText());

        ObjectNode poll = command("POLL_JOB", f.sim.baseUri().toString(), ref);
        poll.set("job", started.path("job"));
        JsonNode status = invoke(poll);
        assertEquals("SUCCEEDED", status.path("state").asText(), status.toString());
        assertEquals(f.sim.restorePoints("web-01").get(0).id(), status.path("restorePoint").path("ref").asText());

        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("\"Operation\":\"POLL_JOB\""), logged);
        assertFalse(logged.contains(SimFixture.PASSWORD + "\""), "no password in the log");
    }

    @Test
    void anErrorLeavesAsTheTypedException() {
        ObjectNode apply = command("APPLY_SCHEDULE", f.sim.baseUri().toString(), ref);
        apply.putObject("vm").put("id", "vm-id-web").put("name", "web-01").put("vcenter", SimFixture.VCENTER).put("moref", "vm-101");
        apply.putObject("policy").put("id", "p-x").put("code", "NO_SUCH_POLICY");
        TerminalError e = assertThrows(TerminalError.class, () -> invoke(apply));
        assertEquals(TerminalError.UNKNOWN_POLICY, e.code());
        assertTrue(e.getMessage().startsWith("UNKNOWN_POLICY: "), e.getMessage());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("TerminalError UNKNOWN_POLICY"));
    }

    @Test
    void badCredentialsFromTheSecretStoreAreTerminal() {
        SecretRef wrong = secrets.put("lifeboat/dc1/veeam", new Secret("wrong-password"));
        TerminalError e = assertThrows(TerminalError.class, () -> invoke(command("LIST_POLICIES", f.sim.baseUri().toString(), wrong)));
        assertEquals(TerminalError.BAD_CREDENTIALS, e.code());
        assertFalse(e.getMessage().contains("wrong-password"));
    }
}
