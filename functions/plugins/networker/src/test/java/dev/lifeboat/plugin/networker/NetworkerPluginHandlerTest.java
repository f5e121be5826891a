package dev.lifeboat.plugin.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.Command;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Operation;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.secrets.FileSecretStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lambda handler end to end: JSON command in, password read by reference from a file store, JSON result out. */
class NetworkerPluginHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path secrets;

    private SimFixture nw;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private NetworkerPluginHandler handler;
    private Refs.Manager manager;

    @BeforeEach
    void start() throws IOException {
        nw = new SimFixture();
        FileSecretStore store = new FileSecretStore(secrets);
        SecretRef ref = store.put("lifeboat/manager/dc1", new Secret(SimFixture.NW_PASSWORD + "#" + SimFixture.VC_PART_PASSWORD));
        Refs.Manager m = nw.manager();
        manager = new Refs.Manager(m.datacenter(), m.type(), m.endpoint(), m.user(), ref, null, false);
        handler = new NetworkerPluginHandler(nw.plugin, store, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        nw.close();
    }

    private JsonNode invoke(Command command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(CommandJson.toJson(command))), out, null);
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void aCommandRunsAgainstNetworkerAndAnswersJson() throws IOException {
        JsonNode policies = invoke(Command.of(Operation.LIST_POLICIES, manager));
        assertEquals("GOLD", policies.path("policies").get(0).path("code").asText(), policies.toString());

        JsonNode started = invoke(Command.of(Operation.START_BACKUP, manager).withVm(SimFixture.ref(nw.web))
                .withPolicy(new Refs.Policy("pol-gold", "Gold")));
        assertEquals("BACKUP", started.path("job").path("kind").asText());
        Refs.Job job = new Refs.Job(Refs.Job.Kind.BACKUP, started.path("job").path("ref").asText(),
                Instant.parse(started.path("job").path("startedAt").asText()));
        JsonNode status;
        Instant deadline = Instant.now().plusSeconds(20);
        do {
            status = invoke(Command.of(Operation.POLL_JOB, manager).withJob(job));
            assertTrue(Instant.now().isBefore(deadline));
        } while (status.path("state").asText().equals("RUNNING"));
        assertEquals("SUCCEEDED", status.path("state").asText(), status.toString());
        assertTrue(status.path("restorePoint").path("ref").asText().startsWith("vmware/vcenters/vcenter.local/protectedvms/"));

        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("\"Operation\":\"POLL_JOB\""), logged);
        assertFalse(logged.contains(SimFixture.NW_PASSWORD) || logged.contains(SimFixture.VC_PART_PASSWORD), "no password in the log");
    }

    @Test
    void aFailingCommandLeavesAsTheTypedError() {
        Command poll = Command.of(Operation.POLL_JOB, manager)
                .withJob(new Refs.Job(Refs.Job.Kind.BACKUP, nw.sim.baseUri() + "/jobs/424242", null));
        TerminalError e = assertThrows(TerminalError.class, () -> invoke(poll));
        assertEquals(TerminalError.UNKNOWN_JOB, e.code());
        assertTrue(e.getMessage().startsWith("UNKNOWN_JOB: "), e.getMessage());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("TerminalError UNKNOWN_JOB"));
    }

    @Test
    void aCommandWithoutItsVmIsABadCommand() {
        TerminalError e = assertThrows(TerminalError.class, () -> invoke(Command.of(Operation.START_BACKUP, manager)));
        assertEquals(TerminalError.BAD_COMMAND, e.code());
    }
}
