package dev.lifeboat.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
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
 * iteration and per successful backup, counted on a real run of backup-lifecycle against the NetWorker simulator.
 */
@ExtendWith(Dynalite.class)
class WorkflowCostTest {
    WorkflowHarness h;

    @AfterEach
    void stop() {
        if (h != null) h.close();
    }

    /** The states entered from one entry of the poll loop's Wait to the next: one poll iteration each. */
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
        // The last one leaves the loop: it is not an iteration that goes round.
        if (!iterations.isEmpty()) iterations.remove(iterations.size() - 1);
        return iterations;
    }

    @Test
    void aPollIterationTakesAtMostFourTransitions(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(1500), Map.of());
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = h.backups.backupNow(WorkflowRunsTest.USER, vm.id(), () -> null);
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals(BackupStatus.SUCCESS, h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow().status());
        List<List<String>> iterations = pollIterations(e);
        assertTrue(iterations.size() >= 2, "the job outlasts a few polls: " + iterations);
        System.out.printf("backup-lifecycle: %d transitions for a successful backup with %d poll iterations that went round; "
                + "per iteration %s%n", e.transitions(), iterations.size(), iterations.get(0));
        for (List<String> iteration : iterations) {
            assertTrue(iteration.size() <= 4, "a poll iteration enters at most 4 states (5 with the Choice on the type): " + iteration);
        }
    }
}
