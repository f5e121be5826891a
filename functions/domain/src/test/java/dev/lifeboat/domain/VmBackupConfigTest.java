package dev.lifeboat.domain;

import static dev.lifeboat.domain.BackupManagerServiceTest.fields;
import static dev.lifeboat.domain.BackupManagerServiceTest.refused;
import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.CLOUD_ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.DEFINER;
import static dev.lifeboat.domain.fakes.Fixtures.MEMBER;
import static dev.lifeboat.domain.fakes.Fixtures.OTHER_TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.config;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static dev.lifeboat.domain.fakes.Fixtures.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemoryConfigStore;
import dev.lifeboat.domain.fakes.RecordingWorkflow;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import dev.lifeboat.domain.vm.ApplyAction;
import dev.lifeboat.domain.vm.BackupConfigDraft;
import dev.lifeboat.domain.vm.BackupConfigDraft.Selection;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.ScheduleWorkflow.ApplyRequest;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VmBackupConfigTest {
    final InMemoryConfigStore store = new InMemoryConfigStore();
    final RecordingWorkflow workflow = new RecordingWorkflow();
    final VirtualMachineService registry = new VirtualMachineService(store, workflow, CLOCK);
    final VmBackupService backups = new VmBackupService(store, store, store, store, workflow, CLOCK);
    final BackupPolicyService policies = new BackupPolicyService(store, store, CLOCK, Fixtures.sequentialIds());
    final BackupPropertiesService properties = new BackupPropertiesService(store, CLOCK);

    BackupPolicy gold;
    BackupPolicy silver;
    /** Leaves the weekly days and the daily time to each VM. */
    BackupPolicy flex;
    /** Exists in dc1 but is not allowed to ent-1. */
    BackupPolicy secret;
    /** Allowed to ent-1, but in dc2. */
    BackupPolicy elsewhere;

    @BeforeEach
    void datacenter() {
        gold = policies.create(ADMIN, "dc1", () -> policy("GOLD", daily("01:00:00 +0000")));
        silver = policies.create(ADMIN, "dc1", () -> policy("SILVER", daily("02:00:00 +0000")));
        flex = policies.create(ADMIN, "dc1", () -> policy("FLEX",
                config("WEEKLY_PLANNED", Map.of("days", "DEFINE_IN_VM", "time", "03:00:00 +0100")),
                config("DAILY", Map.of("time", "DEFINE_IN_VM")),
                config("HOURLY", Map.of("hours", "NOT_APPLY"))));
        secret = policies.create(ADMIN, "dc1", () -> policy("SECRET", daily("04:00:00 +0000")));
        elsewhere = policies.create(ADMIN, "dc2", () -> policy("ELSEWHERE", daily("04:00:00 +0000")));
        store.saveAllowance(new Allowance("ent-1", "dc1", List.of(gold.id(), silver.id(), flex.id()), 1), 0);
        store.saveAllowance(new Allowance("ent-1", "dc2", List.of(elsewhere.id()), 1), 0);
        registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.ANY);
        registry.register(TENANT, "vm-up", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
    }

    void switches(boolean multiplePolicies, boolean updateWhenDeployed) {
        long version = store.findProperties("dc1").version();
        properties.put(ADMIN, "dc1", () -> new PropertiesDraft(false, multiplePolicies, updateWhenDeployed, false), ExpectedVersion.of(version));
    }

    static BackupConfigDraft select(Selection... selections) {
        return new BackupConfigDraft(List.of(selections));
    }

    static Selection plain(BackupPolicy p) {
        return new Selection(p.id(), null);
    }

    static Selection with(BackupPolicy p, String subtype, Map<String, Object> fields) {
        return new Selection(p.id(), Map.of(subtype, fields));
    }

    VmBackupService.Change put(Caller caller, String vm, BackupConfigDraft draft) {
        return backups.put(caller, vm, () -> draft, ExpectedVersion.ANY);
    }

    boolean inUse(BackupPolicy p) {
        return store.findPolicy(p.datacenter(), p.id()).orElseThrow().inUse();
    }

    @Test
    void aVmNeverConfiguredHasNoPoliciesAndIsApplied() {
        VirtualMachine v = backups.get(MEMBER, "vm-1");
        assertEquals(List.of(), v.backup().policies());
        assertEquals(ConfigStatus.APPLIED, v.backup().status());
        assertEquals(0, v.backup().version());
    }

    @Test
    void aVmThatIsNotAllocatedIsAppliedAtOnceAndMarksThePolicyInUseUntilRemoved() {
        var change = put(TENANT, "vm-1", select(plain(gold)));
        assertFalse(change.started());
        assertEquals(ConfigStatus.APPLIED, change.vm().backup().status());
        assertEquals(List.of(PolicySelection.of(gold.id())), change.vm().backup().policies());
        assertEquals(1, change.vm().backup().version());
        assertTrue(workflow.started.isEmpty());
        assertTrue(inUse(gold));
        assertEquals(1, store.findUsage("dc1").configuredVms());
        refused(Problem.CONFLICT, () -> policies.update(ADMIN, "dc1", gold.id(), () -> policy("GOLD", daily("05:00:00 +0000")), ExpectedVersion.ANY));
        refused(Problem.CONFLICT, () -> policies.delete(ADMIN, "dc1", gold.id(), ExpectedVersion.ANY));

        var removed = put(TENANT, "vm-1", select());
        assertEquals(List.of(), removed.vm().backup().policies());
        assertFalse(inUse(gold));
        assertEquals(0, store.findUsage("dc1").configuredVms());
        policies.delete(ADMIN, "dc1", gold.id(), ExpectedVersion.ANY);
    }

    @Test
    void anIdenticalPutChangesNothing() {
        put(TENANT, "vm-1", select(plain(gold)));
        int writes = store.writes;
        var again = put(TENANT, "vm-1", select(plain(gold)));
        assertEquals(1, again.vm().backup().version());
        assertEquals(writes, store.writes);
    }

    @Test
    void unknownPoliciesAndPoliciesOfAnotherDatacenterAre422() {
        var e = refused(Problem.VALIDATION_FAILED, () -> put(TENANT, "vm-1",
                select(new Selection("01J00000000000000000000999", null), plain(elsewhere), new Selection("not-an-id", null),
                        new Selection(null, null))));
        assertEquals(List.of("policies[0].policyId", "policies[1].policyId", "policies[2].policyId", "policies[3].policyId"), fields(e));
        refused(Problem.VALIDATION_FAILED, () -> put(TENANT, "vm-1", new BackupConfigDraft(null)));
        var dup = refused(Problem.VALIDATION_FAILED, () -> put(TENANT, "vm-1", select(plain(gold), plain(gold))));
        assertEquals(List.of("policies[1].policyId"), fields(dup));
        List<Selection> many = new ArrayList<>();
        for (int i = 0; i <= VmBackupService.MAX_POLICIES; i++) many.add(plain(gold));
        refused(Problem.VALIDATION_FAILED, () -> put(TENANT, "vm-1", new BackupConfigDraft(many)));
        assertEquals(0, backups.get(TENANT, "vm-1").backup().version());
    }

    @Test
    void aPolicyNotAllowedToTheEnterpriseIs403() {
        var e = refused(Problem.FORBIDDEN, () -> put(TENANT, "vm-1", select(plain(gold), plain(secret))));
        assertTrue(e.getMessage().contains("SECRET") && e.getMessage().contains("ent-1"), e.getMessage());
        assertFalse(inUse(gold));
    }

    @Test
    void changingNeedsThePrivilegeAndMembership() {
        refused(Problem.FORBIDDEN, () -> put(MEMBER, "vm-1", select(plain(gold))));
        refused(Problem.NOT_FOUND, () -> put(OTHER_TENANT, "vm-1", select(plain(gold))));
        refused(Problem.NOT_FOUND, () -> backups.get(OTHER_TENANT, "vm-1"));
        refused(Problem.NOT_FOUND, () -> backups.available(OTHER_TENANT, "vm-1", PageRequest.first(25)));
        refused(Problem.NOT_FOUND, () -> put(TENANT, "no-such-vm", select(plain(gold))));
        assertEquals(1, put(CLOUD_ADMIN, "vm-1", select(plain(gold))).vm().backup().version());
    }

    @Test
    void defineInVmFieldsMustBeGivenExactlyAndNeedTheirPrivilege() {
        Map<String, Object> weekly = new LinkedHashMap<>();
        weekly.put("days", List.of("Friday", "monday"));
        Selection good = new Selection(flex.id(), Map.of("WEEKLY_PLANNED", weekly, "DAILY", Map.of("time", "22:30:00 Europe/Madrid")));
        refused(Problem.FORBIDDEN, () -> put(TENANT, "vm-1", select(good)));

        var missing = refused(Problem.VALIDATION_FAILED, () -> put(DEFINER, "vm-1", select(with(flex, "WEEKLY_PLANNED", weekly))));
        assertEquals(List.of("policies[0].values.DAILY.time"), fields(missing));
        var withoutPrivilegeOrValues = refused(Problem.VALIDATION_FAILED, () -> put(TENANT, "vm-1", select(plain(flex))));
        assertEquals(List.of("policies[0].values.WEEKLY_PLANNED.days", "policies[0].values.DAILY.time"), fields(withoutPrivilegeOrValues));

        var extra = refused(Problem.VALIDATION_FAILED, () -> put(DEFINER, "vm-1", select(new Selection(flex.id(), Map.of(
                "WEEKLY_PLANNED", Map.of("days", List.of("monday"), "time", "01:00:00 +0000"),
                "DAILY", Map.of("time", "01:00:00 +0000"),
                "MONTHLY", Map.of("time", "01:00:00 +0000"),
                "HOURLY", Map.of("hours", "3"))))));
        assertEquals(List.of("policies[0].values.WEEKLY_PLANNED.time", "policies[0].values.MONTHLY", "policies[0].values.HOURLY.hours"),
                fields(extra).stream().sorted((a, b) -> order(a) - order(b)).toList());

        var modes = refused(Problem.VALIDATION_FAILED, () -> put(DEFINER, "vm-1", select(new Selection(flex.id(), Map.of(
                "WEEKLY_PLANNED", Map.of("days", "DEFINE_IN_VM"),
                "DAILY", Map.of("time", "NOT_APPLY"))))));
        assertEquals(2, modes.errors().size(), modes.errors().toString());
        var format = refused(Problem.VALIDATION_FAILED, () -> put(DEFINER, "vm-1", select(new Selection(flex.id(), Map.of(
                "WEEKLY_PLANNED", Map.of("days", List.of("funday")),
                "DAILY", Map.of("time", "25:00:00 +0000"))))));
        assertEquals(2, format.errors().size(), format.errors().toString());
        var kind = refused(Problem.BAD_REQUEST, () -> put(DEFINER, "vm-1", select(new Selection(flex.id(), Map.of(
                "WEEKLY_PLANNED", Map.of("days", 7L),
                "DAILY", Map.of("time", "01:00:00 +0000"))))));
        assertEquals(List.of("policies[0].values.WEEKLY_PLANNED.days"), fields(kind));

        VirtualMachine v = put(DEFINER, "vm-1", select(good)).vm();
        PolicySelection stored = v.backup().policies().get(0);
        assertEquals(Setting.fixedDays(List.of("monday", "friday")), stored.values().get(Subtype.WEEKLY_PLANNED).get("days"));
        assertEquals(Setting.fixed("22:30:00 Europe/Madrid"), stored.values().get(Subtype.DAILY).get("time"));
        assertFalse(stored.values().containsKey(Subtype.HOURLY), "NOT_APPLY fields are the backup system's");
    }

    private static int order(String field) {
        return field.contains("WEEKLY") ? 0 : field.contains("MONTHLY") ? 1 : 2;
    }

    @Test
    void morePoliciesThanOneNeedTheDatacenterProperty() {
        var e = refused(Problem.CONFLICT, () -> put(TENANT, "vm-1", select(plain(gold), plain(silver))));
        assertTrue(e.getMessage().contains("multipleBackupPolicies"), e.getMessage());
        switches(true, false);
        assertEquals(2, put(TENANT, "vm-1", select(plain(gold), plain(silver))).vm().backup().policies().size());
        assertTrue(inUse(gold) && inUse(silver));
        assertEquals(1, store.findUsage("dc1").configuredVms());
    }

    @Test
    void aDeployedVmChangesOnlyWithTheDatacenterPropertyAndThroughTheWorkflow() {
        var e = refused(Problem.CONFLICT, () -> put(TENANT, "vm-up", select(plain(gold))));
        assertTrue(e.getMessage().contains("updateWhenDeployed"), e.getMessage());
        switches(false, true);

        var first = put(TENANT, "vm-up", select(plain(gold)));
        assertTrue(first.started());
        assertEquals(ConfigStatus.PENDING, first.vm().backup().status());
        assertEquals(List.of(new ApplyRequest("vm-up", "dc1", 1, ApplyAction.APPLY)), workflow.started);
        assertTrue(backups.recordApplied("vm-up", 1));

        var change = put(TENANT, "vm-up", select(plain(silver)));
        assertEquals(ConfigStatus.PENDING, change.vm().backup().status());
        assertEquals(List.of(PolicySelection.of(silver.id())), backups.get(MEMBER, "vm-up").backup().policies(), "GET shows what is being applied");
        assertTrue(inUse(gold) && inUse(silver), "while pending, the replaced policy may come back");
        refused(Problem.CONFLICT, () -> put(TENANT, "vm-up", select()));
        assertFalse(put(TENANT, "vm-up", select(plain(silver))).started(), "the same change again is no new change");

        assertTrue(backups.recordFailed("vm-up", 3, new ErrorInfo("JOB_NOT_FOUND", "No Veeam job has code SILVER.")));
        VirtualMachine failed = backups.get(MEMBER, "vm-up");
        assertEquals(ConfigStatus.FAILED, failed.backup().status());
        assertEquals(List.of(PolicySelection.of(gold.id())), failed.backup().policies(), "the previous configuration is back");
        assertEquals("JOB_NOT_FOUND", failed.backup().error().code());
        assertFalse(inUse(silver));
        assertTrue(inUse(gold));
        assertFalse(backups.recordApplied("vm-up", 3), "an outcome is recorded once");

        var removal = put(TENANT, "vm-up", select());
        assertTrue(removal.started());
        assertNull(removal.vm().backup().error());
        assertTrue(backups.recordApplied("vm-up", removal.vm().backup().version()));
        assertFalse(inUse(gold));
        assertEquals(0, store.findUsage("dc1").configuredVms());
    }

    @Test
    void aWorkflowThatCannotStartLeavesTheChangePendingForTheSameRequestToRestart() {
        switches(false, true);
        workflow.unavailable = true;
        refused(Problem.SERVICE_UNAVAILABLE, () -> put(TENANT, "vm-up", select(plain(gold))));
        assertEquals(ConfigStatus.PENDING, backups.get(TENANT, "vm-up").backup().status());
        workflow.unavailable = false;
        assertFalse(put(TENANT, "vm-up", select(plain(gold))).started());
        assertEquals(List.of(new ApplyRequest("vm-up", "dc1", 1, ApplyAction.APPLY)), workflow.started);
    }

    @Test
    void ifMatchGuardsTheConfiguration() {
        put(TENANT, "vm-1", select(plain(gold)));
        refused(Problem.PRECONDITION_FAILED, () -> backups.put(TENANT, "vm-1", () -> select(plain(silver)), ExpectedVersion.of(0)));
        assertEquals(2, backups.put(TENANT, "vm-1", () -> select(plain(silver)), ExpectedVersion.of(1)).vm().backup().version());
    }

    @Test
    void availablePoliciesAreTheAllowedOnesOfTheVmsDatacenterPageByPage() {
        Page<BackupPolicy> first = backups.available(MEMBER, "vm-1", PageRequest.first(2));
        assertEquals(List.of(gold.id(), silver.id()), first.items().stream().map(BackupPolicy::id).toList());
        Page<BackupPolicy> second = backups.available(MEMBER, "vm-1", new PageRequest(2, first.nextCursor()));
        assertEquals(List.of(flex.id()), second.items().stream().map(BackupPolicy::id).toList());
        assertNull(second.nextCursor());
        assertEquals(3, second.items().get(0).configurations().size(), "a client sees which fields it must define");
        refused(Problem.BAD_REQUEST, () -> backups.available(MEMBER, "vm-1", new PageRequest(2, "garbage")));
    }

    @Test
    void selectablePoliciesComeWithTheDatacentersSwitches() {
        VmBackupService.Selectable before = backups.selectable(MEMBER, "vm-1", PageRequest.first(2));
        assertEquals(2, before.policies().items().size());
        assertFalse(before.properties().multipleBackupPolicies() || before.properties().backupNow());
        properties.put(ADMIN, "dc1", () -> new PropertiesDraft(true, true, false, true), ExpectedVersion.of(0));
        VmBackupService.Selectable after = backups.selectable(MEMBER, "vm-1", PageRequest.first(2));
        assertTrue(after.properties().multipleBackupPolicies() && after.properties().backupNow() && after.properties().multipleRestore());
        refused(Problem.NOT_FOUND, () -> backups.selectable(OTHER_TENANT, "vm-1", PageRequest.first(2)));
    }
}
