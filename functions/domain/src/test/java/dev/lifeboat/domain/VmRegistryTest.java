package dev.lifeboat.domain;

import static dev.lifeboat.domain.BackupManagerServiceTest.fields;
import static dev.lifeboat.domain.BackupManagerServiceTest.refused;
import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.CLOUD_ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.MEMBER;
import static dev.lifeboat.domain.fakes.Fixtures.OTHER_TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static dev.lifeboat.domain.fakes.Fixtures.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemoryConfigStore;
import dev.lifeboat.domain.fakes.RecordingWorkflow;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.vm.ApplyAction;
import dev.lifeboat.domain.vm.BackupConfigDraft;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.ScheduleWorkflow.ApplyRequest;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupService;
import dev.lifeboat.domain.vm.VmDraft;
import dev.lifeboat.domain.vm.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmRegistryTest {
    final InMemoryConfigStore store = new InMemoryConfigStore();
    final RecordingWorkflow workflow = new RecordingWorkflow();
    final VirtualMachineService registry = new VirtualMachineService(store, workflow, CLOCK);
    final VmBackupService backups = new VmBackupService(store, store, store, store, workflow, CLOCK);
    final BackupPolicyService policies = new BackupPolicyService(store, store, CLOCK, Fixtures.sequentialIds());

    VirtualMachine register(String id, VmDraft draft) {
        return registry.register(TENANT, id, () -> draft, ExpectedVersion.ANY).value();
    }

    /** A VM of ent-1 in dc1 that selects one allowed policy. */
    VirtualMachine configured(String id, VmState state) {
        BackupPolicy p = policies.create(ADMIN, "dc1", () -> policy("P-" + id, daily("01:00:00 +0000")));
        store.saveAllowance(new Allowance("ent-1", "dc1", List.of(p.id()), 1), 0);
        register(id, vm("ent-1", "dc1", "NOT_ALLOCATED"));
        backups.put(TENANT, id, () -> new BackupConfigDraft(List.of(new BackupConfigDraft.Selection(p.id(), null))), ExpectedVersion.ANY);
        if (state == VmState.DEPLOYED) {
            register(id, vm("ent-1", "dc1", "DEPLOYED"));
        }
        return registry.get(TENANT, id);
    }

    @Test
    void registersOnceAndARepeatedReportChangesNothing() {
        var first = registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.ANY);
        assertTrue(first.created());
        VirtualMachine v = first.value();
        assertEquals(1, v.version());
        assertEquals(new Hypervisor("vc.example.com", "vm-42", "4210aaaa-bbbb-cccc-dddd-eeeeffff0000"), v.hypervisor());
        assertEquals(ConfigStatus.APPLIED, v.backup().status());
        var again = registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.ANY);
        assertFalse(again.created());
        assertEquals(1, again.value().version());
        var renamed = registry.register(TENANT, "vm-1", () -> new VmDraft("ent-1", "dc1", "web-01", "NOT_ALLOCATED", null), ExpectedVersion.of(1));
        assertEquals(2, renamed.value().version());
        assertEquals("web-01", registry.get(MEMBER, "vm-1").name());
        assertEquals(Hypervisor.NONE, registry.get(MEMBER, "vm-1").hypervisor());
    }

    @Test
    void enterpriseAndDatacenterAreFixedOnceSet() {
        register("vm-1", vm("ent-1", "dc1", "DEPLOYED"));
        var e = refused(Problem.CONFLICT, () -> registry.register(CLOUD_ADMIN, "vm-1", () -> vm("ent-3", "dc2", "DEPLOYED"), ExpectedVersion.ANY));
        assertTrue(e.getMessage().contains("enterprise (ent-1) or datacenter (dc1)"), e.getMessage());
    }

    @Test
    void aTenantRegistersOnlyForItsOwnEnterpriseAndNeverSeesAnotherOne() {
        refused(Problem.FORBIDDEN, () -> registry.register(TENANT, "vm-x", () -> vm("ent-2", "dc1", "DEPLOYED"), ExpectedVersion.ANY));
        assertTrue(store.findVm("vm-x").isEmpty(), "nothing written");
        registry.register(CLOUD_ADMIN, "vm-2", () -> vm("ent-2", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        // Another enterprise's VM answers as if it did not exist, for reads and writes alike, before the privilege check.
        refused(Problem.NOT_FOUND, () -> registry.get(TENANT, "vm-2"));
        refused(Problem.NOT_FOUND, () -> registry.register(TENANT, "vm-2", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY));
        refused(Problem.NOT_FOUND, () -> registry.register(MEMBER, "vm-2", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY));
        assertEquals("ent-2", registry.get(OTHER_TENANT, "vm-2").enterprise());
        assertEquals(1, registry.get(CLOUD_ADMIN, "vm-2").version());
    }

    @Test
    void registeringNeedsThePrivilegeAndValidValues() {
        refused(Problem.FORBIDDEN, () -> registry.register(MEMBER, "vm-1", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY));
        var e = refused(Problem.VALIDATION_FAILED, () -> registry.register(CLOUD_ADMIN, "vm-1",
                () -> new VmDraft("bad ent", null, " ", "RUNNING", new Hypervisor("", null, "u".repeat(257))), ExpectedVersion.ANY));
        assertEquals(List.of("enterprise", "datacenter", "name", "state", "hypervisor.vcenter", "hypervisor.uuid"), fields(e));
        var missing = refused(Problem.VALIDATION_FAILED, () -> registry.register(CLOUD_ADMIN, "vm-1",
                () -> new VmDraft(null, "dc1", "n", null, null), ExpectedVersion.ANY));
        assertEquals(List.of("enterprise", "state"), fields(missing));
        assertTrue(store.findVm("vm-1").isEmpty());
    }

    @Test
    void ifMatchGuardsTheRegistry() {
        refused(Problem.PRECONDITION_FAILED, () -> registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.of(1)));
        register("vm-1", vm("ent-1", "dc1", "DEPLOYED"));
        refused(Problem.PRECONDITION_FAILED, () -> registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.of(7)));
        assertEquals(VmState.DEPLOYED, registry.get(TENANT, "vm-1").state());
    }

    @Test
    void listsOwnEnterpriseOnlyUnlessAdministratorOfAll() {
        registry.register(CLOUD_ADMIN, "a", () -> vm("ent-1", "dc2", "DEPLOYED"), ExpectedVersion.ANY);
        registry.register(CLOUD_ADMIN, "b", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        registry.register(CLOUD_ADMIN, "c", () -> vm("ent-2", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        assertEquals(List.of("b", "a"), ids(registry.list(MEMBER, null, null, PageRequest.first(25))));
        assertEquals(List.of("b"), ids(registry.list(MEMBER, "ent-1", "dc1", PageRequest.first(25))));
        refused(Problem.FORBIDDEN, () -> registry.list(MEMBER, "ent-2", null, PageRequest.first(25)));
        refused(Problem.FORBIDDEN, () -> registry.list(new dev.lifeboat.domain.identity.Caller("x", null, java.util.Set.of()), null, null, PageRequest.first(25)));
        assertEquals(List.of("b", "c", "a"), ids(registry.list(CLOUD_ADMIN, null, null, PageRequest.first(25))));
        assertEquals(List.of("c"), ids(registry.list(CLOUD_ADMIN, "ent-2", null, PageRequest.first(25))));
        assertEquals(List.of("b", "c"), ids(registry.list(CLOUD_ADMIN, null, "dc1", PageRequest.first(25))));
        refused(Problem.BAD_REQUEST, () -> registry.list(CLOUD_ADMIN, "bad ent", null, PageRequest.first(25)));
        List<String> paged = new ArrayList<>();
        Page<VirtualMachine> page = registry.list(CLOUD_ADMIN, null, null, PageRequest.first(2));
        paged.addAll(ids(page));
        page = registry.list(CLOUD_ADMIN, null, null, new PageRequest(2, page.nextCursor()));
        paged.addAll(ids(page));
        assertNull(page.nextCursor());
        assertEquals(List.of("b", "c", "a"), paged);
    }

    static List<String> ids(Page<VirtualMachine> page) {
        return page.items().stream().map(VirtualMachine::id).toList();
    }

    @Test
    void deployingAConfiguredVmAppliesItsConfigurationAndUndeployingRemovesIt() {
        VirtualMachine v = configured("vm-1", VmState.NOT_ALLOCATED);
        assertEquals(1, v.backup().version());
        assertTrue(workflow.started.isEmpty(), "a VM that is not allocated needs no backup system");

        VirtualMachine deployed = register("vm-1", vm("ent-1", "dc1", "DEPLOYED"));
        assertEquals(ConfigStatus.PENDING, deployed.backup().status());
        assertEquals(List.of(new ApplyRequest("vm-1", "dc1", 2, ApplyAction.APPLY)), workflow.started);
        assertTrue(backups.recordApplied("vm-1", 2));
        assertEquals(ConfigStatus.APPLIED, registry.get(TENANT, "vm-1").backup().status());

        VirtualMachine undeployed = register("vm-1", vm("ent-1", "dc1", "NOT_ALLOCATED"));
        assertEquals(ConfigStatus.PENDING, undeployed.backup().status());
        assertEquals(new ApplyRequest("vm-1", "dc1", 4, ApplyAction.REMOVE), workflow.started.get(1));
        assertEquals(undeployed.backup().policies(), undeployed.backup().previous(), "the removal names what to take out");
        assertTrue(backups.recordApplied("vm-1", 4));
        VirtualMachine after = registry.get(TENANT, "vm-1");
        assertEquals(1, after.backup().policies().size(), "the selection stays for the next deploy");
        assertEquals(ConfigStatus.APPLIED, after.backup().status());
    }

    @Test
    void aVmWithoutConfigurationStartsNothingOnDeploy() {
        register("vm-1", vm("ent-1", "dc1", "NOT_ALLOCATED"));
        register("vm-1", vm("ent-1", "dc1", "DEPLOYED"));
        register("vm-1", vm("ent-1", "dc1", "NOT_ALLOCATED"));
        assertTrue(workflow.started.isEmpty());
    }

    @Test
    void anUnreachableWorkflowServiceKeepsTheChangeAndTheSameReportStartsItLater() {
        configured("vm-1", VmState.NOT_ALLOCATED);
        workflow.unavailable = true;
        var e = refused(Problem.SERVICE_UNAVAILABLE, () -> register("vm-1", vm("ent-1", "dc1", "DEPLOYED")));
        assertTrue(e.getMessage().contains("Send the same request again"), e.getMessage());
        VirtualMachine recorded = registry.get(TENANT, "vm-1");
        assertEquals(VmState.DEPLOYED, recorded.state());
        assertEquals(ConfigStatus.PENDING, recorded.backup().status());
        workflow.unavailable = false;
        register("vm-1", vm("ent-1", "dc1", "DEPLOYED"));
        assertEquals(List.of(new ApplyRequest("vm-1", "dc1", 2, ApplyAction.APPLY)), workflow.started);
        assertEquals(recorded.version(), registry.get(TENANT, "vm-1").version(), "the repeated report wrote nothing");
    }

    @Test
    void aLateOutcomeOfAReplacedRunChangesNothing() {
        configured("vm-1", VmState.DEPLOYED); // config version 2, PENDING APPLY
        register("vm-1", vm("ent-1", "dc1", "NOT_ALLOCATED")); // version 3, PENDING REMOVE
        assertFalse(backups.recordApplied("vm-1", 2));
        assertFalse(backups.recordFailed("vm-1", 2, new dev.lifeboat.domain.common.ErrorInfo("X", "late")));
        VirtualMachine v = registry.get(TENANT, "vm-1");
        assertEquals(ApplyAction.REMOVE, v.backup().action());
        assertEquals(3, v.backup().version());
    }

    @Test
    void theManagerCannotGoWhileAVmIsConfigured() {
        var managers = new dev.lifeboat.domain.manager.BackupManagerService(store, new dev.lifeboat.domain.fakes.InMemorySecretStore(),
                m -> null, CLOCK, Fixtures.sequentialIds(), "#", "lifeboat/test");
        managers.put(ADMIN, "dc1", () -> new dev.lifeboat.domain.manager.ManagerDraft("vc", "VMWARE_SNAPSHOT", "https://vc/sdk", "u", new dev.lifeboat.domain.secret.Secret("p")),
                ExpectedVersion.ANY);
        configured("vm-1", VmState.NOT_ALLOCATED);
        refused(Problem.CONFLICT, () -> managers.delete(ADMIN, "dc1", ExpectedVersion.ANY));
        backups.put(TENANT, "vm-1", () -> new BackupConfigDraft(List.of()), ExpectedVersion.ANY);
        managers.delete(ADMIN, "dc1", ExpectedVersion.ANY);
        assertTrue(store.findManager("dc1").isEmpty());
    }
}
