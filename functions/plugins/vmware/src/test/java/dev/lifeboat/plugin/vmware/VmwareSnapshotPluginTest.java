package dev.lifeboat.plugin.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the contract does not cover, against vcsim (through the plain-http proxy where a fault is needed). */
class VmwareSnapshotPluginTest {
    private static VimProxy proxy;
    private static VmwareSnapshotPlugin plugin;
    private static Refs.Vm vm;
    private static Refs.Vm otherVm;

    @BeforeAll
    static void start() throws IOException {
        proxy = new VimProxy(Fixtures.vcsim(), null);
        plugin = new VmwareSnapshotPlugin(new VimClient.Config(Fixtures.testTimeout(), Fixtures.testTimeout()));
        vm = Fixtures.vm("DC0/vm/DC0_H0_VM0");
        otherVm = Fixtures.vm("DC0/vm/DC0_C0_RP0_VM0");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @AfterEach
    void clear() {
        proxy.clear();
    }

    private static Session session() {
        return Fixtures.session(proxy.sdk(), null, false);
    }

    private static Results.JobStatus poll(Refs.Job job) {
        return plugin.pollJob(session(), job);
    }

    private static Refs.RestorePoint backup(Refs.Vm of) {
        Results.JobStatus done = poll(plugin.startBackup(session(), of, new Refs.Policy("p", "SILVER")));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        return done.restorePoint();
    }

    @Test
    void aBackupIsANamedSnapshotOfTheVm() {
        Instant before = Instant.now().minusSeconds(1);
        Refs.Job job = plugin.startBackup(session(), vm, new Refs.Policy("p", "SILVER"));
        assertTrue(job.ref().startsWith("backup/" + vm.moref() + "/task-"), job.ref());
        Results.JobStatus done = poll(job);
        Refs.RestorePoint point = done.restorePoint();
        assertTrue(point.ref().matches(vm.moref() + "/snapshot-\\d+"), point.ref());
        assertNull(point.sizeBytes());
        assertFalse(point.createdAt().isBefore(before), point.createdAt() + " before " + before);
        Results.BackupResult listed = plugin.listResults(session(), List.of(vm), before).results().stream()
                .filter(r -> r.ref().equals(point.ref())).findFirst().orElseThrow();
        assertEquals(vm.id(), listed.vmId());
        assertEquals(Results.BackupResult.Status.SUCCESS, listed.status());
        assertEquals(point.createdAt(), listed.startedAt());
    }

    @Test
    void aVmIsAlsoFoundByItsMorefAlone() {
        Refs.Vm byMoref = new Refs.Vm(vm.id(), vm.name(), vm.vcenter(), "VirtualMachine:" + vm.moref(), null, true);
        assertTrue(plugin.applySchedule(session(), byMoref, new Refs.Policy("p", "ANY")).applied());
        Refs.Vm staleUuid = new Refs.Vm(vm.id(), vm.name(), vm.vcenter(), vm.moref(), "00000000-0000-0000-0000-000000000001", true);
        assertTrue(plugin.startBackup(session(), staleUuid, null).ref().startsWith("backup/" + vm.moref() + "/"));
    }

    @Test
    void aRunningTaskIsPolledUntilItEnds() {
        Refs.Job job = plugin.startBackup(session(), vm, null);
        proxy.runningPolls(2);
        Results.JobStatus first = poll(job);
        assertEquals(Results.JobStatus.State.RUNNING, first.state());
        assertEquals(42, first.progress());
        assertNull(first.restorePoint());
        assertEquals(Results.JobStatus.State.RUNNING, poll(job).state());
        assertEquals(Results.JobStatus.State.SUCCEEDED, poll(job).state());
    }

    @Test
    void aRestorePointIsRemovedForExpiry() {
        Refs.RestorePoint point = backup(vm);
        Refs.Job removal = plugin.removeRestorePoint(session(), vm, point);
        assertTrue(removal.ref().startsWith("remove/" + vm.moref() + "/task-"), removal.ref());
        Results.JobStatus done = poll(removal);
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        assertNull(done.restorePoint());
        assertTrue(plugin.listResults(session(), List.of(vm), null).results().stream().noneMatch(r -> r.ref().equals(point.ref())));
        TerminalError again = assertThrows(TerminalError.class, () -> plugin.removeRestorePoint(session(), vm, point));
        assertEquals(TerminalError.UNKNOWN_RESTORE_POINT, again.code());
        TerminalError revert = assertThrows(TerminalError.class,
                () -> plugin.startRestore(session(), vm, point, Refs.RestoreMode.IN_PLACE));
        assertEquals(TerminalError.UNKNOWN_RESTORE_POINT, revert.code());
    }

    @Test
    void heldSnapshotsOfManyVmsComeFromOneRetrievalAndARemovedOneIsNoLongerHeld() {
        Refs.RestorePoint kept = backup(otherVm);
        Refs.RestorePoint removed = backup(vm);
        Results.JobStatus gone = poll(plugin.removeRestorePoint(session(), vm, removed));
        assertEquals(Results.JobStatus.State.SUCCEEDED, gone.state(), String.valueOf(gone.error()));
        Refs.Vm unknown = new Refs.Vm("lb-gone", "gone", "vc.local", "vm-999999", null, true);

        Results.HeldPage page = plugin.listHeld(session(), List.of(vm, otherVm, unknown), null);

        assertNull(page.nextCursor());
        java.util.Map<String, List<String>> held = new java.util.HashMap<>();
        page.held().forEach(h -> held.put(h.vmId(), h.refs()));
        assertTrue(held.get(otherVm.id()).contains(kept.ref()), page.toString());
        assertFalse(held.get(vm.id()).contains(removed.ref()), "results sync expires the removed snapshot: " + page);
        assertEquals(List.of("lb-gone"), page.failures().stream().map(Results.VmFailure::vmId).toList(), "an unknown VM is skipped, never held empty");
    }

    @Test
    void aSnapshotOfAnotherVmIsNotRestored() {
        Refs.RestorePoint others = backup(otherVm);
        TerminalError e = assertThrows(TerminalError.class, () -> plugin.startRestore(session(), vm, others, Refs.RestoreMode.IN_PLACE));
        assertEquals(TerminalError.UNKNOWN_RESTORE_POINT, e.code());
        assertTrue(e.detail().contains("not of VM " + vm.id()), e.detail());
    }

    @Test
    void onlyInPlaceRestoresOfAllocatedVms() {
        Refs.RestorePoint point = new Refs.RestorePoint(vm.moref() + "/snapshot-1", null, null);
        assertEquals(TerminalError.UNSUPPORTED, assertThrows(TerminalError.class,
                () -> plugin.startRestore(session(), vm, point, Refs.RestoreMode.NEW_VM)).code());
        Refs.Vm gone = new Refs.Vm(vm.id(), vm.name(), vm.vcenter(), vm.moref(), vm.uuid(), false);
        assertEquals(TerminalError.UNSUPPORTED, assertThrows(TerminalError.class,
                () -> plugin.startRestore(session(), gone, point, Refs.RestoreMode.IN_PLACE)).code());
    }

    @Test
    void resultsListOnlyLifeboatSnapshotsAndReportFailingVmsBesideTheOthers() {
        Instant before = Instant.now().minusSeconds(1);
        Refs.RestorePoint point = backup(otherVm);
        Refs.Vm unknown = new Refs.Vm("lb-gone", "gone", "vc.local", "vm-999999", null, true);
        Results.ResultList list = plugin.listResults(session(), List.of(unknown, otherVm), before);
        assertTrue(list.results().stream().anyMatch(r -> r.ref().equals(point.ref())), list.toString());
        assertTrue(list.results().stream().allMatch(r -> r.vmId().equals(otherVm.id()) && !r.startedAt().isBefore(before)));
        assertEquals(1, list.failures().size());
        assertEquals("lb-gone", list.failures().get(0).vmId());
        assertEquals(TerminalError.UNKNOWN_VM, list.failures().get(0).code());
        assertTrue(plugin.listResults(session(), List.of(otherVm), Instant.now().plusSeconds(60)).results().isEmpty(), "since filters");
    }

    @Test
    void aTaskVCenterForgotIsJudgedByTheSnapshotTree() {
        Refs.RestorePoint point = backup(vm);
        String snapshot = point.ref().substring(point.ref().indexOf('/') + 1);
        // A backup job whose task is gone but whose snapshot (by name) is in the tree succeeded.
        Refs.Job forgotten = new Refs.Job(Refs.Job.Kind.BACKUP, "backup/" + vm.moref() + "/task-999999/" + snapshotName(vm, snapshot), null);
        Results.JobStatus status = poll(forgotten);
        assertEquals(Results.JobStatus.State.SUCCEEDED, status.state());
        assertEquals(point.ref(), status.restorePoint().ref());
        // Without such a snapshot, or for a revert, it is an unknown job.
        Refs.Job nothing = new Refs.Job(Refs.Job.Kind.BACKUP, "backup/" + vm.moref() + "/task-999999/lifeboat-never", null);
        assertEquals(TerminalError.UNKNOWN_JOB, assertThrows(TerminalError.class, () -> poll(nothing)).code());
        Refs.Job revert = new Refs.Job(Refs.Job.Kind.RESTORE, "restore/" + vm.moref() + "/task-999999/" + snapshot, null);
        assertEquals(TerminalError.UNKNOWN_JOB, assertThrows(TerminalError.class, () -> poll(revert)).code());
        Refs.Job junk = new Refs.Job(Refs.Job.Kind.BACKUP, "task-68", null);
        assertEquals(TerminalError.UNKNOWN_JOB, assertThrows(TerminalError.class, () -> poll(junk)).code());
    }

    private static String snapshotName(Refs.Vm of, String snapshot) {
        try (VimClient.Session s = new VimClient(VimClient.Config.DEFAULT).open(Fixtures.manager(proxy.sdk(), null, false), Fixtures.USER,
                new dev.lifeboat.domain.secret.Secret(Fixtures.PASSWORD))) {
            s.login();
            return s.snapshots(new VimClient.Moref("VirtualMachine", of.moref())).stream()
                    .filter(x -> x.snapshot().value().equals(snapshot)).findFirst().orElseThrow().name();
        }
    }

    /** A plugin without kept logins, as a cold Lambda has. */
    private static VmwareSnapshotPlugin coldPlugin() {
        return new VmwareSnapshotPlugin(new VimClient.Config(Fixtures.testTimeout(), Fixtures.testTimeout()));
    }

    private static Session session(Duration budget) {
        Session s = session();
        return new Session(s.manager(), s.password(), Instant.now().plus(budget), null);
    }

    @Test
    void aSessionRefusedTwiceIsRetryable() {
        proxy.expireNextSessions(2);
        RetryableError e = assertThrows(RetryableError.class, () -> coldPlugin().startBackup(session(), vm, null));
        assertEquals(RetryableError.SESSION_EXPIRED, e.code());
    }

    @Test
    void aSessionExpiringMidBackupIsRenewedAndTheSnapshotTakenOnce() {
        Instant before = Instant.now();
        proxy.expireNextSessions(1);
        int refused = proxy.notAuthenticated.get();
        Results.JobStatus done = poll(coldPlugin().startBackup(session(), otherVm, null));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state());
        assertEquals(refused + 1, proxy.notAuthenticated.get());
        assertEquals(1, plugin.listResults(session(), List.of(otherVm), before).results().size());
    }

