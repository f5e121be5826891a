package dev.lifeboat.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.SyncRepository.Mark;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.testing.Dynalite;
import dev.lifeboat.workflowruntime.Execution;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Results sync of a Veeam datacenter at private-cloud scale, through the real definition in the local Step Functions
 * runner with AWS's limits enforced (a state over 256 KB, or more than 25,000 history events, fails the run).
 */
@ExtendWith(Dynalite.class)
@Timeout(600)
class ResultsSyncAtScaleTest {
    private VeeamSyncFixture f;

    @AfterEach
    void close() {
        if (f != null) f.close();
    }

    private Map<String, String> refsByVm(List<VirtualMachine> vms, int every, Instant at) {
        Map<String, String> refs = new HashMap<>();
        for (int i = 0; i < vms.size(); i += every) {
            refs.put(vms.get(i).id(), f.sim.addRestorePoint(vms.get(i).name(), at));
        }
        return refs;
    }

    private boolean discovered(String vm, String ref) {
        return f.backups.allBackups(vm).stream().anyMatch(b -> b.trigger() == Trigger.DISCOVERED && ref.equals(b.providerRef()));
    }

    @Test
    void fiveThousandConfiguredVmsSynchroniseWithEveryStateBelow32Kb(URI dynalite) throws Exception {
        f = new VeeamSyncFixture(dynalite, Map.of());
        List<VirtualMachine> vms = f.seed(5_000, 2);
        Map<String, String> fresh = refsByVm(vms, 100, Instant.now().minusSeconds(60));

        Execution e = f.runSync();

        assertEquals(Execution.Status.SUCCEEDED, e.status(), e.error() + " " + e.cause());
        JsonNode report = VeeamSyncFixture.report(e);
        assertTrue(report.path("ok").asBoolean(), report.toString());
        fresh.forEach((vm, ref) -> assertTrue(discovered(vm, ref), "the new restore point of " + vm + " is DISCOVERED"));
        assertTrue(report.path("discovered").asInt() >= fresh.size(), report.toString());
        assertTrue(e.largestPayloadBytes() <= 32 * 1024, "largest state " + e.limits());
        // The old design answered one sync.load with every VM's command: about 1 MB here, which AWS refuses.
        assertTrue(e.transitions() < 200, "transitions do not follow the number of VMs: " + e.limits());
    }

    @Test
    void theWatermarkSurvivesAFailedRunAndTheNextRunFindsWhatItMissed(URI dynalite) throws Exception {
        // An overlap of one second, so that only the watermark decides what the next run asks for.
        f = new VeeamSyncFixture(dynalite, Map.of("OPERATION_TIMEOUT_SECONDS_VEEAM", "1"));
        List<VirtualMachine> vms = f.seed(300, 0);
        Execution first = f.runSync();
        assertEquals(Execution.Status.SUCCEEDED, first.status(), first::describe);
        Mark afterFirst = f.sync.mark(VeeamSyncFixture.DC);
        assertTrue(afterFirst.watermark() != null);

        String missed = f.sim.addRestorePoint(vms.get(7).name(), Instant.now());
        Thread.sleep(1_500);
        f.sim.faults().failNext(1_000, 500);
        Execution failed = f.runSync();
        f.sim.faults().clear();
        assertEquals(Execution.Status.SUCCEEDED, failed.status(), "a failing datacenter is reported, the run goes on");
        assertFalse(VeeamSyncFixture.report(failed).path("ok").asBoolean(), VeeamSyncFixture.report(failed).toString());
        assertEquals(afterFirst, f.sync.mark(VeeamSyncFixture.DC), "the failed run moved neither the watermark nor the slice");

        Thread.sleep(1_500);
        Execution next = f.runSync();
        assertEquals(Execution.Status.SUCCEEDED, next.status(), next::describe);
        assertTrue(discovered(vms.get(7).id(), missed), "the point created before the failed run is found by the next: " + next.output());
        assertTrue(f.sync.mark(VeeamSyncFixture.DC).watermark().isAfter(afterFirst.watermark()));
    }

    @Test
    void overlappingRunsDiscoverEachRestorePointOnce(URI dynalite) throws Exception {
        f = new VeeamSyncFixture(dynalite, Map.of());
        List<VirtualMachine> vms = f.seed(400, 0);
        Map<String, String> fresh = refsByVm(vms, 2, Instant.now().minusSeconds(30));

        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<Execution> both;
        try {
            CompletableFuture<Execution> a = CompletableFuture.supplyAsync(this::run, two);
            CompletableFuture<Execution> b = CompletableFuture.supplyAsync(this::run, two);
            both = List.of(a.get(), b.get());
        } finally {
            two.shutdown();
        }
        assertTrue(start(both.get(0)) < end(both.get(1)) && start(both.get(1)) < end(both.get(0)), "the two runs overlapped");

        int counted = 0;
        for (Execution e : both) {
            assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
            assertTrue(VeeamSyncFixture.report(e).path("ok").asBoolean(), VeeamSyncFixture.report(e).toString());
            counted += VeeamSyncFixture.report(e).path("discovered").asInt();
        }
        List<Backup> all = new ArrayList<>();
        fresh.keySet().forEach(vm -> all.addAll(f.backups.allBackups(vm)));
        assertEquals(fresh.size(), all.size(), "one DISCOVERED backup per restore point");
        assertEquals(fresh.size(), counted, "the two reports together count each discovery once");
        assertEquals(fresh.size(), f.events.size(), "one event per discovery");
    }

    private static long start(Execution e) {
        return e.events().get(0).path("timestamp").asLong();
    }

    private static long end(Execution e) {
        return e.events().get(e.events().size() - 1).path("timestamp").asLong();
    }

    private Execution run() {
        try {
            return f.runSync();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theBackstopFindsTheOverdueRunAmongTenThousandIdleVmsByQuery(URI dynalite) throws Exception {
        f = new VeeamSyncFixture(dynalite, Map.of());
        List<VirtualMachine> vms = f.seed(10_000, 0);
        VirtualMachine vm = vms.get(4_321);
        Backup stuck = new Backup("01JB0000000000000000000042", vm.id(), vm.datacenter(), vm.enterprise(), null, Trigger.MANUAL, BackupStatus.QUEUED,
                Instant.now().minus(Duration.ofMinutes(20)), null, null, null, null, null, null, null, 0, 1);
        f.backups.createLockedBackup(stuck, vm);
        Backup young = new Backup("01JB0000000000000000000043", vms.get(9).id(), vm.datacenter(), vm.enterprise(), null, Trigger.MANUAL,
                BackupStatus.QUEUED, Instant.now(), null, null, null, null, null, null, null, 0, 1);
        f.backups.saveBackup(null, young);

        int before = f.dynamoRequests.get();
        JsonNode swept = new WorkflowTasksHandler(f.services).handle(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("task", "sync.backstop"));
        int requests = f.dynamoRequests.get() - before;

        assertEquals(1, swept.path("lost").asInt(), swept.toString());
        Backup lost = f.backups.findBackup(vm.id(), stuck.id()).orElseThrow();
        assertEquals(BackupStatus.FAILED, lost.status());
        assertEquals("LOST", lost.error().code());
        assertEquals(java.util.Optional.empty(), f.backups.lockHolder(vm.id()), "the VM is free again");
        assertEquals(BackupStatus.QUEUED, f.backups.findBackup(young.vm(), young.id()).orElseThrow().status());
        assertTrue(requests < 20, "a few Queries of the index, not a read per VM: " + requests + " requests");
    }
}
