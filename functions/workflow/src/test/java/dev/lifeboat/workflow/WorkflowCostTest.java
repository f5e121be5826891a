package dev.lifeboat.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.PollPlan;
import dev.lifeboat.domain.backup.RestoreStatus;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.testing.Dynalite;
import dev.lifeboat.workflowruntime.Execution;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a backup costs in Step Functions: state transitions (one per state entered, as AWS bills them) per poll
 * iteration and per successful backup, counted on real runs of backup-lifecycle and multi-restore against the
 * NetWorker simulator.
 */
@ExtendWith(Dynalite.class)
class WorkflowCostTest {
    static final List<String> STEADY = List.of("WaitForJob", "Poll", "RecordNow?");
    static final List<String> RECORDED = List.of("WaitForJob", "Poll", "RecordNow?", "RecordPoll");
    /** Step Functions Standard: USD 0.025 per 1,000 state transitions (us-east-1 price list). */
    static final double USD_PER_1000_TRANSITIONS = 0.025;

    WorkflowHarness h;

    @AfterEach
    void stop() {
        if (h != null) h.close();
    }

    /** The states entered from one entry of the poll loop's Wait to the next: one poll iteration each, the last one leaving. */
    static List<List<String>> pollIterations(Execution e) {
        List<List<String>> iterations = new ArrayList<>();
        List<String> current = null;
        for (JsonNode event : e.events("StateEntered")) {
            String state = event.path("state").path("name").asText();
            if (state.equals("WaitForJob")) {
                current = new ArrayList<>();
                iterations.add(current);
            }
            if (current != null) current.add(state);
        }
        return iterations;
    }

    @Test
    void aSteadyPollIterationTakesThreeTransitionsAndRecordsOnlyWhenDue(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(1500), Map.of());
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = h.backups.backupNow(WorkflowRunsTest.USER, vm.id(), () -> null);
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals(BackupStatus.SUCCESS, h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow().status());

        List<List<String>> iterations = pollIterations(e);
        List<List<String>> round = iterations.subList(0, iterations.size() - 1);
        assertTrue(round.size() >= 5, "the job outlasts the three growing waits and a few more polls: " + iterations);
        // Tests wait 100 ms instead of 15 s, 30 s, 60 s and 2 min, so the 9 minutes to the next record never pass here:
        // the polls after the three growing waits are recorded, every later one goes straight back to the Wait.
        assertEquals(List.of(RECORDED, RECORDED, RECORDED), round.subList(0, 3), iterations::toString);
        for (List<String> iteration : round.subList(3, round.size())) {
            assertEquals(STEADY, iteration, "a steady poll iteration is 3 transitions: " + iterations);
        }
        assertEquals(List.of("WaitForJob", "Poll", "RecordNow?", "RecordOutcome", "Done"), iterations.get(iterations.size() - 1),
                "the poll that sees the end records the outcome at once");

        int polls = iterations.size();
        int recordedPolls = 3;
        int loop = iterations.stream().mapToInt(List::size).sum() - 2;  // RecordOutcome and Done are not the loop's
        long fixed = e.transitions() - loop;
        assertEquals(6L, fixed, "Begin, Runs?, Start, RecordJob, RecordOutcome, Done");
        assertEquals(fixed + 3L * polls + recordedPolls, e.transitions());

        // Before: every poll recorded, 4 transitions an iteration (WaitForJob, Poll, RecordPoll, Ended?), measured by this
        // test before RecordNow?: 6 + 4 n.
        PollPlan.Schedule hour = PollPlan.schedule(Duration.ofHours(1), Duration.ofMillis(300));
        int hourBefore = 6 + 4 * hour.polls();
        long hourAfter = fixed + 3L * hour.polls() + hour.recorded();
        assertEquals(33, hour.polls(), "15 s, 30 s, 60 s, then every 2 minutes for an hour");
        assertEquals(8, hour.recorded(), "after the three growing waits, then at every fifth 2-minute poll");
        System.out.printf("backup-lifecycle transitions        before (every poll recorded) | after (RecordNow?)%n");
        System.out.printf("  per steady poll iteration         4 | %d %s%n", round.get(round.size() - 1).size(), round.get(round.size() - 1));
        System.out.printf("  per recorded poll iteration       4 | %d %s%n", round.get(0).size(), round.get(0));
        System.out.printf("  this run (%d polls, %d recorded)    %d | %d%n", polls, recordedPolls, 6 + 4 * polls, e.transitions());
        System.out.printf("  a one-hour backup (%d polls, %d recorded while it ran) %d | %d%n", hour.polls(), hour.recorded(), hourBefore, hourAfter);
        System.out.printf("  USD per 1,000 one-hour backups    %.3f | %.3f%n",
                hourBefore * USD_PER_1000_TRANSITIONS, hourAfter * USD_PER_1000_TRANSITIONS);
    }

    @Test
    void aRestoresPollLoopCostsTheSame(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(1500), Map.of());
        VirtualMachine vm = h.deployedVm("web-01");
        Backup b = h.backups.backupNow(WorkflowRunsTest.USER, vm.id(), () -> null);
        assertEquals(Execution.Status.SUCCEEDED, h.runBackup(b).status());
        Execution e = h.runRestores(h.backups.restore(WorkflowRunsTest.USER, vm.id(), b.id()).request());
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals(RestoreStatus.SUCCESS, h.backupStore.restoresOf(vm.id(), b.id()).get(0).status());
        List<List<String>> iterations = pollIterations(e);
        List<List<String>> round = iterations.subList(0, iterations.size() - 1);
        assertTrue(round.size() >= 5, "the restore outlasts the growing waits: " + iterations);
        assertEquals(List.of(RECORDED, RECORDED, RECORDED), round.subList(0, 3), iterations::toString);
        round.subList(3, round.size()).forEach(i -> assertEquals(STEADY, i, iterations::toString));
        System.out.printf("multi-restore: %d transitions for one restore with %d polls; per steady iteration %s%n",
                e.transitions(), iterations.size(), round.get(round.size() - 1));
    }
}
