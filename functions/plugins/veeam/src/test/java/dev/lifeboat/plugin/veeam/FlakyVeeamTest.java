package dev.lifeboat.plugin.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.sim.veeam.VeeamSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Veeam through a flaky Enterprise Manager: kept logon sessions, retried reads, and one session per backup or restore. */
class FlakyVeeamTest {
    private SimFixture f;

    @AfterEach
    void stop() {
        if (f != null) f.close();
    }

    private Results.JobStatus waitFor(Refs.Job job) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Results.JobStatus s = f.plugin.pollJob(f.session(), job);
            if (s.state() != Results.JobStatus.State.RUNNING) return s;
            assertTrue(Instant.now().isBefore(deadline), "job still running: " + s);
            f.sim.clock().advance(Duration.ofMillis(200));
        }
    }

    private List<VeeamSimulator.BackupSessionInfo> sessionsOf(String vm) {
        return f.sim.backupSessions().stream().filter(s -> s.vmNames().contains(vm)).toList();
    }

    @Test
    void commandsOfAWarmPluginShareOneLogonSessionUntilTheSecretChanges() {
        f = SimFixture.start(b -> b.instant());
        f.plugin.listPolicies(f.session());
        f.plugin.applySchedule(f.session(), SimFixture.app01(), SimFixture.gold());
        waitFor(f.plugin.startBackup(f.session(), SimFixture.web01(), SimFixture.gold()));
        assertEquals(1, f.logons(), "one logon for every command of the same manager");
        assertTrue(f.sim.logonSessions().stream().noneMatch(l -> l.state().equals("LoggedOff")), "the kept session stays open");

        f.plugin.listPolicies(f.sessionWithSecretVersion("v2"));
        assertEquals(2, f.logons(), "a new secret version never reuses the old password's session");
    }

    @Test
    void aKeptSessionThatEmDroppedIsReplacedOnceAndTheCommandSucceeds() {
        f = SimFixture.start(b -> b.instant());
        f.plugin.listPolicies(f.session());
        f.sim.expireSessions();
        assertFalse(f.plugin.listPolicies(f.session()).isEmpty());
        assertEquals(2, f.logons());
        f.plugin.listPolicies(f.session());
        assertEquals(2, f.logons(), "the new session is kept in turn");
    }

    @Test
    void readsThatFailWithServerErrorsAreRetriedInsideTheCommand() {
        f = SimFixture.start(b -> b.instant());
        f.sim.faults().failNext(2, 500);
        assertFalse(f.plugin.listPolicies(f.session()).isEmpty());
        f.sim.faults().failNext(2, 503);
        Refs.Job job = f.plugin.startBackup(f.session(), SimFixture.web01(), SimFixture.gold());
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(job).state());
        assertEquals(1, sessionsOf("web-01").size());
    }

    @Test
    void aStartWhoseAnswerIsLostAdoptsTheSessionItStartedAndARetriedStartDoesToo() {
        f = SimFixture.start(b -> b.instant());
        Refs.Run run = new Refs.Run("backup-1", Instant.now());
        f.sim.faults().dropAnswerNext(1, r -> r.startsWith("POST") && r.contains("action=quickbackup"));

        Refs.Job job = f.plugin.startBackup(f.session(run), SimFixture.web01(), SimFixture.gold());
        assertEquals(1, sessionsOf("web-01").size(), "Veeam ran the quick backup whose answer was lost, and only that one");
        assertEquals(sessionsOf("web-01").get(0).id(), job.ref(), "the job is the session Veeam started");

        // The workflow retries the start (its Lambda timed out, say): the run's session is adopted again.
        Refs.Job again = f.plugin.startBackup(f.session(run), SimFixture.web01(), SimFixture.gold());
        assertEquals(job.ref(), again.ref());
        assertEquals(1, sessionsOf("web-01").size());
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(again).state());
        assertEquals(1, sessionsOf("web-01").size());
    }

    @Test
    void aNewRunDoesNotAdoptTheSessionOfAnEarlierBackup() {
        f = SimFixture.start(b -> b.instant());
        Refs.Job first = f.plugin.startBackup(f.session(new Refs.Run("backup-1", Instant.now())), SimFixture.web01(), SimFixture.gold());
        waitFor(first);
        f.sim.clock().advance(Duration.ofSeconds(1));
        Refs.Job second = f.plugin.startBackup(f.session(new Refs.Run("backup-2", f.sim.clock().instant())), SimFixture.web01(), SimFixture.gold());
        assertEquals(2, sessionsOf("web-01").size(), "the earlier session ended before this run began: a new one is started");
        assertFalse(second.ref().equals(first.ref()));
    }

    @Test
    void aRestoreWhoseAnswerIsLostAdoptsTheRestoreSession() {
        f = SimFixture.start(b -> b.instant());
        Results.JobStatus backup = waitFor(f.plugin.startBackup(f.session(), SimFixture.web01(), SimFixture.gold()));
        f.sim.clock().advance(Duration.ofSeconds(1));
        Refs.Run run = new Refs.Run("restore-1", f.sim.clock().instant());
        f.sim.faults().dropAnswerNext(1, r -> r.startsWith("POST") && r.contains("action=restore"));
        Refs.Job restore = f.plugin.startRestore(f.session(run), SimFixture.web01(), backup.restorePoint(), Refs.RestoreMode.IN_PLACE);
        assertEquals(1, f.sim.restores().size());
        assertEquals(f.sim.restores().get(0).restoreSessionId(), restore.ref());
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(restore).state());
    }

    /**
     * The requests a backup now and a poll take, one logon per command (as before sessions were kept) against a warm
     * plugin; the figures are printed for the record and the warm plugin must need fewer.
     */
    @Test
    void aWarmStartAndPollNeedFewerRequestsThanLogonPerCommand() {
        int[] cold = measure(false);
        int[] warm = measure(true);
        System.out.printf("Veeam requests per command, logon per command -> warm session: start %d -> %d, poll %d -> %d%n",
                cold[0], warm[0], cold[1], warm[1]);
        assertTrue(warm[0] < cold[0] && warm[1] < cold[1], "start " + cold[0] + " -> " + warm[0] + ", poll " + cold[1] + " -> " + warm[1]);
    }

    private int[] measure(boolean warmSessions) {
        try (SimFixture m = SimFixture.start(b -> b.instant(), SimFixture.OPTIONS, warmSessions)) {
            f = m;
            Session s = m.session(new Refs.Run("b", Instant.now()));
            m.plugin.listPolicies(m.session()); // a warm Lambda has served a command before
            m.sim.clearRequests();
            Refs.Job job = m.plugin.startBackup(s, SimFixture.web01(), SimFixture.gold());
            int start = m.sim.requests().size();
            m.sim.clearRequests();
            m.plugin.pollJob(m.session(), job);
            int poll = m.sim.requests().size();
            f = null;
            return new int[] {start, poll};
        }
    }
}
