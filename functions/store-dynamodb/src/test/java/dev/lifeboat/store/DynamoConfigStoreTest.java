package dev.lifeboat.store;

import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.config;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.allowance.AllowanceService;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
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
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

@ExtendWith(Dynalite.class)
class DynamoConfigStoreTest {
    static final AtomicInteger TABLES = new AtomicInteger();
    DynamoDbClient dynamo;
    String table;
    DynamoConfigStore store;
    BackupPolicyService policies;
    BackupManagerService managers;

    @BeforeEach
    void createTable(URI endpoint) {
        dynamo = DynamoClients.forEndpoint(endpoint);
        table = "config-" + TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        store = new DynamoConfigStore(dynamo, table);
        policies = new BackupPolicyService(store, store, CLOCK, new Ids(CLOCK));
        managers = new BackupManagerService(store, new InMemorySecretStore(), m -> null, CLOCK, new Ids(CLOCK), "#", "lifeboat/test");
    }

    @AfterEach
    void close() {
        dynamo.close();
    }

    BackupPolicy create(String code) {
        return policies.create(ADMIN, "dc1", () -> policy(code, daily("01:02:03 +0400")));
    }

    /** What the VM registry will do when VMs select a policy. */
    void setVmCount(BackupPolicy p, long count) {
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(Keys.policy("dc1", p.id()))
                .updateExpression("SET vmCount = :n").expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(count)))).build());
    }

    @Test
    void policyRoundTripsWithEveryKindOfField() {
        BackupPolicy created = policies.create(ADMIN, "dc1", () -> new dev.lifeboat.domain.policy.PolicyDraft("Gold", "GOLD", "", List.of(
                config("DEFINED_HOUR", Map.of("dateTime", "2027/12/24 22:30:00 +0100")),
                config("HOURLY", Map.of("hours", "DEFINE_IN_VM")),
                config("WEEKLY_PLANNED", Map.of("days", List.of("sunday", "Monday"), "time", "22:00:00 Europe/Madrid")),
                config("MONTHLY", Map.of()))));
        BackupPolicy read = store.findPolicy("dc1", created.id()).orElseThrow();
        assertEquals(created, read);
        assertEquals(1, store.findUsage("dc1").definedHourPolicies());
    }

    @Test
    void twoConcurrentCreatesOfTheSameCodeExactlyOneWins() throws Exception {
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            String spelling = i % 2 == 0 ? "SAME" : "same";
            results.add(pool.submit((Callable<String>) () -> {
                start.await();
                try {
                    return policies.create(ADMIN, "dc1", () -> policy(spelling, daily(null))).id();
                } catch (DomainException e) {
                    return e.problem().name();
                }
            }));
        }
        start.countDown();
        List<String> outcomes = new ArrayList<>();
        for (Future<String> f : results) outcomes.add(f.get());
        pool.shutdown();
        assertEquals(1, outcomes.stream().filter(Ids::looksLikeId).count(), outcomes.toString());
        assertEquals(racers - 1, outcomes.stream().filter("CONFLICT"::equals).count(), outcomes.toString());
        assertEquals(1, policies.list(ADMIN, "dc1", PageRequest.first(10)).items().size());
    }

    @Test
    void staleIfMatchIs412AndNothingChanges() {
        BackupPolicy p = create("GOLD");
        policies.update(ADMIN, "dc1", p.id(), () -> policy("GOLD", daily("02:00:00 +0000")), ExpectedVersion.of(1));
        var e = assertThrows(DomainException.class,
                () -> policies.update(ADMIN, "dc1", p.id(), () -> policy("GOLD", daily("03:00:00 +0000")), ExpectedVersion.of(1)));
        assertEquals(Problem.PRECONDITION_FAILED, e.problem());
        assertEquals("02:00:00 +0000", store.findPolicy("dc1", p.id()).orElseThrow().configurations().get(0).field("time").value());
    }

    @Test
    void storeRefusesAStaleWriteEvenWhenTheServiceReadFresh() {
        BackupPolicy p = create("GOLD");
        BackupPolicy next = new BackupPolicy(p.datacenter(), p.id(), "x", "GOLD", "", p.configurations(), false, 2, p.createdAt(), p.updatedAt());
        store.updatePolicy(p, next);
        var conflict = assertThrows(dev.lifeboat.domain.common.StoreConflict.class, () -> store.updatePolicy(p, next));
        assertEquals(dev.lifeboat.domain.common.StoreConflict.Reason.VERSION_MISMATCH, conflict.reason());
    }

    @Test
    void renameFreesTheOldCode() {
        BackupPolicy p = create("GOLD");
        create("SILVER");
        assertThrows(DomainException.class, () -> policies.update(ADMIN, "dc1", p.id(), () -> policy("silver", daily(null)), ExpectedVersion.ANY));
        policies.update(ADMIN, "dc1", p.id(), () -> policy("PLATINUM", daily(null)), ExpectedVersion.ANY);
        assertTrue(store.findPolicyIdByCode("dc1", "gold").isEmpty());
        assertEquals(p.id(), store.findPolicyIdByCode("dc1", "platinum").orElseThrow());
        assertEquals("GOLD", create("Gold".toUpperCase()).code());
        // A change of letter case keeps the guard and the code in step.
        policies.update(ADMIN, "dc1", p.id(), () -> policy("Platinum", daily(null)), ExpectedVersion.ANY);
        assertEquals("Platinum", store.findPolicy("dc1", p.id()).orElseThrow().code());
        assertThrows(DomainException.class, () -> create("PLATINUM"));
    }

    @Test
    void inUseRuleIsEnforcedByTheStoreToo() {
        BackupPolicy p = create("GOLD");
        setVmCount(p, 2);
        BackupPolicy read = store.findPolicy("dc1", p.id()).orElseThrow();
        assertTrue(read.inUse());
        var conflict = assertThrows(dev.lifeboat.domain.common.StoreConflict.class, () -> store.updatePolicy(p,
                new BackupPolicy(p.datacenter(), p.id(), p.name(), p.code(), p.description(),
                        List.of(new dev.lifeboat.domain.schedule.BackupConfiguration(dev.lifeboat.domain.schedule.Subtype.MONTHLY, Map.of())),
                        false, 2, p.createdAt(), p.updatedAt())));
        assertEquals(dev.lifeboat.domain.common.StoreConflict.Reason.POLICY_IN_USE, conflict.reason());
        assertEquals(Problem.CONFLICT, assertThrows(DomainException.class, () -> policies.delete(ADMIN, "dc1", p.id(), ExpectedVersion.ANY)).problem());
        policies.update(ADMIN, "dc1", p.id(), () -> policy("GOLDEN", daily("01:02:03 +0400")), ExpectedVersion.ANY);
        setVmCount(p, 0);
        policies.delete(ADMIN, "dc1", p.id(), ExpectedVersion.ANY);
        assertTrue(store.findPolicy("dc1", p.id()).isEmpty());
        assertTrue(store.findPolicyIdByCode("dc1", "GOLDEN").isEmpty(), "deleting frees the code");
    }

    @Test
    void veeamAndDefinedHourExcludeEachOtherInBothDirections() {
        BackupPolicy once = policies.create(ADMIN, "dc1", () -> policy("ONCE", config("DEFINED_HOUR", Map.of("dateTime", "DEFINE_IN_VM"))));
        var e = assertThrows(DomainException.class, () -> managers.put(ADMIN, "dc1",
                () -> new ManagerDraft("v", "VEEAM", "https://v/api", "u", new Secret("p")), ExpectedVersion.ANY));
        assertEquals(Problem.CONFLICT, e.problem());
        policies.update(ADMIN, "dc1", once.id(), () -> policy("ONCE", daily(null)), ExpectedVersion.ANY);
        assertEquals(0, store.findUsage("dc1").definedHourPolicies());
        managers.put(ADMIN, "dc1", () -> new ManagerDraft("v", "VEEAM", "https://v/api", "u", new Secret("p")), ExpectedVersion.ANY);
        // The store's own condition catches a DEFINED_HOUR policy that slipped past the service's read.
        BackupPolicy sneaky = new BackupPolicy("dc1", new Ids(CLOCK).get(), "s", "SNEAKY", "",
                List.of(new dev.lifeboat.domain.schedule.BackupConfiguration(dev.lifeboat.domain.schedule.Subtype.DEFINED_HOUR, Map.of())),
                false, 1, CLOCK.instant(), CLOCK.instant());
        var conflict = assertThrows(dev.lifeboat.domain.common.StoreConflict.class, () -> store.createPolicy(sneaky, null));
        assertEquals(dev.lifeboat.domain.common.StoreConflict.Reason.MANAGER_IS_VEEAM, conflict.reason());
        assertTrue(store.findPolicyIdByCode("dc1", "SNEAKY").isEmpty(), "a cancelled transaction writes nothing");
    }

    @Test
    void managerDeleteRefusedWhileVmsAreConfigured() {
        managers.put(ADMIN, "dc1", () -> new ManagerDraft("v", "VMWARE_SNAPSHOT", "https://vc/sdk", "u", new Secret("p")), ExpectedVersion.ANY);
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(Keys.usage("dc1"))
                .updateExpression("ADD configuredVms :one").expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build());
        var conflict = assertThrows(dev.lifeboat.domain.common.StoreConflict.class, () -> store.deleteManager("dc1", 1));
        assertEquals(dev.lifeboat.domain.common.StoreConflict.Reason.VMS_CONFIGURED, conflict.reason());
        assertTrue(store.findManager("dc1").isPresent());
    }

    @Test
    void listsPageWithCursorsAndNoEmptyLastPage() {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            codes.add(create("P" + i).code());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = policies.list(ADMIN, "dc1", new PageRequest(3, cursor));
            page.items().forEach(p -> seen.add(p.code()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertEquals(codes, seen);
        assertEquals(3, pages);
        var exact = policies.list(ADMIN, "dc1", PageRequest.first(7));
        assertNull(exact.nextCursor());
        assertEquals(Problem.BAD_REQUEST, assertThrows(DomainException.class,
                () -> policies.list(ADMIN, "dc1", new PageRequest(3, "garbage"))).problem());
    }

    @Test
    void allowancesFollowPolicies() {
        AllowanceService allowances = new AllowanceService(store, store);
        BackupPolicy gold = create("GOLD");
        BackupPolicy silver = create("SILVER");
        assertEquals(List.of(gold.id(), silver.id()), store.findAllowance("ent-admin", "dc1").policyIds());
        assertEquals(2, store.findAllowance("ent-admin", "dc1").version());
        allowances.put(ADMIN, "ent-2", "dc1", () -> List.of(silver.id(), gold.id()), ExpectedVersion.of(0));
        policies.delete(ADMIN, "dc1", gold.id(), ExpectedVersion.ANY);
        assertEquals(List.of(silver.id()), allowances.get(ADMIN, "ent-2", "dc1").policyIds());
        assertEquals(Problem.PRECONDITION_FAILED, assertThrows(DomainException.class,
                () -> allowances.put(ADMIN, "ent-2", "dc1", () -> List.of(), ExpectedVersion.of(0))).problem());
    }

    @Test
    void propertiesVersioned() {
        BackupPropertiesService properties = new BackupPropertiesService(store, CLOCK);
        assertEquals(0, properties.get(ADMIN, "dc1").version());
        properties.put(ADMIN, "dc1", () -> new PropertiesDraft(true, true, false, false), ExpectedVersion.ANY);
        properties.put(ADMIN, "dc1", () -> new PropertiesDraft(true, true, false, true), ExpectedVersion.of(1));
        var read = properties.get(ADMIN, "dc1");
        assertEquals(2, read.version());
        assertTrue(read.backupNow());
        assertFalse(read.updateWhenDeployed());
    }
}
