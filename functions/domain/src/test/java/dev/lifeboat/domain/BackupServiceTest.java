package dev.lifeboat.domain;

import static dev.lifeboat.domain.BackupManagerServiceTest.fields;
import static dev.lifeboat.domain.BackupManagerServiceTest.refused;
import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.MEMBER;
import static dev.lifeboat.domain.fakes.Fixtures.OTHER_TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static dev.lifeboat.domain.fakes.Fixtures.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupService;
import dev.lifeboat.domain.backup.BackupService.ItemDraft;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.backup.RestoreStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemoryBackupStore;
import dev.lifeboat.domain.fakes.InMemoryConfigStore;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.fakes.RecordingLifecycleWorkflows;
import dev.lifeboat.domain.fakes.RecordingWorkflow;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.vm.BackupConfigDraft;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupService;
import java.time.Instant;
import dev.lifeboat.domain.events.EventPublisher;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackupServiceTest {
    static final Caller RESTORER = new Caller("restorer", "ent-1", EnumSet.of(Privilege.VAPP_RESTORE_BACKUP, Privilege.VAPP_MANAGE_BACKUP));

    final InMemoryConfigStore store = new InMemoryConfigStore();
    final InMemoryBackupStore backupStore = new InMemoryBackupStore(store);
    final RecordingWorkflow applies = new RecordingWorkflow();
    final RecordingLifecycleWorkflows workflows = new RecordingLifecycleWorkflows();
    final VirtualMachineService registry = new VirtualMachineService(store, applies, CLOCK);
    final VmBackupService vmBackups = new VmBackupService(store, store, store, store, applies, CLOCK);
    final BackupPolicyService policies = new BackupPolicyService(store, store, CLOCK, Fixtures.sequentialIds());
    final BackupPropertiesService properties = new BackupPropertiesService(store, CLOCK);
    final BackupManagerService managers = new BackupManagerService(store, new InMemorySecretStore(), m -> null, CLOCK,
            Fixtures.sequentialIds(), "#", "lifeboat/test");
    final List<EventPublisher.StateChangeEvent> events = new java.util.ArrayList<>();
    final BackupService service = new BackupService(store, backupStore, store, store, workflows, events::addAll, CLOCK, Fixtures.sequentialIds());
    BackupPolicy gold;
    int backupIds;

    @BeforeEach
    void datacenter() {
        manager("NETWORKER", "dc1");
        gold = policies.create(ADMIN, "dc1", () -> policy("GOLD", daily("01:00:00 +0000")));
        store.saveAllowance(new Allowance("ent-1", "dc1", List.of(gold.id()), 1), 0);
        switches("dc1", true, false);
        for (String id : List.of("vm-1", "vm-2", "vm-3", "vm-4", "vm-5")) {
            configuredAndDeployed(id, "dc1");
        }
    }

    void manager(String type, String dc) {
        String user = type.equals("NETWORKER") ? "nw#vc" : "u";
        String password = type.equals("NETWORKER") ? "a#b" : "p";
        managers.put(ADMIN, dc, () -> new ManagerDraft("m", type, "https://backup.example.com/api", user, new Secret(password)), ExpectedVersion.ANY);
    }

    void switches(String dc, boolean backupNow, boolean multipleRestore) {
        properties.put(ADMIN, dc, () -> new PropertiesDraft(multipleRestore, false, false, backupNow), ExpectedVersion.ANY);
    }

    void configuredAndDeployed(String id, String dc) {
        registry.register(TENANT, id, () -> vm("ent-1", dc, "NOT_ALLOCATED"), ExpectedVersion.ANY);
        vmBackups.put(TENANT, id, () -> new BackupConfigDraft(List.of(new BackupConfigDraft.Selection(gold.id(), null))), ExpectedVersion.ANY);
        registry.register(TENANT, id, () -> vm("ent-1", dc, "DEPLOYED"), ExpectedVersion.ANY);
        vmBackups.recordApplied(id, vmBackups.get(TENANT, id).backup().version());
    }

    /** A finished backup as the workflow leaves it. */
    Backup succeeded(String vm) {
        Instant t = Fixtures.NOW;
        Backup b = new Backup(String.format("01JB%022d", ++backupIds), vm, "dc1", "ent-1", gold.id(), Trigger.SCHEDULED, BackupStatus.SUCCESS,
                t, t, t, 100, 1024L, "rp-" + vm, "job-1", null, 0, 1);
        backupStore.saveBackup(null, b);
        return b;
    }

    void endRestore(Restore r, RestoreStatus status) {
        Restore current = backupStore.findRestore(r.vm(), r.backupId(), r.id()).orElseThrow();
        backupStore.finishRestore(current, current.withStatus(status, Fixtures.NOW, null));
    }

    @Test
    void backupNowQueuesAManualBackupOfTheFirstPolicyAndLocksTheVm() {
        Backup b = service.backupNow(TENANT, "vm-1", () -> null);
        assertEquals(BackupStatus.QUEUED, b.status());
        assertEquals(Trigger.MANUAL, b.trigger());
        assertEquals(gold.id(), b.policyId());
        assertEquals(List.of(b), workflows.backups);
        assertEquals("BACKUP#" + b.id(), backupStore.lockHolder("vm-1").orElseThrow());
        var busy = refused(Problem.CONFLICT, () -> service.backupNow(TENANT, "vm-1", () -> gold.id()));
        assertTrue(busy.getMessage().contains("busy") && busy.getMessage().contains(b.id()), busy.getMessage());
        assertEquals(List.of(b), service.list(MEMBER, "vm-1", dev.lifeboat.domain.common.PageRequest.first(10)).items().stream()
                .map(BackupService.Detail::backup).toList());
    }

    @Test
    void backupNowRulesAnswerInTheContractsOrder() {
        refused(Problem.NOT_FOUND, () -> service.backupNow(OTHER_TENANT, "vm-1", () -> null));
        refused(Problem.FORBIDDEN, () -> service.backupNow(MEMBER, "vm-1", () -> null));
        var unselected = refused(Problem.VALIDATION_FAILED, () -> service.backupNow(TENANT, "vm-1", () -> "01J00000000000000000000999"));
        assertEquals(List.of("policyId"), fields(unselected));
        switches("dc1", false, false);
        assertTrue(refused(Problem.CONFLICT, () -> service.backupNow(TENANT, "vm-1", () -> null)).getMessage().contains("backupNow"));
        switches("dc1", true, false);
        registry.register(TENANT, "bare", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        assertTrue(refused(Problem.CONFLICT, () -> service.backupNow(TENANT, "bare", () -> null)).getMessage().contains("no backup configuration"));
        registry.register(TENANT, "vm-2", () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.ANY);
        assertTrue(refused(Problem.CONFLICT, () -> service.backupNow(TENANT, "vm-2", () -> null)).getMessage().contains("PENDING"));
        vmBackups.recordApplied("vm-2", vmBackups.get(TENANT, "vm-2").backup().version());
        assertTrue(refused(Problem.CONFLICT, () -> service.backupNow(TENANT, "vm-2", () -> null)).getMessage().contains("NOT_ALLOCATED"));
        assertTrue(workflows.backups.isEmpty());
        assertTrue(backupStore.allBackups("vm-2").isEmpty());
    }

    @Test
    void anUnreachableWorkflowServiceFailsTheBackupAndFreesTheVm() {
        workflows.unavailable = true;
        refused(Problem.SERVICE_UNAVAILABLE, () -> service.backupNow(TENANT, "vm-1", () -> null));
        Backup failed = backupStore.allBackups("vm-1").get(0);
        assertEquals(BackupStatus.FAILED, failed.status());
        assertEquals("WORKFLOW_UNAVAILABLE", failed.error().code());
        assertTrue(backupStore.lockHolder("vm-1").isEmpty());
        // Published like every other change, since no workflow will: QUEUED, then FAILED with the reason.
        assertEquals(List.of("QUEUED", "FAILED"), events.stream().map(e -> e.detail().get("status")).toList());
        assertTrue(events.stream().allMatch(e -> e.kind() == EventPublisher.StateChangeEvent.Kind.BACKUP && failed.id().equals(e.resource())));
        assertEquals("WORKFLOW_UNAVAILABLE", ((java.util.Map<?, ?>) events.get(1).detail().get("error")).get("code"), events.toString());
    }

    @Test
    void aBackupIsRestoredOnceUnlessTheDatacenterAllowsMore() {
        Backup b = succeeded("vm-1");
        refused(Problem.FORBIDDEN, () -> service.restore(TENANT, "vm-1", b.id()));
        var started = service.restore(RESTORER, "vm-1", b.id());
        Restore r = started.restores().get(0);
        assertEquals(RestoreStatus.QUEUED, r.status());
        assertEquals(started.request().id(), r.requestId());
        assertEquals(List.of(started.request()), workflows.restores);
        assertTrue(refused(Problem.CONFLICT, () -> service.restore(RESTORER, "vm-1", b.id())).getMessage().contains("being restored"));
        assertTrue(refused(Problem.CONFLICT, () -> service.backupNow(RESTORER, "vm-1", () -> null)).getMessage().contains("restore " + r.id()));
        endRestore(r, RestoreStatus.SUCCESS);
        assertTrue(refused(Problem.CONFLICT, () -> service.restore(RESTORER, "vm-1", b.id())).getMessage().contains("multipleRestore"));
        switches("dc1", true, true);
        assertEquals(RestoreStatus.QUEUED, service.restore(RESTORER, "vm-1", b.id()).restores().get(0).status());
        assertEquals(2, service.get(MEMBER, "vm-1", b.id()).restores().size());
    }

    @Test
    void onlyASuccessfulBackupCanBeRestored() {
        Backup running = service.backupNow(TENANT, "vm-1", () -> null);
        assertTrue(refused(Problem.CONFLICT, () -> service.restore(RESTORER, "vm-1", running.id())).getMessage().contains("QUEUED"));
        refused(Problem.NOT_FOUND, () -> service.restore(RESTORER, "vm-1", "01J00000000000000000000999"));
        refused(Problem.NOT_FOUND, () -> service.restore(OTHER_TENANT, "vm-1", running.id()));
    }

    @Test
    void aVmThatIsNotAllocatedIsRestoredByNetworkerOnly() {
        Backup b = succeeded("vm-1");
        registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.ANY);
        assertEquals(RestoreStatus.QUEUED, service.restore(RESTORER, "vm-1", b.id()).restores().get(0).status());

        manager("VEEAM", "dc2");
        switches("dc2", true, false);
        BackupPolicy veeamPolicy = policies.create(ADMIN, "dc2", () -> policy("V", daily("01:00:00 +0000")));
        store.saveAllowance(new Allowance("ent-1", "dc2", List.of(veeamPolicy.id()), 1), 0);
        registry.register(TENANT, "vm-v", () -> vm("ent-1", "dc2", "NOT_ALLOCATED"), ExpectedVersion.ANY);
        Backup vb = new Backup("01JB0000000000000000000077", "vm-v", "dc2", "ent-1", veeamPolicy.id(), Trigger.DISCOVERED, BackupStatus.SUCCESS,
                Fixtures.NOW, Fixtures.NOW, Fixtures.NOW, 100, null, "rp", null, null, 0, 1);
        backupStore.saveBackup(null, vb);
        var e = refused(Problem.CONFLICT, () -> service.restore(RESTORER, "vm-v", vb.id()));
        assertTrue(e.getMessage().contains("VEEAM restores only a DEPLOYED VM"), e.getMessage());
    }

    @Test
    void aMultiRestoreRejectsItemsOneByOneAndStartsTheRest() {
        List<ItemDraft> items = new ArrayList<>();
        List<Backup> made = new ArrayList<>();
        for (String vm : List.of("vm-1", "vm-2", "vm-3", "vm-4", "vm-5")) {
            Backup b = succeeded(vm);
            made.add(b);
            items.add(new ItemDraft(vm, b.id()));
        }
        service.backupNow(TENANT, "vm-2", () -> null); // vm-2 is busy
        items.set(4, new ItemDraft("vm-5", "01J00000000000000000000999")); // no such backup
        var started = service.multiRestore(RESTORER, () -> items);
        RestoreRequest request = started.request();
        assertEquals(List.of("QUEUED", "REJECTED", "QUEUED", "QUEUED", "REJECTED"),
                request.items().stream().map(i -> RestoreRequest.itemStatus(i, backupStore.findRestores(request.items()))).toList());
        assertTrue(request.items().get(1).rejection().message().contains("busy"));
        assertEquals("NOT_FOUND", request.items().get(4).rejection().code());
        assertEquals(3, started.restores().size());
        var view = service.getRequest(RESTORER, request.id());
        assertEquals(RestoreRequest.Status.IN_PROGRESS, view.request().status(view.restores()));
        endRestore(started.restores().get(0), RestoreStatus.SUCCESS);
        endRestore(started.restores().get(1), RestoreStatus.FAILED);
        endRestore(started.restores().get(2), RestoreStatus.SUCCESS);
        view = service.getRequest(MEMBER, request.id());
        assertEquals(RestoreRequest.Status.PARTIAL, view.request().status(view.restores()));
        refused(Problem.NOT_FOUND, () -> service.getRequest(OTHER_TENANT, request.id()));
    }

    @Test
    void aMultiRestoreWhoseItemsAreAllRejectedIs409WithEachReason() {
        var e = refused(Problem.CONFLICT, () -> service.multiRestore(RESTORER, () -> List.of(
                new ItemDraft("vm-1", "01J00000000000000000000999"), new ItemDraft("nope", "01J00000000000000000000998"))));
        assertEquals(List.of("items[0]", "items[1]"), fields(e));
        assertTrue(workflows.restores.isEmpty());
        var dup = refused(Problem.VALIDATION_FAILED, () -> service.multiRestore(RESTORER, () -> List.of(
                new ItemDraft("vm-1", "b"), new ItemDraft("vm-1", "b"))));
        assertEquals(List.of("items[1]"), fields(dup));
        refused(Problem.VALIDATION_FAILED, () -> service.multiRestore(RESTORER, List::of));
        var longId = refused(Problem.VALIDATION_FAILED, () -> service.multiRestore(RESTORER, () -> List.of(new ItemDraft("v".repeat(3000), "b"))));
        assertEquals(List.of("items[0].vm"), fields(longId));
        List<ItemDraft> many = new ArrayList<>();
        for (int i = 0; i <= BackupService.MAX_RESTORE_ITEMS; i++) many.add(new ItemDraft("vm-" + i, "b"));
        refused(Problem.VALIDATION_FAILED, () -> service.multiRestore(RESTORER, () -> many));
        refused(Problem.FORBIDDEN, () -> service.multiRestore(TENANT, () -> many));
    }

    @Test
    void theRequestStatusSumsItsItems() {
        Backup a = succeeded("vm-1");
        Backup b = succeeded("vm-3");
        var started = service.multiRestore(RESTORER, () -> List.of(new ItemDraft("vm-1", a.id()), new ItemDraft("vm-3", b.id())));
        started.restores().forEach(r -> endRestore(r, RestoreStatus.FAILED));
        var view = service.getRequest(RESTORER, started.request().id());
        assertEquals(RestoreRequest.Status.FAILED, view.request().status(view.restores()));
        Backup c = succeeded("vm-4");
        var one = service.restore(RESTORER, "vm-4", c.id());
        endRestore(one.restores().get(0), RestoreStatus.SUCCESS);
        var single = service.getRequest(RESTORER, one.request().id());
        assertEquals(RestoreRequest.Status.SUCCESS, single.request().status(single.restores()));
        assertNull(single.request().items().get(0).rejection());
    }

    @Test
    void aRestoreWhoseWorkflowNeverStartedDoesNotCountAsARestore() {
        Backup b = succeeded("vm-1");
        workflows.unavailable = true;
        refused(Problem.SERVICE_UNAVAILABLE, () -> service.restore(RESTORER, "vm-1", b.id()));
        assertEquals("WORKFLOW_UNAVAILABLE", backupStore.restoresOf("vm-1", b.id()).get(0).error().code());
        assertTrue(backupStore.lockHolder("vm-1").isEmpty());
        List<EventPublisher.StateChangeEvent> restoreEvents = events.stream().filter(e -> e.kind() == EventPublisher.StateChangeEvent.Kind.RESTORE).toList();
        assertEquals(List.of("QUEUED", "FAILED"), restoreEvents.stream().map(e -> e.detail().get("status")).toList());
        workflows.unavailable = false;
        assertEquals(RestoreStatus.QUEUED, service.restore(RESTORER, "vm-1", b.id()).restores().get(0).status(),
                "with multipleRestore off, the same request may be sent again");
    }
}
