package dev.lifeboat.plugin.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.manager.ManagerType;
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
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lambda frame end to end: JSON commands, the password read by reference from a file store, vcsim behind. */
class VmwareSnapshotPluginHandlerTest {
    @TempDir
    Path secretsDir;

    final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @Test
    void aBackupAndARestoreAsStepFunctionsWouldRunThem() throws Exception {
        FileSecretStore secrets = new FileSecretStore(secretsDir);
        SecretRef ref = secrets.put("lifeboat/manager/vc-1", new Secret(Fixtures.PASSWORD));
        VmwareSnapshotPluginHandler handler = new VmwareSnapshotPluginHandler(
                new VmwareSnapshotPlugin(new VimClient.Config(Duration.ofSeconds(5), Duration.ofSeconds(5))), secrets,
                new PrintStream(logs, true, StandardCharsets.UTF_8));
        Refs.Manager manager = new Refs.Manager("dc1", ManagerType.VMWARE_SNAPSHOT, Fixtures.vcsim().sdkUri().toString(), Fixtures.USER,
                ref, Fixtures.vcsimPem(), false);
        Refs.Vm vm = Fixtures.vm("DC0/vm/DC0_C0_RP0_VM1");
        Instant since = Instant.now().minusSeconds(1);

        assertTrue(run(handler, Command.of(Operation.CHECK_CONNECTION, manager)).path("authenticated").asBoolean());
        assertEquals(0, run(handler, Command.of(Operation.LIST_POLICIES, manager)).path("policies").size());
        JsonNode schedule = run(handler, Command.of(Operation.APPLY_SCHEDULE, manager).withVm(vm).withPolicy(new Refs.Policy("p1", "DAILY")));
        assertTrue(schedule.path("applied").asBoolean());

        JsonNode started = run(handler, Command.of(Operation.START_BACKUP, manager).withVm(vm).withPolicy(new Refs.Policy("p1", "DAILY")));
        assertEquals("BACKUP", started.path("job").path("kind").asText());
        Refs.Job job = new Refs.Job(Refs.Job.Kind.BACKUP, started.path("job").path("ref").asText(),
                Instant.parse(started.path("job").path("startedAt").asText()));
        JsonNode status = run(handler, Command.of(Operation.POLL_JOB, manager).withJob(job));
        assertEquals("SUCCEEDED", status.path("state").asText(), status.toString());
        String point = status.path("restorePoint").path("ref").asText();
        assertTrue(point.startsWith(vm.moref() + "/snapshot-"), point);

        JsonNode results = run(handler, Command.of(Operation.LIST_RESULTS, manager).withResults(List.of(vm), since));
        assertEquals(point, results.path("results").get(0).path("ref").asText(), results.toString());
        assertEquals("SUCCESS", results.path("results").get(0).path("status").asText());

        JsonNode restore = run(handler, Command.of(Operation.START_RESTORE, manager).withVm(vm)
                .withRestore(new Refs.RestorePoint(point, null, null), Refs.RestoreMode.IN_PLACE));
        Refs.Job restoreJob = new Refs.Job(Refs.Job.Kind.RESTORE, restore.path("job").path("ref").asText(), null);
        assertEquals("SUCCEEDED", run(handler, Command.of(Operation.POLL_JOB, manager).withJob(restoreJob)).path("state").asText());

        Refs.Vm unknown = new Refs.Vm("lb-x", "x", "vc.local", "vm-999999", null, true);
        TerminalError e = assertThrows(TerminalError.class,
                () -> run(handler, Command.of(Operation.START_BACKUP, manager).withVm(unknown)));
        assertEquals(TerminalError.UNKNOWN_VM, e.code());

        String log = logs.toString(StandardCharsets.UTF_8);
        assertEquals(9, log.lines().count(), log);
        assertTrue(log.contains("\"outcome\":\"TerminalError UNKNOWN_VM\""), log);
        assertFalse(log.contains(Fixtures.PASSWORD), "no password in the logs");
    }

    /** Through the stream interface Lambda calls, bytes in and bytes out. */
    private static JsonNode run(VmwareSnapshotPluginHandler handler, Command command) throws Exception {
        ObjectNode json = CommandJson.toJson(command);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(CommandJson.TREES.bytes(json)), out, null);
        String answer = out.toString(StandardCharsets.UTF_8);
        assertFalse(answer.contains(Fixtures.PASSWORD));
        return CommandJson.TREES.read(answer);
    }
}
