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
        // 334 new points: four pages of the NEW phase (84 points a Veeam page).
        Map<String, String> fresh = refsByVm(vms, 15, Instant.now().minusSeconds(60));

        Execution e = f.runSync();

        assertEquals(Execution.Status.SUCCEEDED, e.status(), e.error() + " " + e.cause());
        JsonNode report = VeeamSyncFixture.report(e);
        assertTrue(report.path("ok").asBoolean(), report.toString());
        fresh.forEach((vm, ref) -> assertEquals(1, f.backups.allBackups(vm).stream().filter(b -> ref.equals(b.providerRef())).count(),
                "the new restore point of " + vm + " is DISCOVERED once"));
        fresh.forEach((vm, ref) -> assertTrue(discovered(vm, ref), "the new restore point of " + vm + " is DISCOVERED"));
        assertEquals(fresh.size(), report.path("discovered").asInt(), report.toString());
        assertEquals(4 + 2, e.stateEvents("StateEntered", "Record").size(), "four pages of new points, two held commands of the slice of 100");
        assertTrue(e.largestPayloadBytes() <= 32 * 1024, "largest state " + e.limits());
        // The old design answered one sync.load with every VM's command: about 1 MB here, which AWS refuses.
        assertTrue(e.transitions() < 200, "transitions do not follow the number of VMs: " + e.limits());
    }

    /** A SUCCESS backup Lifeboat knows of each VM, of a restore point made two days ago; the points by VM id. */
    private Map<String, String> knownPoints(List<VirtualMachine> vms) {
        Map<String, String> points = new HashMap<>();
        List<Backup> known = new ArrayList<>();
        Instant made = Instant.now().minus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        for (VirtualMachine vm : vms) {
            String point = f.sim.addRestorePoint(vm.name(), made);
            points.put(vm.id(), point);
            known.add(new Backup(dev.lifeboat.domain.common.Ids.derived(made.toEpochMilli(), "seed|" + vm.id()), vm.id(), VeeamSyncFixture.DC, "ent-1",
                    null, Trigger.DISCOVERED, BackupStatus.SUCCESS, made, made, made, 100, null, point, null, null, 0, 1));
        }
        dev.lifeboat.store.BulkLoad.backups(f.dynamo, f.table, known);
        return points;
    }

    private BackupStatus statusOf(VirtualMachine vm, String point) {
        return f.backups.allBackups(vm.id()).stream().filter(b -> point.equals(b.providerRef())).findFirst().orElseThrow().status();
    }

    @Test
    void expiredPointsAreFoundThroughTheBulkSliceAndAVmWithTooManyPointsIsSkippedNotExpired(URI dynalite) throws Exception {
        f = new VeeamSyncFixture(dynalite, Map.of());
        List<VirtualMachine> vms = f.seed(300, 0);
        Map<String, String> points = knownPoints(vms);
        // The first run's slice is the first 100 VMs of the listing (lb-vm-000000 on).
        f.sim.deleteRestorePoint(points.get(vms.get(5).id()));
        f.sim.deleteRestorePoint(points.get(vms.get(61).id()));
        for (int k = 0; k < 600; k++) f.sim.addRestorePoint(vms.get(10).name(), Instant.now().minus(Duration.ofDays(3)).plusSeconds(k));
        f.sim.deleteRestorePoint(points.get(vms.get(10).id()));

        Execution e = f.runSync();

        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        JsonNode report = VeeamSyncFixture.report(e);
        assertEquals(2, report.path("expired").asInt(), report.toString());
        assertEquals(BackupStatus.EXPIRED, statusOf(vms.get(5), points.get(vms.get(5).id())));
        assertEquals(BackupStatus.EXPIRED, statusOf(vms.get(61), points.get(vms.get(61).id())));
        assertEquals(BackupStatus.SUCCESS, statusOf(vms.get(10), points.get(vms.get(10).id())), "a VM that was not compared expires nothing");
        assertEquals(BackupStatus.SUCCESS, statusOf(vms.get(6), points.get(vms.get(6).id())), "a point still held stays");
        assertEquals(1, report.path("skipped").asInt(), report.toString());
        JsonNode skip = report.path("skippedVms").get(0);
        assertEquals("TOO_MANY_RESTORE_POINTS", skip.path("code").asText(), report.toString());
        assertTrue(skip.path("message").asText().contains(vms.get(10).id()), "the skip names its VM: " + skip);
        assertTrue(e.largestPayloadBytes() <= 32 * 1024, "largest state " + e.limits());
    }

    @Test
    void theWorstCaseSliceKeepsEveryStateWithin32Kb(URI dynalite) throws Exception {
        f = new VeeamSyncFixture(dynalite, Map.of());
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        var configured = new dev.lifeboat.domain.vm.VmBackupConfig(List.of(new dev.lifeboat.domain.vm.PolicySelection(f.gold.id(), Map.of())),
                List.of(), dev.lifeboat.domain.vm.ConfigStatus.APPLIED, null, null, 1, now);
        List<VirtualMachine> vms = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // The longest id and name Lifeboat takes (128 characters), in two-byte characters.
            String name = String.format("%03d", i) + "é".repeat(125);
            String uuid = java.util.UUID.randomUUID().toString();
            f.sim.addVm(VeeamSyncFixture.VC, name, "vm-" + (5000 + i), uuid);
            vms.add(new VirtualMachine(String.format("%0128d", i), "ent-1", VeeamSyncFixture.DC, name, dev.lifeboat.domain.vm.VmState.DEPLOYED,
                    new dev.lifeboat.domain.vm.Hypervisor(VeeamSyncFixture.VC, "vm-" + (5000 + i), uuid), 1, now, now, configured));
        }
        dev.lifeboat.store.BulkLoad.vms(f.dynamo, f.table, vms);
        for (int i = 0; i < vms.size(); i++) {
            // Every third VM holds more points than a page carries (a skip with a long message); the others as many as fit.
            int count = i % 3 == 0 ? 400 : 250;
            for (int k = 0; k < count; k++) f.sim.addRestorePoint(vms.get(i).name(), now.minus(Duration.ofDays(3)).plusSeconds(k));
        }

        Execution e = f.runSync();

        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        JsonNode report = VeeamSyncFixture.report(e);
        assertEquals(34, report.path("skipped").asInt(), report.toString());
        assertTrue(e.largestPayloadBytes() <= 32 * 1024, "largest state " + e.limits());
    }

    @Test
    void aPointOfABackupLifeboatRanIsNotDiscoveredAgainAndAVmWrittenBeforeIdentityPointersIsStillMatched(URI dynalite) throws Exception {
        f = new VeeamSyncFixture(dynalite, Map.of());
        List<VirtualMachine> vms = f.seed(200, 0);
        Instant made = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        // A backup now that ended through Lifeboat's own workflow: its restore point is listed as new like any other.
        VirtualMachine ran = vms.get(3);
        String point = f.sim.addRestorePoint(ran.name(), made);
        Backup queued = new Backup("01JB0000000000000000000051", ran.id(), VeeamSyncFixture.DC, "ent-1", null, Trigger.MANUAL,
                BackupStatus.QUEUED, made, null, null, null, null, null, null, null, 0, 1);
        f.backups.saveBackup(null, queued);
        f.backups.saveBackup(queued, queued.succeeded(made, point, 7L));
        // A VM as stored before VMs kept a pointer from their identity: only the index of identities knows it.
        VirtualMachine old = vms.get(150);
        f.dynamo.deleteItem(b -> b.tableName(f.table).key(Map.of("PK", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                "ID#HV#" + VeeamSyncFixture.DC + "#" + VeeamSyncFixture.VC + "#" + old.hypervisor().moref()),
                "SK", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("ID"))));
        String oldPoint = f.sim.addRestorePoint(old.name(), made);

        Execution e = f.runSync();

        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals(1, VeeamSyncFixture.report(e).path("discovered").asInt(), VeeamSyncFixture.report(e).toString());
        assertEquals(List.of(Trigger.MANUAL), f.backups.allBackups(ran.id()).stream().map(Backup::trigger).toList(),
                "Lifeboat's own backup is the one of its restore point");
        assertTrue(discovered(old.id(), oldPoint), "the VM without a pointer is found through the index");
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

        // A later run lists the same points again (its watermark less the type's timeout): it finds their discoveries
        // by the keys the points give, and writes nothing, not even a transaction that the backups' conditions refuse.
        f.dynamoRequestsByKind.clear();
        Execution again = f.runSync();
        assertEquals(Execution.Status.SUCCEEDED, again.status(), again::describe);
        assertEquals(0, VeeamSyncFixture.report(again).path("discovered").asInt(), VeeamSyncFixture.report(again).toString());
        assertTrue(f.dynamoRequestsByKind.containsKey("BatchGetItemRequest"), "the points were looked up: " + f.dynamoRequestsByKind);
        assertFalse(f.dynamoRequestsByKind.containsKey("TransactWriteItemsRequest"), "nothing written: " + f.dynamoRequestsByKind);
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
