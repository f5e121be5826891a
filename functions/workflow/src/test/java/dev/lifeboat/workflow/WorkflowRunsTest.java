package dev.lifeboat.workflow;

import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupService;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.backup.RestoreStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.events.EventPublisher.StateChangeEvent;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.VirtualMachine;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.vm.VmDraft;
import dev.lifeboat.testing.Dynalite;
import dev.lifeboat.workflowruntime.Execution;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real definitions of statemachines/ in aws-local-stepfunctions, against the real task handler and the real
 * NetWorker plugin talking to the NetWorker simulator, over dynalite.
 */
@ExtendWith(Dynalite.class)
class WorkflowRunsTest {
    static final Caller USER = new Caller("user", "ent-1", EnumSet.of(Privilege.VAPP_MANAGE_BACKUP, Privilege.VAPP_RESTORE_BACKUP));
    WorkflowHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            assertNoPassword(h);
            h.close();
        }
    }

    /** Issue 5: no execution input or output, state or Lambda payload, holds a manager password. */
    static void assertNoPassword(WorkflowHarness h) {
        String all = h.executions.stream().map(e -> e.events().toString() + e.output() + e.cause()).reduce("", String::concat);
        assertFalse(h.executions.isEmpty());
        assertFalse(all.contains(WorkflowHarness.NW_PASSWORD), "a NetWorker password in an execution");
        assertFalse(all.contains(WorkflowHarness.VC_PASSWORD), "a vCenter password in an execution");
        assertTrue(all.contains("secretRef"), "the manager travels by its secret reference");
    }

    WorkflowHarness harness(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(300), Map.of());
        return h;
    }

    Backup backupNow(String vm) {
        return h.backups.backupNow(USER, vm, () -> null);
    }

    @Test
    void applyScheduleTakesTheVmIntoTheBackupSystemsGroup(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        assertEquals(ConfigStatus.APPLIED, vm.backup().status());
        assertEquals(List.of(vm.hypervisor().uuid()), h.sim.workItems("GOLD"));
    }

    @Test
    void aBackupReachesSuccessWithItsRestorePointAndFreesTheVm(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = backupNow(vm.id());
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        Backup done = h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow();
        assertEquals(BackupStatus.SUCCESS, done.status(), String.valueOf(done.error()));
        assertEquals(100, done.progress());
        assertTrue(done.providerRef() != null && !done.providerRef().isBlank());
        assertTrue(done.startedAt() != null && done.finishedAt() != null);
        assertTrue(h.backupStore.lockHolder(vm.id()).isEmpty());
        assertEquals(1, h.sim.backups(vm.hypervisor().uuid()).size());
        assertEquals(List.of("QUEUED", "IN_PROGRESS", "SUCCESS"), statuses(h, queued.id()));
    }

    static List<String> statuses(WorkflowHarness h, String id) {
        List<String> out = new ArrayList<>();
        for (StateChangeEvent ev : h.events) {
            if (id.equals(ev.resource()) && (out.isEmpty() || !out.get(out.size() - 1).equals(ev.detail().get("status")))) {
                out.add((String) ev.detail().get("status"));
            }
        }
        return out;
    }

    @Test
    void aFailingBackupIsFailedWithTheBackupSystemsReason(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        h.sim.failNextBackup(vm.hypervisor().uuid(), "datastore01 is out of space");
        Backup queued = backupNow(vm.id());
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), "the failure is recorded, not thrown: " + e.describe());
        Backup failed = h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow();
        assertEquals(BackupStatus.FAILED, failed.status());
        assertTrue(failed.error().message().contains("datastore01 is out of space"), failed.error().toString());
        assertTrue(h.backupStore.lockHolder(vm.id()).isEmpty());
        assertEquals(List.of("QUEUED", "IN_PROGRESS", "FAILED"), statuses(h, queued.id()));
    }

    @Test
    void aPluginThatStillFailsAfterItsOwnRetriesIsRetriedByTheWorkflowAndTheBackupSucceeds(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = backupNow(vm.id());
        // The plugin repeats a failed read itself, up to MAX_ATTEMPTS times; one more failure than that leaves the
        // start to the workflow's Retry.
        h.sim.faults().failNext(dev.lifeboat.plugin.TransientRetry.MAX_ATTEMPTS + 1, 500);
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals(1, e.stateEvents("StateEntered", "RetryStart").size(), e::describe);
        assertEquals(1, h.sim.jobs().size(), "one NetWorker job for the backup");
        assertEquals(BackupStatus.SUCCESS, h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow().status());
    }

    @Test
    void aBackupThatOutlastsItsTimeoutIsFailedWithTimeout(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMinutes(10), Map.of("OPERATION_TIMEOUT_SECONDS_NETWORKER", "2"));
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = backupNow(vm.id());
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        Backup failed = h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow();
        assertEquals(BackupStatus.FAILED, failed.status());
        assertEquals("TIMEOUT", failed.error().code());
        assertTrue(e.stateEvents("StateEntered", "WaitForJob").size() >= 2, "it polled before giving up");
        assertTrue(h.backupStore.lockHolder(vm.id()).isEmpty());
    }

    @Test
    void aMultiRestoreOfFiveVmsWithTwoFailuresEndsPartial(URI dynalite) throws Exception {
        harness(dynalite);
        h.switches(false);
        List<BackupService.ItemDraft> items = new ArrayList<>();
        List<VirtualMachine> machines = new ArrayList<>();
        for (String name : List.of("app-01", "app-02", "app-03", "app-04", "app-05")) {
            VirtualMachine vm = h.deployedVm(name);
            machines.add(vm);
            Backup b = backupNow(vm.id());
            assertEquals(Execution.Status.SUCCEEDED, h.runBackup(b).status());
            items.add(new BackupService.ItemDraft(vm.id(), b.id()));
        }
        h.sim.failNextRecover(machines.get(1).hypervisor().uuid(), "vCenter refused the revert");
        h.sim.failNextRecover(machines.get(3).hypervisor().uuid(), "disk locked");
        BackupService.Started started = h.backups.multiRestore(USER, () -> items);
        Execution e = h.runRestores(started.request());
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        var view = h.backups.getRequest(USER, started.request().id());
        assertEquals(RestoreRequest.Status.PARTIAL, view.request().status(view.restores()));
        List<String> outcome = view.request().items().stream().map(i -> RestoreRequest.itemStatus(i, view.restores())).toList();
        assertEquals(List.of("SUCCESS", "FAILED", "SUCCESS", "FAILED", "SUCCESS"), outcome);
        assertTrue(view.restores().values().stream().filter(r -> r.status() == RestoreStatus.FAILED)
                .allMatch(r -> r.error().message().contains("refused the revert") || r.error().message().contains("disk locked")));
        machines.forEach(vm -> assertTrue(h.backupStore.lockHolder(vm.id()).isEmpty()));
    }

    @Test
    void multipleRestoreOffThenOn(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        Backup b = backupNow(vm.id());
        h.runBackup(b);
        Execution first = h.runRestores(h.backups.restore(USER, vm.id(), b.id()).request());
        assertEquals(Execution.Status.SUCCEEDED, first.status(), first::describe);
        assertEquals(RestoreStatus.SUCCESS, h.backupStore.restoresOf(vm.id(), b.id()).get(0).status());
        var refused = assertThrows(DomainException.class, () -> h.backups.restore(USER, vm.id(), b.id()));
        assertEquals(Problem.CONFLICT, refused.problem());
        assertTrue(refused.getMessage().contains("multipleRestore"));
        h.switches(true);
        Execution second = h.runRestores(h.backups.restore(USER, vm.id(), b.id()).request());
        assertEquals(Execution.Status.SUCCEEDED, second.status(), second::describe);
        assertEquals(List.of(RestoreStatus.SUCCESS, RestoreStatus.SUCCESS),
                h.backupStore.restoresOf(vm.id(), b.id()).stream().map(r -> r.status()).toList());
        assertEquals(2, h.sim.recovers().size());
    }

    @Test
    void aVmThatIsNotAllocatedIsRecreatedByNetworker(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        Backup b = backupNow(vm.id());
        h.runBackup(b);
        h.registry.register(TENANT, vm.id(), () -> new VmDraft("ent-1", WorkflowHarness.DC, "web-01", "NOT_ALLOCATED", vm.hypervisor()), ExpectedVersion.ANY);
        Execution removed = h.runApply(h.lastApply());
        assertEquals(Execution.Status.SUCCEEDED, removed.status(), removed::describe);
        assertEquals(List.of(), h.sim.workItems("GOLD"), "undeploy took the VM out of the group");
        Execution e = h.runRestores(h.backups.restore(USER, vm.id(), b.id()).request());
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals(RestoreStatus.SUCCESS, h.backupStore.restoresOf(vm.id(), b.id()).get(0).status());
        assertEquals("New", h.sim.recovers().get(0).mode());
    }

    @Test
    void resultsSyncDiscoversTheBackupSystemsOwnBackupsAndExpiresGoneOnes(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        Instant yesterday = Instant.now().minus(Duration.ofDays(1));
        var own = h.sim.addBackup(vm.hypervisor().uuid(), yesterday, Instant.now().plus(Duration.ofDays(30)));
        Execution first = h.runSync();
        assertEquals(Execution.Status.SUCCEEDED, first.status(), first::describe);
        List<Backup> found = h.backupStore.allBackups(vm.id());
        assertEquals(1, found.size(), found.toString());
        assertEquals(Trigger.DISCOVERED, found.get(0).trigger());
        assertEquals(BackupStatus.SUCCESS, found.get(0).status());
        assertEquals(1, first.output().get(0).path("discovered").asInt(), first.output().toString());

        Execution again = h.runSync();
        assertEquals(0, again.output().get(0).path("discovered").asInt(), "a known backup is not discovered twice");
        h.sim.deleteBackup(own.id());
        Execution third = h.runSync();
        assertEquals(1, third.output().get(0).path("expired").asInt(), third.output().toString());
        assertEquals(BackupStatus.EXPIRED, h.backupStore.findBackup(vm.id(), found.get(0).id()).orElseThrow().status());
        assertEquals(List.of("SUCCESS", "EXPIRED"), statuses(h, found.get(0).id()), "results sync publishes what it changes");
        assertEquals("DISCOVERED", h.events.stream().filter(ev -> found.get(0).id().equals(ev.resource())).findFirst().orElseThrow()
                .detail().get("trigger"));
    }

    @Test
    void resultsSyncReportsAFailingDatacenterOrVmAndGoesOn(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        h.sim.addBackup(vm.hypervisor().uuid(), Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        // dc0 (visited first) has a backup manager that cannot be reached, and one configured VM.
        new dev.lifeboat.domain.manager.BackupManagerService(h.config, h.secrets, m -> null, java.time.Clock.systemUTC(), h.ids, "#", "lifeboat/test")
                .put(dev.lifeboat.domain.fakes.Fixtures.ADMIN, "dc0", () -> new dev.lifeboat.domain.manager.ManagerDraft("gone", "NETWORKER",
                        "http://127.0.0.1:1/nwrestapi/v3/global", "a#b", new dev.lifeboat.domain.secret.Secret("c#d")), ExpectedVersion.ANY);
        var other = new dev.lifeboat.domain.policy.BackupPolicyService(h.config, h.config, java.time.Clock.systemUTC(), h.ids)
                .create(dev.lifeboat.domain.fakes.Fixtures.ADMIN, "dc0", () -> dev.lifeboat.domain.fakes.Fixtures.policy("GOLD",
                        dev.lifeboat.domain.fakes.Fixtures.daily("01:00:00 +0000")));
        h.config.saveAllowance(new dev.lifeboat.domain.allowance.Allowance("ent-1", "dc0", List.of(other.id()), 1), 0);
        h.registry.register(TENANT, "far-01", () -> new VmDraft("ent-1", "dc0", "far-01", "NOT_ALLOCATED", null), ExpectedVersion.ANY);
        h.configurations.put(TENANT, "far-01", () -> new dev.lifeboat.domain.vm.BackupConfigDraft(
                List.of(new dev.lifeboat.domain.vm.BackupConfigDraft.Selection(other.id(), null))), ExpectedVersion.ANY);

        Execution e = h.runSync();
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals("dc0", e.output().get(0).path("datacenter").asText(), e.output().toString());
        assertFalse(e.output().get(0).path("ok").asBoolean(), e.output().toString());
        assertEquals("UNREACHABLE", e.output().get(0).path("error").path("code").asText(), e.output().toString());
        assertEquals(1, e.output().get(1).path("discovered").asInt(), "the other datacenter went on: " + e.output());

        // A VM NetWorker cannot list (its vCenter is not one NetWorker knows) is skipped and named; the others go on.
        VmDraft lost = new VmDraft("ent-1", WorkflowHarness.DC, "lost-01", "NOT_ALLOCATED",
                new dev.lifeboat.domain.vm.Hypervisor("vc-gone.local", "vm-777", "4210aaaa-0000-0000-0000-000000000777"));
        h.registry.register(TENANT, "lost-01", () -> lost, ExpectedVersion.ANY);
        h.configurations.put(TENANT, "lost-01", () -> new dev.lifeboat.domain.vm.BackupConfigDraft(
                List.of(new dev.lifeboat.domain.vm.BackupConfigDraft.Selection(h.gold.id(), null))), ExpectedVersion.ANY);
        Execution vmFails = h.runSync();
        JsonNode dc1 = vmFails.output().get(1);
        assertTrue(dc1.path("ok").asBoolean(), dc1.toString());
        assertEquals(1, dc1.path("skipped").asInt(), dc1.toString());
        assertEquals("UNKNOWN_VM", dc1.path("skippedVms").get(0).path("code").asText(), dc1.toString());
        assertEquals(BackupStatus.SUCCESS, h.backupStore.allBackups(vm.id()).get(0).status());

        // NetWorker failing every request: the page of new backups fails after its retries, and the datacenter is
        // reported and skipped, expiring nothing (its watermark stays for the next run).
        h.sim.faults().failNext(1_000, 500);
        Execution serverFails = h.runSync();
        h.sim.faults().clear();
        assertEquals(Execution.Status.SUCCEEDED, serverFails.status(), serverFails::describe);
        JsonNode failed = serverFails.output().get(1);
        assertFalse(failed.path("ok").asBoolean(), failed.toString());
        assertEquals("SERVER_ERROR", failed.path("error").path("code").asText(), failed.toString());
        assertEquals(BackupStatus.SUCCESS, h.backupStore.allBackups(vm.id()).get(0).status(), "a datacenter that could not be listed expires nothing");
    }

    @Test
    void aConfigurationTheBackupSystemRefusesIsFailedAndThePreviousOneIsBack(URI dynalite) throws Exception {
        harness(dynalite);
        VirtualMachine vm = h.deployedVm("web-01");
        var bronze = new dev.lifeboat.domain.policy.BackupPolicyService(h.config, h.config, java.time.Clock.systemUTC(), h.ids)
                .create(dev.lifeboat.domain.fakes.Fixtures.ADMIN, WorkflowHarness.DC, () -> dev.lifeboat.domain.fakes.Fixtures.policy("BRONZE",
                        dev.lifeboat.domain.fakes.Fixtures.daily("03:00:00 +0000")));
        h.config.saveAllowance(new dev.lifeboat.domain.allowance.Allowance("ent-1", WorkflowHarness.DC, List.of(h.gold.id(), bronze.id()), 2), 1);
        var change = h.configurations.put(TENANT, vm.id(), () -> new dev.lifeboat.domain.vm.BackupConfigDraft(
                List.of(new dev.lifeboat.domain.vm.BackupConfigDraft.Selection(bronze.id(), null))), ExpectedVersion.ANY);
        assertEquals(ConfigStatus.PENDING, change.vm().backup().status());
        Execution e = h.runApply(h.lastApply());
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        VirtualMachine after = h.vms.findVm(vm.id()).orElseThrow();
        assertEquals(ConfigStatus.FAILED, after.backup().status());
        assertEquals(h.gold.id(), after.backup().policies().get(0).policyId(), "GOLD is in force again");
        assertTrue(after.backup().error().message().contains("BRONZE"), after.backup().error().toString());
    }

    @Test
    void aVmThatIsNotAllocatedIsNotRestoredOnVeeam(URI dynalite) throws Exception {
        harness(dynalite);
        h.deployedVm("web-01"); // NetWorker is busy elsewhere in the same cloud; its runs go through the password search too
        new dev.lifeboat.domain.manager.BackupManagerService(h.config, h.secrets, m -> null, java.time.Clock.systemUTC(), h.ids, "#", "lifeboat/test")
                .put(dev.lifeboat.domain.fakes.Fixtures.ADMIN, "dc-veeam", () -> new dev.lifeboat.domain.manager.ManagerDraft("veeam", "VEEAM",
                        "https://veeam.example.com:9398/api/", "svc", new dev.lifeboat.domain.secret.Secret("pw")), ExpectedVersion.ANY);
        h.registry.register(TENANT, "v-01", () -> new VmDraft("ent-1", "dc-veeam", "v-01", "NOT_ALLOCATED", null), ExpectedVersion.ANY);
        Backup b = new Backup(h.ids.get(), "v-01", "dc-veeam", "ent-1", null, Trigger.DISCOVERED, BackupStatus.SUCCESS, Instant.now(),
                Instant.now(), Instant.now(), 100, null, "rp-1", null, null, 0, 1);
        h.backupStore.saveBackup(null, b);
        var refused = assertThrows(DomainException.class, () -> h.backups.restore(USER, "v-01", b.id()));
        assertEquals(Problem.CONFLICT, refused.problem());
        assertTrue(refused.getMessage().contains("VEEAM restores only a DEPLOYED VM"), refused.getMessage());
        assertTrue(h.lifecycles.restores.isEmpty());
    }

    @Test
    void aBackupSystemAwayDuringTheJobIsWaitedOutNotFailed(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(2500), Map.of());
        VirtualMachine vm = h.deployedVm("web-01");
        Backup queued = backupNow(vm.id());
        int jobsBefore = h.sim.jobs().size();
        var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return h.runBackup(queued);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (h.sim.jobs().size() == jobsBefore && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        // The start is done once the job exists and its answer has gone back (polls follow every 100 ms for 2.5 s).
        Thread.sleep(300);
        // NetWorker goes away while the job runs: more failures than one poll's retries (the state's 1 + 4 attempts, each
        // repeating its read MAX_ATTEMPTS times).
        h.sim.faults().failNext(5 * dev.lifeboat.plugin.TransientRetry.MAX_ATTEMPTS, 503);
        Execution e = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertFalse(e.stateEvents("StateEntered", "PollUnanswered").isEmpty(), "a poll that failed after its retries was waited out");
        assertEquals(BackupStatus.SUCCESS, h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow().status());
    }

    @Test
    void resultsSyncListsADatacenterInBatchesOfVms(URI dynalite) throws Exception {
        harness(dynalite);
        List<VirtualMachine> vms = new ArrayList<>();
        for (int i = 1; i <= ResultsSyncTasks.HELD_BATCH + 1; i++) {
            vms.add(h.deployedVm(String.format("app-%02d", i)));
        }
        VirtualMachine last = vms.get(vms.size() - 1);
        h.sim.addBackup(last.hypervisor().uuid(), Instant.now().minus(Duration.ofHours(3)), Instant.now().plus(Duration.ofDays(30)));
        h.sim.addBackup(vms.get(0).hypervisor().uuid(), Instant.now().minus(Duration.ofHours(2)), Instant.now().plus(Duration.ofDays(30)));
        Execution e = h.runSync();
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        // NetWorker lists in bulk: one page of what is new, then the expiry slice (every VM here) in two held batches.
        assertEquals(3, e.stateEvents("StateEntered", "Record").size(), "a page and two batches, one LIST_RESULTS each");
        assertEquals(ResultsSyncTasks.HELD_BATCH, e.invocations("networker-plugin").stream()
                .filter(i -> i.path("input").path("held").asBoolean()).findFirst().orElseThrow().path("input").path("vms").size(),
                "the first held command names a full batch");
        assertEquals(2, e.output().get(0).path("discovered").asInt(), e.output().toString());
        assertEquals(Trigger.DISCOVERED, h.backupStore.allBackups(last.id()).get(0).trigger());
    }
}