    @Test
    void unavailableUntilTheDeadlineIsRetryableServerError() {
        proxy.faults.failNext(1000, 503);
        assertEquals(RetryableError.SERVER_ERROR, assertThrows(RetryableError.class,
                () -> coldPlugin().listPolicies(session(Duration.ofSeconds(1)))).code());
        proxy.faults.clear();
        assertEquals(List.of(), plugin.listPolicies(session()), "and the next command works");
    }

    @Test
    void aConnectionDroppedUntilTheDeadlineIsUnreachable() {
        proxy.faults.dropNext(1000);
        assertEquals(RetryableError.UNREACHABLE, assertThrows(RetryableError.class,
                () -> coldPlugin().listPolicies(session(Duration.ofSeconds(1)))).code());
    }

    @Test
    void readsAndLoginsAreRetriedInsideTheCommandAndTheLoginIsKept() {
        VmwareSnapshotPlugin warm = coldPlugin();
        proxy.faults.failNext(2, 503);
        assertEquals(List.of(), warm.listPolicies(session()));
        int logins = proxy.logins.get();
        warm.applySchedule(session(), vm, new Refs.Policy("p", "GOLD"));
        warm.listPolicies(session());
        assertEquals(logins, proxy.logins.get(), "the login of the first command serves the next ones");
    }

