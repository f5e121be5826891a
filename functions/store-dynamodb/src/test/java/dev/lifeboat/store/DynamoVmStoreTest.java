package dev.lifeboat.store;

import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.CLOUD_ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.config;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static dev.lifeboat.domain.fakes.Fixtures.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.fakes.RecordingWorkflow;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.vm.ApplyAction;
import dev.lifeboat.domain.vm.BackupConfigDraft;
import dev.lifeboat.domain.vm.BackupConfigDraft.Selection;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupConfig;
import dev.lifeboat.domain.vm.VmBackupService;
import dev.lifeboat.domain.vm.VmState;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@ExtendWith(Dynalite.class)
class DynamoVmStoreTest {
    static final AtomicInteger TABLES = new AtomicInteger();
    DynamoDbClient dynamo;
    String table;
    DynamoConfigStore config;
    DynamoVmStore vms;
    RecordingWorkflow workflow = new RecordingWorkflow();
    BackupPolicyService policies;
    VirtualMachineService registry;
    VmBackupService backups;

    @BeforeEach
    void createTable(URI endpoint) {
        dynamo = DynamoClients.forEndpoint(endpoint);
        table = "vms-" + TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        config = new DynamoConfigStore(dynamo, table);
        vms = new DynamoVmStore(dynamo, table);
        policies = new BackupPolicyService(config, config, CLOCK, new Ids(CLOCK));
        registry = new VirtualMachineService(vms, workflow, CLOCK);
        backups = new VmBackupService(vms, config, config, config, workflow, CLOCK);
    }

    @AfterEach
    void close() {
        dynamo.close();
    }

    BackupPolicy allowed(String code) {
        BackupPolicy p = policies.create(ADMIN, "dc1", () -> policy(code, daily("01:02:03 +0400")));
        Allowance a = config.findAllowance("ent-1", "dc1");
        List<String> ids = new ArrayList<>(a.policyIds());
        ids.add(p.id());
        config.saveAllowance(new Allowance("ent-1", "dc1", ids, a.version() + 1), a.version());
        return p;
    }

    VirtualMachine registered(String id) {
        return registry.register(TENANT, id, () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.ANY).value();
    }

    VmBackupService.Change select(String vm, BackupPolicy... selected) {
        List<Selection> s = new ArrayList<>();
        for (BackupPolicy p : selected) s.add(new Selection(p.id(), null));
        return backups.put(TENANT, vm, () -> new BackupConfigDraft(s), ExpectedVersion.ANY);
    }

    long vmCount(BackupPolicy p) {
        return Attr.n(dynamo.getItem(b -> b.tableName(table).key(Keys.policy("dc1", p.id())).consistentRead(true)).item(), "vmCount");
    }

