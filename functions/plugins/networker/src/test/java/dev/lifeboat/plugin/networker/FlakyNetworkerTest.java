package dev.lifeboat.plugin.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.sim.networker.Job;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NetWorker through a flaky server: retried reads, and exactly one job per backup or restore. */
class FlakyNetworkerTest {
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

    private Session run(String id, Instant since) {
        Session s = nw.session();
        return new Session(s.manager(), s.password(), Instant.now().plus(Session.DEFAULT_BUDGET), new Refs.Run(id, since));
    }

    private List<Job> jobsOf(String uuid, String kind) {
        return nw.sim.jobs().stream().filter(j -> j.kind().equals(kind) && j.vmUuids().contains(uuid)).toList();
    }

    private Results.JobStatus waitFor(Refs.Job job) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Results.JobStatus s = nw.plugin.pollJob(nw.session(), job);
            if (s.state() != Results.JobStatus.State.RUNNING) {
                return s;
            }
            assertTrue(Instant.now().isBefore(deadline), "job did not end: " + job);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static String jobId(Refs.Job job) {
        String url = job.ref().contains("#") ? job.ref().substring(0, job.ref().indexOf('#')) : job.ref();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    @Test
    void aBackupWhoseAnswerIsLostAdoptsTheJobItStartedAndARetriedStartDoesToo() {
        Session s = run("backup-1", Instant.now());
        nw.sim.faults().dropAnswerNext(1, r -> r.startsWith("POST") && r.contains("/op/backup"));

        Refs.Job job = nw.plugin.startBackup(s, SimFixture.ref(nw.web), GOLD);
        List<Job> jobs = jobsOf(nw.web.uuid(), "backup");
        assertEquals(1, jobs.size(), "NetWorker ran the backup whose answer was lost, and only that one");
        assertEquals(String.valueOf(jobs.get(0).id()), jobId(job));

        Refs.Job again = nw.plugin.startBackup(s, SimFixture.ref(nw.web), GOLD);
        assertEquals(jobId(job), jobId(again));
        assertEquals(1, jobsOf(nw.web.uuid(), "backup").size());
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(again).state(), "the adopted job is followed to its restore point");
    }

    @Test
    void aNewRunDoesNotAdoptTheJobOfAnEarlierBackup() {
        Refs.Job first = nw.plugin.startBackup(run("backup-1", Instant.now()), SimFixture.ref(nw.web), GOLD);
        waitFor(first);
        Refs.Job second = nw.plugin.startBackup(run("backup-2", Instant.now()), SimFixture.ref(nw.web), GOLD);
        assertEquals(2, jobsOf(nw.web.uuid(), "backup").size());
        assertNotEquals(jobId(first), jobId(second));
    }

    @Test
    void aRestoreWhoseAnswerIsLostAdoptsTheRecoverJob() {
        Results.JobStatus backup = waitFor(nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.web), GOLD));
        Session s = run("restore-1", Instant.now());
        nw.sim.faults().dropAnswerNext(1, r -> r.startsWith("POST") && r.contains("/op/recover"));
        Refs.Job restore = nw.plugin.startRestore(s, SimFixture.ref(nw.web), backup.restorePoint(), Refs.RestoreMode.IN_PLACE);
        assertEquals(1, nw.sim.recovers().size());
        List<Job> recovers = jobsOf(nw.web.uuid(), "recover");
        assertEquals(1, recovers.size());
        assertEquals(String.valueOf(recovers.get(0).id()), jobId(restore));
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(restore).state());
    }

    @Test
    void aLostAnswerWithoutARunIsNotGuessedAtAndStaysRetryable() {
        nw.sim.faults().dropAnswerNext(1, r -> r.startsWith("POST") && r.contains("/op/backup"));
        RetryableError e = assertThrows(RetryableError.class, () -> nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.web), GOLD));
        assertEquals(RetryableError.UNREACHABLE, e.code());
    }

    @Test
    void readsAndDeclinedRequestsAreRetriedInsideTheCommand() {
        nw.sim.faults().failNext(2, 500);
        assertFalse(nw.plugin.listPolicies(nw.session()).isEmpty());
        nw.sim.faults().failNext(3, 503);
        Refs.Job job = nw.plugin.startBackup(run("backup-1", Instant.now()), SimFixture.ref(nw.web), GOLD);
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(job).state());
        assertEquals(1, jobsOf(nw.web.uuid(), "backup").size());
    }

    @Test
    void aServerErrorOfTheStartIsNotRepeatedBlindly() {
        nw.sim.faults().failNext(1000, 500);
        Session s = nw.session();
        Session shortly = new Session(s.manager(), s.password(), Instant.now().plus(Duration.ofSeconds(2)), null);
        RetryableError e = assertThrows(RetryableError.class, () -> nw.plugin.startBackup(shortly, SimFixture.ref(nw.web), GOLD));
        assertEquals(RetryableError.SERVER_ERROR, e.code());
        assertTrue(jobsOf(nw.web.uuid(), "backup").isEmpty());
    }
}