    @Test
    void aBackupWhoseAnswerIsLostAdoptsTheSnapshotNamedAfterTheBackup() {
        Session s = session();
        Session run = new Session(s.manager(), s.password(), Instant.now().plus(Session.DEFAULT_BUDGET),
                new Refs.Run("bk-lost-" + System.nanoTime(), Instant.now()));
        proxy.dropAnswerOfNext("CreateSnapshot_Task", 1);
        Refs.Job job = plugin.startBackup(run, otherVm, null);
        Refs.Job again = plugin.startBackup(run, otherVm, null);
        assertEquals(job.ref(), again.ref(), "a retried start adopts the same snapshot");
        Results.JobStatus done = poll(again);
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state());
        String name = "lifeboat-" + run.run().id();
        assertEquals(name, snapshotName(otherVm, done.restorePoint().ref().substring(done.restorePoint().ref().indexOf('/') + 1)));
        assertEquals(1, snapshotsNamed(otherVm, name), "exactly one snapshot for the backup");
    }

    private static long snapshotsNamed(Refs.Vm of, String name) {
        try (VimClient.Session s = new VimClient(VimClient.Config.DEFAULT).open(Fixtures.manager(proxy.sdk(), null, false), Fixtures.USER,
                new dev.lifeboat.domain.secret.Secret(Fixtures.PASSWORD))) {
            s.login();
            return s.snapshots(new VimClient.Moref("VirtualMachine", of.moref())).stream().filter(x -> name.equals(x.name())).count();
        }
    }

    @Test
    void aClosedPortIsUnreachableAndCheckConnectionSaysSo() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Session closed = Fixtures.session(URI.create("http://127.0.0.1:" + port + "/sdk"), null, false);
        assertEquals(RetryableError.UNREACHABLE, assertThrows(RetryableError.class, () -> plugin.listPolicies(closed)).code());
        Results.Connection c = plugin.checkConnection(closed);
        assertFalse(c.reachable());
        assertFalse(c.authenticated());
        assertTrue(c.details().startsWith("UNREACHABLE"), c.details());
    }

    @Test
    void checkConnectionNamesVCenterAndNeverThePassword() {
        Results.Connection good = plugin.checkConnection(session());
        assertTrue(good.authenticated());
        assertTrue(good.details().contains("VMware vCenter Server 6.5.0"), good.details());
        Results.Connection bad = plugin.checkConnection(new Session(session().manager(),
                new dev.lifeboat.domain.secret.Secret(Fixtures.WRONG_PASSWORD)));
        assertTrue(bad.reachable());
        assertFalse(bad.authenticated());
        assertTrue(bad.details().contains("BAD_CREDENTIALS"), bad.details());
        assertFalse(bad.details().contains(Fixtures.WRONG_PASSWORD));
    }
}