    List<String> vmsUsing(BackupPolicy p) {
        return dynamo.query(b -> b.tableName(table).keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("DC#dc1"), ":prefix", AttributeValue.fromS("POLICYUSE#" + p.id() + "#"))))
                .items().stream().map(i -> Attr.s(i, "vm")).toList();
    }

    @Test
    void aVmWithEveryFieldRoundTrips() {
        BackupPolicy flex = policies.create(ADMIN, "dc1", () -> policy("FLEX",
                config("WEEKLY_PLANNED", Map.of("days", "DEFINE_IN_VM", "time", "DEFINE_IN_VM")), daily("NOT_APPLY")));
        BackupPolicy plain = policies.create(ADMIN, "dc1", () -> policy("PLAIN", daily("01:00:00 +0000")));
        Instant t = Instant.parse("2026-11-27T08:00:00Z");
        VirtualMachine v = new VirtualMachine("vm:1.a_b-c", "ent-1", "dc1", "web", VmState.DEPLOYED, new Hypervisor("vc", "vm-42", null), 3, t, t,
                new VmBackupConfig(
                        List.of(new PolicySelection(flex.id(), Map.of(Subtype.WEEKLY_PLANNED, Map.of(
                                "days", Setting.fixedDays(List.of("monday", "friday")), "time", Setting.fixed("22:00:00 Europe/Madrid"))))),
                        List.of(PolicySelection.of(plain.id())),
                        ConfigStatus.PENDING, ApplyAction.APPLY, new ErrorInfo("E", "earlier"), 4, t));
        vms.saveVm(null, v, Map.of());
        assertEquals(v, vms.findVm("vm:1.a_b-c").orElseThrow());
        assertEquals(1, vmCount(flex));
        assertEquals(1, vmCount(plain), "the pending change's previous policy is in use too");
        assertEquals(1, config.findUsage("dc1").configuredVms());
        assertThrows(StoreConflict.class, () -> vms.saveVm(null, v, Map.of()));
    }

    @Test
    void theReverseIndexFollowsSelectionsAndDecidesInUse() {
        BackupPolicy gold = allowed("GOLD");
        BackupPolicy silver = allowed("SILVER");
        registered("vm-1");
        registered("vm-2");
        select("vm-1", gold);
        select("vm-2", gold);
        assertEquals(List.of("vm-1", "vm-2"), vmsUsing(gold));
        assertEquals(2, vmCount(gold));
        assertTrue(config.findPolicy("dc1", gold.id()).orElseThrow().inUse());
        assertEquals(2, config.findUsage("dc1").configuredVms());
        var schedules = assertThrows(DomainException.class,
                () -> policies.update(ADMIN, "dc1", gold.id(), () -> policy("GOLD", daily("09:00:00 +0000")), ExpectedVersion.ANY));
        assertEquals(Problem.CONFLICT, schedules.problem());
        assertEquals("Gold-renamed", policies.update(ADMIN, "dc1", gold.id(),
                () -> new dev.lifeboat.domain.policy.PolicyDraft("Gold-renamed", "GOLD2", "", List.of(daily("01:02:03 +0400"))), ExpectedVersion.ANY).name());

        select("vm-1", silver);
        assertEquals(List.of("vm-2"), vmsUsing(gold));
        assertEquals(List.of("vm-1"), vmsUsing(silver));
        select("vm-2");
        assertEquals(List.of(), vmsUsing(gold));
        assertEquals(0, vmCount(gold));
        assertFalse(config.findPolicy("dc1", gold.id()).orElseThrow().inUse());
        assertEquals(1, config.findUsage("dc1").configuredVms());
        policies.delete(ADMIN, "dc1", gold.id(), ExpectedVersion.ANY);
    }

    @Test
    void theManagerStaysWhileAnyVmIsConfigured() {
        BackupManagerService managers = new BackupManagerService(config, new InMemorySecretStore(), m -> null, CLOCK, new Ids(CLOCK), "#", "lifeboat/test");
        managers.put(ADMIN, "dc1", () -> new ManagerDraft("vc", "VMWARE_SNAPSHOT", "https://vc/sdk", "u", new Secret("p")), ExpectedVersion.ANY);
        BackupPolicy gold = allowed("GOLD");
        registered("vm-1");
        select("vm-1", gold);
        var e = assertThrows(DomainException.class, () -> managers.delete(ADMIN, "dc1", ExpectedVersion.ANY));
        assertEquals(Problem.CONFLICT, e.problem());
        select("vm-1");
        managers.delete(ADMIN, "dc1", ExpectedVersion.ANY);
    }

    @Test
    void aPolicyChangedSinceValidationIsNotSelected() {
        BackupPolicy gold = allowed("GOLD");
        VirtualMachine v = registered("vm-1");
        VirtualMachine next = v.withBackup(new VmBackupConfig(List.of(PolicySelection.of(gold.id())), List.of(), ConfigStatus.APPLIED,
                null, null, 1, v.updatedAt()));
        var conflict = assertThrows(StoreConflict.class, () -> vms.saveVm(v, next, Map.of(gold.id(), gold.version() + 1)));
        assertEquals(StoreConflict.Reason.VERSION_MISMATCH, conflict.reason());
        assertEquals(0, vmCount(gold), "nothing of the transaction was written");
        assertEquals(0, vms.findVm("vm-1").orElseThrow().backup().version());
        vms.saveVm(v, next, Map.of(gold.id(), gold.version()));
        assertEquals(1, vmCount(gold));
    }

    @Test
    void concurrentChangesOfOneVmLoseNoUpdateAndKeepCountsExact() throws Exception {
        properties(true);
        List<BackupPolicy> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) all.add(allowed("P" + i));
        registered("vm-1");
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<VmBackupService.Change>> results = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                BackupPolicy[] choice = w % 2 == 0 ? new BackupPolicy[] {all.get(w % 4)} : new BackupPolicy[] {all.get(w % 4), all.get((w + 1) % 4)};
                Callable<VmBackupService.Change> task = () -> {
                    start.await();
                    return select("vm-1", choice);
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            int done = 0;
            for (Future<VmBackupService.Change> f : results) {
                try {
                    f.get();
                    done++;
                } catch (java.util.concurrent.ExecutionException e) {
                    // Without If-Match a lost race is retried a few times; under heavy contention the last answer is 412.
                    DomainException refusal = (DomainException) e.getCause();
                    assertEquals(Problem.PRECONDITION_FAILED, refusal.problem());
                }
            }
            VirtualMachine last = vms.findVm("vm-1").orElseThrow();
            assertTrue(done >= 1);
            assertTrue(last.backup().version() <= done, "every stored version is one accepted change: " + last.backup().version() + " vs " + done);
            for (BackupPolicy p : all) {
                boolean selected = last.backup().policiesInUse().contains(p.id());
                assertEquals(selected ? 1 : 0, vmCount(p), "VM count of " + p.code());
                assertEquals(selected ? List.of("vm-1") : List.of(), vmsUsing(p));
            }
            assertEquals(1, config.findUsage("dc1").configuredVms());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withIfMatchExactlyOneOfTwoConcurrentChangesWins() throws Exception {
        BackupPolicy gold = allowed("GOLD");
        BackupPolicy silver = allowed("SILVER");
        registered("vm-1");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> f = new ArrayList<>();
            for (BackupPolicy p : List.of(gold, silver)) {
                f.add(pool.submit(() -> {
                    start.await();
                    return backups.put(TENANT, "vm-1", () -> new BackupConfigDraft(List.of(new Selection(p.id(), null))), ExpectedVersion.of(0));
                }));
            }
            start.countDown();
            int won = 0;
            int stale = 0;
            for (Future<?> each : f) {
                try {
                    each.get();
                    won++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertEquals(Problem.PRECONDITION_FAILED, ((DomainException) e.getCause()).problem());
                    stale++;
                }
            }
            assertEquals(1, won);
            assertEquals(1, stale);
            VirtualMachine v = vms.findVm("vm-1").orElseThrow();
            assertEquals(1, v.backup().version());
            assertEquals(1, vmCount(gold) + vmCount(silver), "the loser left no index entry behind");
        } finally {
            pool.shutdownNow();
        }
    }

    void properties(boolean multiple) {
        new BackupPropertiesService(config, CLOCK).put(ADMIN, "dc1", () -> new PropertiesDraft(false, multiple, true, false), ExpectedVersion.ANY);
    }

    @Test
    void listsThroughTheEnterpriseAndTheAllVmsIndexesPageByPage() {
        for (String id : List.of("c", "a", "b")) {
            registry.register(CLOUD_ADMIN, id, () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        }
        registry.register(CLOUD_ADMIN, "z", () -> vm("ent-1", "dc0", "DEPLOYED"), ExpectedVersion.ANY);
        registry.register(CLOUD_ADMIN, "m", () -> vm("ent-2", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        assertEquals(List.of("z", "a", "b", "c"), all("ent-1", null, 2));
        assertEquals(List.of("a", "b", "c"), all("ent-1", "dc1", 1));
        assertEquals(List.of("z", "a", "b", "c", "m"), all(null, null, 2));
        assertEquals(List.of("a", "b", "c", "m"), all(null, "dc1", 3));
        assertEquals(List.of(), all("ent-9", null, 5));
        Page<VirtualMachine> exact = vms.listVms("ent-1", "dc1", PageRequest.first(3));
        assertNull(exact.nextCursor(), "a full last page has no next page");
        var foreign = assertThrows(DomainException.class, () -> vms.listVms(null, null, new PageRequest(2, "djEjZGMxIyNiYWQ")));
        assertEquals(Problem.BAD_REQUEST, foreign.problem());
    }

    List<String> all(String enterprise, String datacenter, int limit) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            Page<VirtualMachine> page = vms.listVms(enterprise, datacenter, new PageRequest(limit, cursor));
            page.items().forEach(v -> ids.add(v.id()));
            assertTrue(page.items().size() <= limit);
            assertTrue(page.nextCursor() == null || !page.items().isEmpty(), "no empty page before the end");
            cursor = page.nextCursor();
        } while (cursor != null);
        return ids;
    }

    @Test
    void pendingOutcomesAreRecordedInTheTable() {
        properties(false);
        BackupPolicy gold = allowed("GOLD");
        BackupPolicy silver = allowed("SILVER");
        registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        select("vm-1", gold);
        assertTrue(backups.recordApplied("vm-1", 1));
        select("vm-1", silver);
        assertEquals(1, vmCount(gold));
        assertTrue(backups.recordFailed("vm-1", 3, new ErrorInfo("REFUSED", "no such job")));
        VirtualMachine v = vms.findVm("vm-1").orElseThrow();
        assertEquals(ConfigStatus.FAILED, v.backup().status());
        assertEquals(List.of(PolicySelection.of(gold.id())), v.backup().policies());
        assertEquals(new ErrorInfo("REFUSED", "no such job"), v.backup().error());
        assertEquals(0, vmCount(silver));
        assertEquals(1, vmCount(gold));
        assertEquals(2, workflow.started.size());
    }
}
