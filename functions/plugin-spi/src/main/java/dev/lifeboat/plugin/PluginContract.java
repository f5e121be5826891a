package dev.lifeboat.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every plugin passes against its simulator (or vcsim). A plugin module's test extends this class and
 * tells it how to reach and steer its backup system; the cases are the same for all.
 */
public abstract class PluginContract {

    /** The plugin under test, configured with short timeouts so the timeout case runs fast. */
    protected abstract BackupPlugin plugin();

    protected abstract Session session();

    protected abstract Session sessionWithWrongPassword();

    /** A VM the backup system knows, and a policy whose code matches one of its jobs or protection policies. */
    protected abstract Refs.Vm knownVm();

    protected abstract Refs.Policy knownPolicy();

    /** The next backup of the VM fails in the backup system with this message. */
    protected abstract void failNextBackup(Refs.Vm vm, String message);

    /** The next session the backup system hands out expires before its first use. */
    protected abstract void expireNextSession();

    /** The next {@code count} requests answer HTTP {@code status}. */
    protected abstract void failNextRequests(int count, int status);

    /** Every answer comes after {@code delay} (longer than the plugin's timeout in the timeout case). */
    protected abstract void delayAnswers(Duration delay);

    protected abstract void clearFaults();

    /** How long a job may take in the simulator before the test gives up. */
    protected Duration jobDeadline() {
        return Duration.ofSeconds(30);
    }

    /**
     * Whether the plugin lists the whole backup system a page at a time (LIST_RESULTS without VMs); when false, it
     * must refuse with UNSUPPORTED so that results sync lists VM by VM.
     */
    protected boolean listsResultPages() {
        return false;
    }

    protected Refs.Vm unknownVm() {
        return new Refs.Vm("vm-unknown", "no-such-vm", knownVm().vcenter(), "vm-999999", "00000000-0000-0000-0000-000000000000", true);
    }

    @AfterEach
    void clear() {
        clearFaults();
    }

