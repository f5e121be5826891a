package dev.lifeboat.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.secrets.FileSecretStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginHandlerTest {
    static final String PASSWORD = "nw-Secret-1#vc-Secret-2";

    /** A plugin that records what it was given and answers from a script. */
    static final class Recording implements BackupPlugin {
        final AtomicReference<Session> lastSession = new AtomicReference<>();
        RuntimeException failWith;

        public Capabilities capabilities() { return Capabilities.of(ManagerType.NETWORKER); }
        public Results.Connection checkConnection(Session s) { lastSession.set(s); return new Results.Connection(true, true, 3, "ok"); }
        public List<Results.ExternalPolicy> listPolicies(Session s) {
            lastSession.set(s);
            if (failWith != null) throw failWith;
            return List.of(new Results.ExternalPolicy("GOLD", "Gold", "pg/GOLD"));
        }
        public Results.Schedule applySchedule(Session s, Refs.Vm vm, Refs.Policy p) { return new Results.Schedule(true, vm.id() + "->" + p.code()); }
        public Results.Schedule removeSchedule(Session s, Refs.Vm vm, Refs.Policy p) { return new Results.Schedule(true, "removed"); }
        public Refs.Job startBackup(Session s, Refs.Vm vm, Refs.Policy p) { lastSession.set(s); return new Refs.Job(Refs.Job.Kind.BACKUP, "jobs/7", Instant.parse("2026-11-27T08:00:00Z")); }
        public Refs.Job startRestore(Session s, Refs.Vm vm, Refs.RestorePoint r, Refs.RestoreMode m) { return new Refs.Job(Refs.Job.Kind.RESTORE, m + ":" + r.ref(), null); }
        public Results.JobStatus pollJob(Session s, Refs.Job job) {
            return new Results.JobStatus(job, Results.JobStatus.State.SUCCEEDED, 100, new Refs.RestorePoint("rp-1", Instant.parse("2026-11-27T08:05:00Z"), 1024L), null);
        }
        public Results.ResultList listResults(Session s, List<Refs.Vm> vms, Instant since) {
            return new Results.ResultList(List.of(), vms.stream().map(v -> new Results.VmFailure(v.id(), "UNKNOWN_VM", "gone")).toList());
        }
    }

    final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    final Recording plugin = new Recording();

    PluginHandler handler(FileSecretStore secrets) {
        return new PluginHandler(plugin, secrets, new PrintStream(logs, true, StandardCharsets.UTF_8)) {};
    }

    ObjectNode command(String operation, SecretRef ref) {
        Refs.Manager manager = new Refs.Manager("dc1", ManagerType.NETWORKER, "https://nw:9090/nwrestapi/v3/global", "nw-user#vc-user", ref, null, false);
        return CommandJson.toJson(Command.of(Operation.valueOf(operation), manager)
                .withVm(new Refs.Vm("vm-1", "web-01", "vc.local", "vm-42", "4210-aa", true))
                .withPolicy(new Refs.Policy("01J", "GOLD"))
                .withJob(new Refs.Job(Refs.Job.Kind.BACKUP, "jobs/7", null))
                .withRestore(new Refs.RestorePoint("rp-1", null, null), Refs.RestoreMode.NEW_VM)
                .withResults(List.of(new Refs.Vm("vm-2", null, null, null, null, false)), Instant.parse("2026-11-01T00:00:00Z")));
    }

    @Test
    void everyOperationRunsWithThePasswordReadByReference(@TempDir Path dir) {
        FileSecretStore secrets = new FileSecretStore(dir);
        SecretRef ref = secrets.put("lifeboat/manager/01J", new Secret(PASSWORD));
        PluginHandler h = handler(secrets);
        assertTrue(h.handle(command("CHECK_CONNECTION", ref)).path("authenticated").asBoolean());
        Session s = plugin.lastSession.get();
        assertEquals("nw-user", s.backupUser("#"));
        assertEquals("nw-Secret-1", s.backupPassword("#"));
        assertEquals("vc-user", s.vcenterUser("#"));
        assertEquals("vc-Secret-2", s.vcenterPassword("#"));
        assertEquals("GOLD", h.handle(command("LIST_POLICIES", ref)).path("policies").get(0).path("code").asText());
        assertEquals("vm-1->GOLD", h.handle(command("APPLY_SCHEDULE", ref)).path("details").asText());
        assertEquals("jobs/7", h.handle(command("START_BACKUP", ref)).path("job").path("ref").asText());
        assertEquals("NEW_VM:rp-1", h.handle(command("START_RESTORE", ref)).path("job").path("ref").asText());
        JsonNode status = h.handle(command("POLL_JOB", ref));
        assertEquals("SUCCEEDED", status.path("state").asText());
        assertEquals("rp-1", CommandJson.jobStatus(status).restorePoint().ref());
        assertEquals("vm-2", h.handle(command("LIST_RESULTS", ref)).path("failures").get(0).path("vmId").asText());
        String everything = logs.toString(StandardCharsets.UTF_8) + command("START_BACKUP", ref);
        assertFalse(everything.contains("Secret-1") || everything.contains("Secret-2"), "no password in logs or commands");
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("\"Operation\":\"POLL_JOB\""));
    }

    @Test
    void aStartCarriesItsRunAndEveryCommandItsDeadlineFromTheLambdaContext(@TempDir Path dir) throws Exception {
        FileSecretStore secrets = new FileSecretStore(dir);
        SecretRef ref = secrets.put("lifeboat/manager/01J", new Secret(PASSWORD));
        ObjectNode start = command("START_BACKUP", ref);
        start.set("run", CommandJson.run(new Refs.Run("01BACKUP", Instant.parse("2026-12-05T08:00:00Z"))));
        Instant before = Instant.now();
        handler(secrets).handleRequest(new java.io.ByteArrayInputStream(start.toString().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), remaining(30_000));
        Session s = plugin.lastSession.get();
        assertEquals(new Refs.Run("01BACKUP", Instant.parse("2026-12-05T08:00:00Z")), s.run());
        // 30 s left: the plugin must be done 3 s (a tenth) before Lambda ends it.
        assertTrue(!s.deadline().isBefore(before.plusSeconds(27)) && !s.deadline().isAfter(Instant.now().plusSeconds(27)), s.deadline().toString());
        handler(secrets).handle(command("LIST_POLICIES", ref));
        assertNull(plugin.lastSession.get().run(), "only a start has a run");
    }

    /** A Lambda context with this much time left; nothing else of it is read. */
    private static com.amazonaws.services.lambda.runtime.Context remaining(int millis) {
        return (com.amazonaws.services.lambda.runtime.Context) java.lang.reflect.Proxy.newProxyInstance(PluginHandlerTest.class.getClassLoader(),
                new Class<?>[] {com.amazonaws.services.lambda.runtime.Context.class},
                (proxy, method, args) -> method.getName().equals("getRemainingTimeInMillis") ? millis : null);
    }

    @Test
    void commandsRoundTrip() {
        ObjectNode json = command("START_RESTORE", new SecretRef("s", "v"));
        assertEquals(json, CommandJson.toJson(CommandJson.command(json)));
    }

    @Test
    void typedErrorsLeaveAsThemselvesAndBugsBecomeTerminal(@TempDir Path dir) {
        FileSecretStore secrets = new FileSecretStore(dir);
        SecretRef ref = secrets.put("x", new Secret("p"));
        PluginHandler h = handler(secrets);
        plugin.failWith = new RetryableError(RetryableError.SESSION_EXPIRED, "the session ended");
        RetryableError retry = assertThrows(RetryableError.class, () -> h.handle(command("LIST_POLICIES", ref)));
        assertEquals("SESSION_EXPIRED: the session ended", retry.getMessage());
        plugin.failWith = new IllegalStateException("bug");
        TerminalError bug = assertThrows(TerminalError.class, () -> h.handle(command("LIST_POLICIES", ref)));
        assertEquals("INTERNAL", bug.code());
        assertThrows(RetryableError.class, () -> h.handle(command("LIST_POLICIES", new SecretRef("missing", "00000000-0000-0000-0000-000000000000"))));
    }

    @Test
    void malformedCommandsAreTerminalAndNameTheField(@TempDir Path dir) {
        PluginHandler h = handler(new FileSecretStore(dir));
        ObjectNode noOperation = command("POLL_JOB", new SecretRef("s", "v"));
        noOperation.remove("operation");
        TerminalError e = assertThrows(TerminalError.class, () -> h.handle(noOperation));
        assertEquals(TerminalError.BAD_COMMAND, e.code());
        assertTrue(e.getMessage().contains("operation"));
        ObjectNode badType = command("POLL_JOB", new SecretRef("s", "v"));
        ((ObjectNode) badType.get("manager")).put("type", "TAPE");
        assertThrows(TerminalError.class, () -> h.handle(badType));
        assertNull(CommandJson.command(command("POLL_JOB", new SecretRef("s", "v")).put("restoreMode", (String) null)).restoreMode());
    }

    @Test
    void capabilitiesFollowTheManagerType() {
        assertFalse(Capabilities.of(ManagerType.VEEAM).subtypes().contains(dev.lifeboat.domain.schedule.Subtype.DEFINED_HOUR));
        assertTrue(Capabilities.of(ManagerType.NETWORKER).restoresUnallocatedVm());
        assertFalse(Capabilities.of(ManagerType.VMWARE_SNAPSHOT).schedulesItself());
        assertTrue(Capabilities.of(ManagerType.VEEAM_SNAPSHOT).schedulesItself());
    }
}
