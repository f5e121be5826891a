package dev.lifeboat.plugin.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.sim.networker.NetworkerSimulator;
import dev.lifeboat.sim.networker.Recover;
import dev.lifeboat.sim.networker.Vm;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NetWorker-specific behaviour beyond the shared contract, against the simulator. */
class NetworkerPluginTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Refs.Policy GOLD = new Refs.Policy("pol-gold", "GOLD");

    private SimFixture nw;

    @BeforeEach
    void start() throws IOException {
        nw = new SimFixture();
    }

    @AfterEach
    void stop() {
        nw.close();
    }

    private Results.JobStatus waitFor(SimFixture f, Refs.Job job) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Results.JobStatus s = f.plugin.pollJob(f.session(), job);
            if (s.state() != Results.JobStatus.State.RUNNING) {
                return s;
            }
            assertTrue(Instant.now().isBefore(deadline), "job did not end: " + job);
            sleep(50);
        }
    }

    private Results.JobStatus waitFor(Refs.Job job) {
        return waitFor(nw, job);
    }

    private Refs.RestorePoint backUp(Vm vm) {
        Results.JobStatus done = waitFor(nw.plugin.startBackup(nw.session(), SimFixture.ref(vm), GOLD));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        assertNotNull(done.restorePoint());
        return done.restorePoint();
    }

    private static long jobId(Refs.Job job) {
        String url = job.ref().contains("#") ? job.ref().substring(0, job.ref().indexOf('#')) : job.ref();
        return Long.parseLong(url.substring(url.lastIndexOf('/') + 1));
    }

    private static <E extends PluginError> E assertCode(Class<E> type, String code, Supplier<?> call) {
        E e = assertThrows(type, call::get);
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains(SimFixture.NW_PASSWORD), "no password in " + e.getMessage());
        return e;
    }

    // ---- policies and schedules ---------------------------------------------------------------------------------------

    @Test
    void policiesAreTheProtectionGroupsWithTheirWorkflowsThenTheProtectionPolicies() {
        List<Results.ExternalPolicy> policies = nw.plugin.listPolicies(nw.session());
        assertEquals(List.of("GOLD", "SILVER", "Lifeboat"), policies.stream().map(Results.ExternalPolicy::code).toList());
        assertEquals("protectiongroups/GOLD", policies.get(0).ref());
        assertTrue(policies.get(0).name().contains("workflow GOLD"), policies.get(0).name());
    }

    @Test
    void aCodeMayNameAWorkflowWhoseGroupIsNamedOtherwise() {
        nw.sim.addWorkflow("Lifeboat", "Platinum", "pg-platinum-vms");
        assertTrue(nw.plugin.listPolicies(nw.session()).stream().anyMatch(p -> p.code().equals("Platinum")));
        assertTrue(nw.plugin.applySchedule(nw.session(), SimFixture.ref(nw.db), new Refs.Policy("p", "PLATINUM")).applied());
        assertEquals(List.of(nw.db.uuid()), nw.sim.workItems("pg-platinum-vms"));
        // And a group name wins over a workflow name: code "pg-platinum-vms" names the group itself.
        assertTrue(nw.plugin.removeSchedule(nw.session(), SimFixture.ref(nw.db), new Refs.Policy("p", "PG-PLATINUM-VMS")).applied());
        assertEquals(List.of(), nw.sim.workItems("pg-platinum-vms"));
    }

    @Test
    void addingAWorkItemIsIdempotentAndRemovingAnAbsentOneSucceeds() {
        Refs.Vm db = SimFixture.ref(nw.db);
        Results.Schedule first = nw.plugin.applySchedule(nw.session(), db, GOLD);
        Results.Schedule second = nw.plugin.applySchedule(nw.session(), db, GOLD);
        assertTrue(first.applied() && second.applied());
        assertTrue(second.details().contains("already"), second.details());
        assertEquals(List.of(nw.web.uuid(), nw.db.uuid()), nw.sim.workItems("GOLD"), "the VM is in the group once");
        // The second add was NetWorker's duplicate refusal, read as success.
        assertEquals(400, nw.sim.requests().stream().filter(r -> r.path().endsWith("updatevmwareworkitems")).toList().get(1).status());

        assertTrue(nw.plugin.removeSchedule(nw.session(), db, GOLD).applied());
        assertTrue(nw.plugin.removeSchedule(nw.session(), db, GOLD).applied(), "removing when absent succeeds");
        assertEquals(List.of(nw.web.uuid()), nw.sim.workItems("GOLD"));
    }

    @Test
    void applyingToAVmVCenterDoesNotHaveIsUnknownVm() {
        Refs.Vm ghost = new Refs.Vm("lb-x", "ghost", SimFixture.VC, "vm-1", "50000000-dead-beef-0000-000000000000", true);
        assertCode(TerminalError.class, TerminalError.UNKNOWN_VM, () -> nw.plugin.applySchedule(nw.session(), ghost, GOLD));
    }

    @Test
    void aVmWithoutVCenterIsFoundByItsUuid() {
        Refs.Vm noVc = new Refs.Vm("lb-db", "db-01", null, null, nw.db.uuid(), true);
        assertTrue(nw.plugin.applySchedule(nw.session(), noVc, GOLD).applied());
        assertTrue(nw.sim.workItems("GOLD").contains(nw.db.uuid()));
    }

    // ---- backups and jobs -------------------------------------------------------------------------------------------

    @Test
    void theRestorePointIsTheBackupTheJobMade() {
        Refs.Job job = nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.web), GOLD);
        assertTrue(job.ref().startsWith(nw.sim.locationBase() + NetworkerSimulator.BASE_PATH + "/jobs/"), job.ref());
        Results.JobStatus done = waitFor(job);
        String backupId = nw.sim.job(jobId(job)).orElseThrow().backupIds().get(0);
        var made = nw.sim.backups(nw.web.uuid()).stream().filter(b -> b.id().equals(backupId)).findFirst().orElseThrow();
        assertEquals("vmware/vcenters/vcenter.local/protectedvms/" + nw.web.uuid() + "/backups/" + backupId, done.restorePoint().ref());
        assertEquals(made.sizeBytes(), done.restorePoint().sizeBytes());
        assertEquals(made.saveTime().getEpochSecond(), done.restorePoint().createdAt().getEpochSecond());
    }

    @Test
    void twoBackupsAtOnceEachFindTheirOwnRestorePoint() {
        Refs.Job a = nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.web), GOLD);
        Refs.Job b = nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.web), GOLD);
        Refs.RestorePoint ra = waitFor(a).restorePoint();
        Refs.RestorePoint rb = waitFor(b).restorePoint();
        assertNotEquals(ra.ref(), rb.ref());
        assertTrue(ra.ref().endsWith(nw.sim.job(jobId(a)).orElseThrow().backupIds().get(0)));
        assertTrue(rb.ref().endsWith(nw.sim.job(jobId(b)).orElseThrow().backupIds().get(0)));
    }

    @Test
    void with202AndALocationOnAnotherBaseTheJobIsFollowedAsGiven() throws IOException {
        try (SimFixture other = new SimFixture(NetworkerSimulator.builder().opStatus(202).locationHost("localhost"))) {
            Refs.Job job = other.plugin.startBackup(other.session(), SimFixture.ref(other.web), GOLD);
            assertTrue(job.ref().startsWith("http://localhost:" + other.sim.port() + "/"), job.ref());
            assertFalse(job.ref().startsWith(other.sim.baseUri().toString()), "not rebuilt from the configured base");
            Results.JobStatus done = waitFor(other, job);
            assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
            assertNotNull(done.restorePoint());
        }
    }

    @Test
    void aBackupWithoutPolicyRunsTheWorkflowProtectingTheVm() {
        Results.JobStatus done = waitFor(nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.web), null));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state());
        assertTrue(nw.sim.requests().stream().anyMatch(r -> r.path().endsWith("/protectiondetails")));
    }

    @Test
    void aBackupOfAnUnprotectedVmIsRefusedWithNetworkersReason() {
        TerminalError e = assertCode(TerminalError.class, TerminalError.REFUSED,
                () -> nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.db), GOLD));
        assertTrue(e.getMessage().contains("is not protected by workflow"), e.getMessage());
    }

    @Test
    void aBackupOfADeletedVmIsUnknownVm() {
        nw.sim.deleteVm(nw.web.uuid());
        assertCode(TerminalError.class, TerminalError.UNKNOWN_VM, () -> nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.web), GOLD));
    }

    @Test
    void anUnknownJobIsTerminal() {
        Refs.Job ghost = new Refs.Job(Refs.Job.Kind.BACKUP, nw.sim.baseUri() + "/jobs/999999", Instant.now());
        assertCode(TerminalError.class, TerminalError.UNKNOWN_JOB, () -> nw.plugin.pollJob(nw.session(), ghost));
        Refs.Job byId = new Refs.Job(Refs.Job.Kind.BACKUP, "999999", Instant.now());
        assertCode(TerminalError.class, TerminalError.UNKNOWN_JOB, () -> nw.plugin.pollJob(nw.session(), byId));
    }

    @Test
    void aFailedRestoreCarriesNetworkersMessage() {
        Refs.RestorePoint rp = backUp(nw.web);
        nw.sim.failNextRecover(nw.web.uuid(), "vProxy vp-01 is not reachable");
        Results.JobStatus done = waitFor(nw.plugin.startRestore(nw.session(), SimFixture.ref(nw.web), rp, Refs.RestoreMode.IN_PLACE));
        assertEquals(Results.JobStatus.State.FAILED, done.state());
        assertEquals(NetworkerPlugin.RESTORE_FAILED, done.error().code());
        assertTrue(done.error().message().contains("vProxy vp-01 is not reachable"), done.error().message());
    }

    // ---- restores ---------------------------------------------------------------------------------------------------

    // Restores as a new VM (recover New) need vCenter for their placement: VcenterPlacementTest, against vcsim.

    @Test
    void theVcenterOfARestorePointIsReachedAtItsSdk() {
        assertEquals("https://vc01.lab/sdk", VcenterPlacement.sdk("vc01.lab"));
        assertEquals("https://10.0.0.5:8443/sdk", VcenterPlacement.sdk("10.0.0.5:8443"));
        assertEquals("https://[fd00::5]/sdk", VcenterPlacement.sdk("[fd00::5]"));
        for (String bad : List.of("https://vc01.lab/sdk", "user:pw@vc01.lab", "vc01.lab/other", "", " ")) {
            assertCode(TerminalError.class, TerminalError.BAD_COMMAND, () -> VcenterPlacement.sdk(bad));
        }
    }

    @Test
    void anInPlaceRestoreOfALiveVmReverts() throws Exception {
        Refs.RestorePoint rp = backUp(nw.web);
        waitFor(nw.plugin.startRestore(nw.session(), SimFixture.ref(nw.web), rp, Refs.RestoreMode.IN_PLACE));
        Recover rec = nw.sim.recovers().get(0);
        assertEquals("Revert", rec.mode());
        assertEquals(nw.web.uuid(), rec.recoveredVmUuid());
    }

    @Test
    void anUnknownRestorePointIsTerminal() {
        String gone = "vmware/vcenters/vcenter.local/protectedvms/" + nw.web.uuid() + "/backups/no-such-backup";
        Refs.RestorePoint rp = new Refs.RestorePoint(gone, null, null);
        assertCode(TerminalError.class, TerminalError.UNKNOWN_RESTORE_POINT,
                () -> nw.plugin.startRestore(nw.session(), SimFixture.ref(nw.web), rp, Refs.RestoreMode.IN_PLACE));
        assertCode(TerminalError.class, TerminalError.UNKNOWN_RESTORE_POINT,
                () -> nw.plugin.startRestore(nw.session(), SimFixture.unallocated(nw.web), rp, Refs.RestoreMode.NEW_VM));
        assertCode(TerminalError.class, TerminalError.UNKNOWN_RESTORE_POINT,
                () -> nw.plugin.startRestore(nw.session(), SimFixture.ref(nw.web), new Refs.RestorePoint("rp-1", null, null), Refs.RestoreMode.IN_PLACE));
    }

    // ---- results ----------------------------------------------------------------------------------------------------

    @Test
    void resultsListEachVmsBackupsAndReportAnUnknownVmBesideThem() {
        Instant now = Instant.now();
        nw.sim.addBackup(nw.web.uuid(), now.minus(Duration.ofHours(3)), now.plus(Duration.ofDays(30)));
        nw.sim.addBackup(nw.web.uuid(), now.minus(Duration.ofDays(3)), now.plus(Duration.ofDays(27)));
        nw.sim.addBackup(nw.web.uuid(), now.minus(Duration.ofHours(2)), now.minus(Duration.ofMinutes(1))); // expired
        Refs.Vm ghost = new Refs.Vm("lb-ghost", "ghost", SimFixture.VC, "vm-9", "50000000-dead-beef-0000-000000000000", true);
        Results.ResultList r = nw.plugin.listResults(nw.session(), List.of(ghost, SimFixture.ref(nw.web), SimFixture.ref(nw.db)),
                now.minus(Duration.ofDays(1)));
        assertEquals(1, r.results().size(), r.toString());
        Results.BackupResult b = r.results().get(0);
        assertEquals("lb-web-01", b.vmId());
        assertEquals(Results.BackupResult.Status.SUCCESS, b.status());
        assertNotNull(b.startedAt());
        assertTrue(b.finishedAt().isAfter(b.startedAt()));
        assertTrue(b.sizeBytes() > 0);
        assertEquals(1, r.failures().size());
        assertEquals("lb-ghost", r.failures().get(0).vmId());
        assertEquals(TerminalError.UNKNOWN_VM, r.failures().get(0).code());
    }

    @Test
    void resultsFailWholeWhenTheCredentialsAreBad() {
        assertCode(TerminalError.class, TerminalError.BAD_CREDENTIALS,
                () -> nw.plugin.listResults(nw.wrongPassword(), List.of(SimFixture.ref(nw.web)), null));
    }

    // ---- errors and the connection check ------------------------------------------------------------------------------

    @Test
    void httpErrorsBecomeTypedErrors() {
        // 429 and 503 are retried until the command's deadline; what is left after it is the typed error.
        nw.sim.faults().failNext(1000, 429);
        assertCode(RetryableError.class, RetryableError.THROTTLED, () -> nw.plugin.listPolicies(nw.session(Duration.ofSeconds(1))));
        nw.sim.faults().failNext(1000, 503);
        assertCode(RetryableError.class, RetryableError.SERVER_ERROR, () -> nw.plugin.listPolicies(nw.session(Duration.ofSeconds(1))));
        nw.sim.faults().failNext(1, 403);
        assertCode(TerminalError.class, TerminalError.FORBIDDEN, () -> nw.plugin.listPolicies(nw.session()));
        nw.sim.faults().failNext(1, 409);
        TerminalError e = assertCode(TerminalError.class, TerminalError.REFUSED, () -> nw.plugin.listPolicies(nw.session()));
        assertTrue(e.getMessage().contains("Injected fault"), "NetWorker's message is carried: " + e.getMessage());
        nw.sim.faults().dropNext(1000);
        assertCode(RetryableError.class, RetryableError.UNREACHABLE, () -> nw.plugin.listPolicies(nw.session(Duration.ofSeconds(1))));
        nw.sim.faults().clear();
        assertCode(TerminalError.class, TerminalError.BAD_CREDENTIALS, () -> nw.plugin.listPolicies(nw.wrongPassword()));
    }

    @Test
    void theConnectionCheckTellsReachableFromAuthenticated() throws IOException {
        Results.Connection ok = nw.plugin.checkConnection(nw.session());
        assertTrue(ok.reachable() && ok.authenticated(), ok.details());
        assertTrue(ok.latencyMs() >= 0);

        Results.Connection bad = nw.plugin.checkConnection(nw.wrongPassword());
        assertTrue(bad.reachable());
        assertFalse(bad.authenticated());
        assertTrue(bad.details().contains("401"), bad.details());

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Refs.Manager m = nw.manager();
        Refs.Manager nowhere = new Refs.Manager(m.datacenter(), m.type(), "http://127.0.0.1:" + closedPort + "/nwrestapi/v3/global",
                m.user(), m.secretRef(), null, false);
        Results.Connection down = nw.plugin.checkConnection(new dev.lifeboat.plugin.Session(nowhere, nw.session().password()));
        assertFalse(down.reachable(), down.details());
        assertFalse(down.details().contains(SimFixture.NW_PASSWORD));
    }

    @Test
    void theServerRootIsCompletedToTheRestBase() {
        Refs.Manager m = nw.manager();
        Refs.Manager root = new Refs.Manager(m.datacenter(), m.type(), "http://127.0.0.1:" + nw.sim.port() + "/", m.user(),
                m.secretRef(), null, false);
        assertTrue(nw.plugin.checkConnection(new dev.lifeboat.plugin.Session(root, nw.session().password())).authenticated());
    }

    @Test
    void onlyTheNetworkerHalfOfTheCredentialsIsSent() {
        nw.plugin.listPolicies(nw.session());
        // The simulator accepts only nwadmin / Nw-S3cret!: the call passing proves the split; no vCenter part leaked.
        assertTrue(nw.sim.requests().stream().allMatch(r -> r.status() == 200));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
