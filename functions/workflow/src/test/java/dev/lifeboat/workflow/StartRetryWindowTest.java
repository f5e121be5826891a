package dev.lifeboat.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.plugin.TransientRetry;
import dev.lifeboat.testing.Dynalite;
import dev.lifeboat.workflowruntime.Execution;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 11: a start that fails transiently is retried for a window of time per manager type, not four times. The real
 * backup-lifecycle definition against the NetWorker plugin on its simulator, with the simulator's fault switches.
 */
@ExtendWith(Dynalite.class)
class StartRetryWindowTest {
    WorkflowHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            WorkflowRunsTest.assertNoPassword(h);
            h.close();
        }
    }

    @Test
    void aStartFailingLongerThanTheOldFourRetriesButWithinTheWindowSucceedsWithOneJob(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(300), Map.of("START_RETRY_WINDOW_NETWORKER", "PT5M"));
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = h.backups.backupNow(WorkflowRunsTest.USER, vm.id(), () -> null);
        int jobsBefore = h.sim.jobs().size();
        // Enough failures for five starts, each repeating its reads TransientRetry.MAX_ATTEMPTS times: the old Retry
        // (1 + 4 attempts) would have recorded the backup FAILED.
        h.sim.faults().failNext(5 * TransientRetry.MAX_ATTEMPTS + 1, 500);
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertTrue(e.stateEvents("StateEntered", "RetryStart").size() > 4, "more than the old four retries: " + e.describe());
        assertEquals(BackupStatus.SUCCESS, h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow().status());
        assertEquals(1, h.sim.jobs().size() - jobsBefore, "exactly one NetWorker job for the backup");
    }

    @Test
    void aStartStillFailingPastTheWindowIsFailedWithTheTransientError(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(300), Map.of("START_RETRY_WINDOW_NETWORKER", "PT2S"));
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = h.backups.backupNow(WorkflowRunsTest.USER, vm.id(), () -> null);
        h.sim.faults().errorRate(1.0, 500);
        Execution e = h.runBackup(queued);
        h.sim.faults().clear();
        assertEquals(Execution.Status.SUCCEEDED, e.status(), "the failure is recorded, not thrown: " + e.describe());
        assertTrue(e.stateEvents("StateEntered", "RetryStart").size() >= 1, e::describe);
        Backup failed = h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow();
        assertEquals(BackupStatus.FAILED, failed.status());
        assertEquals("SERVER_ERROR", failed.error().code(), failed.error().toString());
        assertTrue(h.backupStore.lockHolder(vm.id()).isEmpty(), "the VM is free again");
    }
}