    protected Results.JobStatus waitFor(Refs.Job job) {
        Instant deadline = Instant.now().plus(jobDeadline());
        while (true) {
            Results.JobStatus status = plugin().pollJob(session(), job);
            if (status.state() != Results.JobStatus.State.RUNNING) {
                return status;
            }
            assertTrue(Instant.now().isBefore(deadline), "the job did not end within " + jobDeadline());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    public void connectionCheckWithGoodCredentials() {
        Results.Connection c = plugin().checkConnection(session());
        assertTrue(c.reachable(), c.details());
        assertTrue(c.authenticated(), c.details());
    }

    @Test
    public void connectionCheckWithBadCredentialsSaysSoWithoutThrowing() {
        Results.Connection c = plugin().checkConnection(sessionWithWrongPassword());
        assertTrue(c.reachable(), c.details());
        assertFalse(c.authenticated(), c.details());
        assertFalse(c.details().contains(sessionWithWrongPassword().password().reveal()), "the password is not echoed");
    }

    @Test
    public void badCredentialsAreTerminalForOperations() {
        TerminalError e = assertThrows(TerminalError.class, () -> plugin().listPolicies(sessionWithWrongPassword()));
        assertEquals(TerminalError.BAD_CREDENTIALS, e.code());
    }

    @Test
    public void policiesAreFoundByCode() {
        List<Results.ExternalPolicy> policies = plugin().listPolicies(session());
        assertTrue(policies.stream().anyMatch(p -> p.code().equalsIgnoreCase(knownPolicy().code())), policies.toString());
    }

    @Test
    public void scheduleIsAppliedAndRemoved() {
        assertTrue(plugin().applySchedule(session(), knownVm(), knownPolicy()).applied());
        assertTrue(plugin().applySchedule(session(), knownVm(), knownPolicy()).applied(), "applying twice is harmless");
        assertTrue(plugin().removeSchedule(session(), knownVm(), knownPolicy()).applied());
    }

    @Test
    public void unknownPolicyIsTerminal() {
        TerminalError e = assertThrows(TerminalError.class,
                () -> plugin().applySchedule(session(), knownVm(), new Refs.Policy("p-x", "NO_SUCH_POLICY_CODE")));
        assertEquals(TerminalError.UNKNOWN_POLICY, e.code());
    }

    @Test
    public void backupNowReachesARestorePointThatCanBeRestored() {
        Instant before = Instant.now().minusSeconds(5);
        Refs.Job job = plugin().startBackup(session(), knownVm(), knownPolicy());
        assertEquals(Refs.Job.Kind.BACKUP, job.kind());
        Results.JobStatus done = waitFor(job);
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        assertNotNull(done.restorePoint(), "a successful backup names its restore point");
        Results.ResultList results = plugin().listResults(session(), List.of(knownVm()), before);
        assertTrue(results.results().stream().anyMatch(r -> r.ref().equals(done.restorePoint().ref())),
                "results list the new restore point: " + results);

        Refs.Job restore = plugin().startRestore(session(), knownVm(), done.restorePoint(), Refs.RestoreMode.IN_PLACE);
        assertEquals(Refs.Job.Kind.RESTORE, restore.kind());
        Results.JobStatus restored = waitFor(restore);
        assertEquals(Results.JobStatus.State.SUCCEEDED, restored.state(), String.valueOf(restored.error()));
    }

    @Test
    public void resultPagesOfTheWholeSystemSinceATimeNameTheVmAsTheHypervisorKnowsIt() {
        Instant before = Instant.now().minusSeconds(5);
        if (!listsResultPages()) {
            TerminalError e = assertThrows(TerminalError.class, () -> plugin().listResultPage(session(), before, null));
            assertEquals(TerminalError.UNSUPPORTED, e.code());
            return;
        }
        Results.JobStatus done = waitFor(plugin().startBackup(session(), knownVm(), knownPolicy()));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        List<Results.FoundBackup> found = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Results.ResultPage page = plugin().listResultPage(session(), before, cursor);
            assertTrue(CommandJson.resultPageBytes(page) <= BackupPlugin.RESULT_PAGE_BYTES, "a page stays within its budget");
            found.addAll(page.results());
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 1_000);
        Results.FoundBackup mine = found.stream().filter(r -> r.ref().equals(done.restorePoint().ref())).findFirst()
                .orElseThrow(() -> new AssertionError("the new restore point is listed: " + found));
        assertTrue(knownVm().moref() != null && knownVm().moref().equals(mine.moref())
                || knownVm().uuid() != null && knownVm().uuid().equalsIgnoreCase(mine.uuid()), "named by moref or uuid: " + mine);
        assertTrue(mine.moref() == null || knownVm().vcenter().equalsIgnoreCase(mine.vcenter()), "a moref comes with its vCenter: " + mine);
        // Results sync reads the discovery of a point by a key derived from its reference and start: a start that
        // differed from one listing to the other would make that point a second discovery.
        Results.BackupResult alone = plugin().listResults(session(), List.of(knownVm()), null).results().stream()
                .filter(r -> r.ref().equals(mine.ref())).findFirst().orElseThrow(() -> new AssertionError("listed with its VM too"));
        assertEquals(mine.startedAt(), alone.startedAt(), "a point has the same start in every listing");
        assertTrue(plugin().listResultPage(session(), Instant.now().plusSeconds(3_600), null).results().stream()
                .noneMatch(r -> r.ref().equals(mine.ref())), "nothing created before 'since'");
    }

    @Test
    public void heldReferencesOfManyVmsNameEveryRestorePointTheBackupSystemStillHolds() {
        Results.JobStatus done = waitFor(plugin().startBackup(session(), knownVm(), knownPolicy()));
        assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
        List<Refs.Vm> vms = List.of(knownVm(), unknownVm());
        java.util.Map<String, List<String>> held = new java.util.HashMap<>();
        List<Results.VmFailure> failures = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Results.HeldPage page = plugin().listHeld(session(), vms, cursor);
            assertTrue(CommandJson.TREES.bytes(CommandJson.held(page)).length <= HeldPages.BUDGET_BYTES, "a page stays within its budget");
            page.held().forEach(h -> assertEquals(null, held.put(h.vmId(), h.refs()), "a VM is answered once: " + h));
            failures.addAll(page.failures());
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 100);
        assertTrue(held.getOrDefault(knownVm().id(), List.of()).contains(done.restorePoint().ref()),
                "the VM's new restore point is held: " + held + " " + failures);
        assertTrue(held.getOrDefault(unknownVm().id(), List.of()).isEmpty(), "an unknown VM holds nothing: " + held);
        assertEquals(2, held.size() + failures.size(), "every VM is either held or failed: " + held + " " + failures);
    }

    @Test
    public void aFailingJobEndsFailedWithTheBackupSystemsReason() {
        failNextBackup(knownVm(), "Datastore ds-1 is full");
        Results.JobStatus done = waitFor(plugin().startBackup(session(), knownVm(), knownPolicy()));
        assertEquals(Results.JobStatus.State.FAILED, done.state());
        assertNotNull(done.error());
        assertTrue(done.error().message().contains("Datastore ds-1 is full"), done.error().message());
    }

    @Test
    public void anExpiredSessionIsRenewedOnce() {
        expireNextSession();
        assertFalse(plugin().listPolicies(session()).isEmpty());
    }

    @Test
    public void serverErrorsAreRetryable() {
        failNextRequests(50, 500);
        RetryableError e = assertThrows(RetryableError.class, () -> plugin().listPolicies(session()));
        assertEquals(RetryableError.SERVER_ERROR, e.code());
    }

    @Test
    public void timeoutsAreRetryable() {
        delayAnswers(Duration.ofSeconds(5));
        RetryableError e = assertThrows(RetryableError.class, () -> plugin().listPolicies(session()));
        assertEquals(RetryableError.TIMEOUT, e.code());
    }

    @Test
    public void anUnknownVmIsTerminal() {
        TerminalError e = assertThrows(TerminalError.class, () -> plugin().startBackup(session(), unknownVm(), knownPolicy()));
        assertEquals(TerminalError.UNKNOWN_VM, e.code());
    }

    @Test
    public void capabilitiesMatchTheManagerType() {
        assertEquals(session().manager().type(), plugin().capabilities().type());
    }
}
