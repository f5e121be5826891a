package dev.lifeboat.domain;

import static dev.lifeboat.domain.BackupManagerServiceTest.fields;
import static dev.lifeboat.domain.BackupManagerServiceTest.refused;
import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.READER;
import static dev.lifeboat.domain.fakes.Fixtures.config;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemoryConfigStore;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.policy.PolicyDraft;
import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import dev.lifeboat.domain.secret.Secret;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupPolicyServiceTest {
    final InMemoryConfigStore store = new InMemoryConfigStore();
    final BackupPolicyService policies = new BackupPolicyService(store, store, CLOCK, Fixtures.sequentialIds());
    final BackupManagerService managers = new BackupManagerService(store, new InMemorySecretStore(), m -> null, CLOCK,
            Fixtures.sequentialIds(), "#", "lifeboat/test");

    BackupPolicy create(PolicyDraft draft) {
        return policies.create(ADMIN, "dc1", () -> draft);
    }

    @Test
    void everySubtypeWithFixedValuesIsCanonicalised() {
        BackupPolicy p = create(new PolicyDraft("Gold", "GOLD", null, List.of(
                config("DEFINED_HOUR", Map.of("dateTime", "2027/12/24 22:30:00 +0100")),
                config("HOURLY", Map.of("hours", "6")),
                daily("01:02:03 +0400"),
                config("WEEKLY_PLANNED", Map.of("days", List.of("Friday", "MONDAY"), "time", "22:00:00 Europe/Madrid")),
                config("MONTHLY", Map.of()))));
        assertEquals(1, p.version());
        assertEquals("", p.description());
        assertFalse(p.inUse());
        var configs = p.configurations();
        assertEquals(Setting.fixed("6"), configs.get(1).field("hours"));
        assertEquals(Setting.fixedDays(List.of("monday", "friday")), configs.get(3).field("days"));
        assertEquals(Setting.NOT_APPLY, configs.get(4).field("time"), "an absent field means NOT_APPLY");
        assertEquals(List.of("days", "time"), List.copyOf(configs.get(3).fields().keySet()));
    }

    @Test
    void modesAreAcceptedForEveryField() {
        BackupPolicy p = create(policy("FLEX", config("WEEKLY_PLANNED", Map.of("days", "DEFINE_IN_VM", "time", "NOT_APPLY")),
                config("HOURLY", Map.of("hours", "DEFINE_IN_VM"))));
        assertEquals(Setting.DEFINE_IN_VM, p.configurations().get(0).field("days"));
        assertEquals(Setting.NOT_APPLY, p.configurations().get(0).field("time"));
        assertEquals(Setting.DEFINE_IN_VM, p.configurations().get(1).field("hours"));
    }

    @Test
    void badValuesAre422WithEveryField() {
        var e = refused(Problem.VALIDATION_FAILED, () -> create(new PolicyDraft("", "bad code!", "d".repeat(1025), List.of(
                config("DEFINED_HOUR", Map.of("dateTime", "2020/01/01 00:00:00 +0000")),
                config("HOURLY", Map.of("hours", "24")),
                daily("1:02:03 +0400"),
                config("WEEKLY_PLANNED", Map.of("days", List.of("monday", "monday"), "time", "01:02:03 Nowhere/City")),
                config("MONTHLY", Map.of("time", "01:02:03 +0400", "days", List.of("monday")))))));
        assertEquals(List.of("name", "code", "description", "backupConfigurations[0].dateTime", "backupConfigurations[1].hours",
                "backupConfigurations[2].time", "backupConfigurations[3].days", "backupConfigurations[3].time",
                "backupConfigurations[4].days"), fields(e));
        assertEquals(0, store.writes);
    }

    @Test
    void structureOfConfigurations() {
        assertEquals(List.of("backupConfigurations"), fields(refused(Problem.VALIDATION_FAILED, () -> create(policy("A")))));
        assertEquals(List.of("backupConfigurations"), fields(refused(Problem.VALIDATION_FAILED,
                () -> create(new PolicyDraft("n", "A", null, null)))));
        assertEquals(List.of("backupConfigurations[1].subtype"), fields(refused(Problem.VALIDATION_FAILED,
                () -> create(policy("A", daily("01:00:00 +0000"), daily("02:00:00 +0000"))))));
        assertEquals(List.of("backupConfigurations[0].subtype"), fields(refused(Problem.VALIDATION_FAILED,
                () -> create(policy("A", config("YEARLY", Map.of()))))));
        assertEquals(List.of("backupConfigurations[0].type"), fields(refused(Problem.VALIDATION_FAILED,
                () -> create(policy("A", new PolicyDraft.ConfigurationDraft("INCREMENTAL", "DAILY", Map.of()))))));
        var six = new PolicyDraft.ConfigurationDraft[6];
        Arrays.fill(six, daily(null));
        refused(Problem.VALIDATION_FAILED, () -> create(policy("A", six)));
    }

    @Test
    void wrongJsonKindsAre400() {
        var e = refused(Problem.BAD_REQUEST, () -> create(policy("A", daily(5L), config("HOURLY", Map.of("hours", List.of("1"))))));
        assertEquals(List.of("backupConfigurations[0].time", "backupConfigurations[1].hours"), fields(e));
        var number = refused(Problem.BAD_REQUEST, () -> create(policy("A", config("HOURLY", Map.of("hours", 6L)))));
        assertEquals(List.of("backupConfigurations[0].hours"), fields(number), "hours is a string (\"6\"), as the contract says");
    }

    @Test
    void codeIsUniqueIgnoringCaseAlsoOnRename() {
        BackupPolicy gold = create(policy("GOLD", daily(null)));
        BackupPolicy silver = create(policy("SILVER", daily(null)));
        refused(Problem.CONFLICT, () -> create(policy("gold", daily(null))));
        refused(Problem.CONFLICT, () -> policies.update(ADMIN, "dc1", silver.id(), () -> policy("Gold", daily(null)), ExpectedVersion.ANY));
        // Renaming frees the old code.
        policies.update(ADMIN, "dc1", gold.id(), () -> policy("PLATINUM", daily(null)), ExpectedVersion.ANY);
        assertEquals("GOLD", create(policy("GOLD", daily(null))).code());
        // The same code in another letter case is a rename of the policy itself, not a clash.
        assertEquals("silver", policies.update(ADMIN, "dc1", silver.id(), () -> policy("silver", daily(null)), ExpectedVersion.ANY).code());
        // Another datacenter has its own codes.
        assertEquals("GOLD", policies.create(ADMIN, "dc2", () -> policy("GOLD", daily(null))).code());
    }

    @Test
    void definedHourRefusedForVeeam() {
        managers.put(ADMIN, "dc1", () -> new ManagerDraft("v", "VEEAM", "https://v/api", "u", new Secret("p")), ExpectedVersion.ANY);
        var e = refused(Problem.VALIDATION_FAILED, () -> create(policy("ONCE", daily(null),
                config("DEFINED_HOUR", Map.of("dateTime", "2027/12/24 22:30:00 +0100")))));
        assertEquals(List.of("backupConfigurations[1].subtype"), fields(e));
        BackupPolicy daily = create(policy("D", daily(null)));
        refused(Problem.VALIDATION_FAILED, () -> policies.update(ADMIN, "dc1", daily.id(),
                () -> policy("D", config("DEFINED_HOUR", Map.of("dateTime", "NOT_APPLY"))), ExpectedVersion.ANY));
    }

    @Test
    void inUsePolicyOnlyChangesNameCodeAndDescription() {
        BackupPolicy p = create(policy("GOLD", daily("01:00:00 +0000")));
        store.setVmsSelecting("dc1", p.id(), 1);
        assertTrue(policies.get(ADMIN, "dc1", p.id()).inUse());
        BackupPolicy renamed = policies.update(ADMIN, "dc1", p.id(),
                () -> new PolicyDraft("Golden", "GOLDEN", "now with a description", List.of(daily("01:00:00 +0000"))), ExpectedVersion.of(1));
        assertEquals(2, renamed.version());
        refused(Problem.CONFLICT, () -> policies.update(ADMIN, "dc1", p.id(), () -> policy("GOLDEN", daily("02:00:00 +0000")), ExpectedVersion.ANY));
        refused(Problem.CONFLICT, () -> policies.delete(ADMIN, "dc1", p.id(), ExpectedVersion.ANY));
        store.setVmsSelecting("dc1", p.id(), 0);
        policies.delete(ADMIN, "dc1", p.id(), ExpectedVersion.of(2));
        refused(Problem.NOT_FOUND, () -> policies.get(ADMIN, "dc1", p.id()));
    }

    @Test
    void identicalPutChangesNothing() {
        BackupPolicy p = create(policy("GOLD", daily("01:00:00 +0000")));
        int writes = store.writes;
        BackupPolicy same = policies.update(ADMIN, "dc1", p.id(), () -> policy("GOLD", daily("01:00:00 +0000")), ExpectedVersion.ANY);
        assertEquals(1, same.version());
        assertEquals(writes, store.writes);
    }

    @Test
    void staleVersionIs412AfterConflicts() {
        BackupPolicy p = create(policy("GOLD", daily(null)));
        create(policy("SILVER", daily(null)));
        refused(Problem.PRECONDITION_FAILED, () -> policies.update(ADMIN, "dc1", p.id(), () -> policy("GOLD2", daily(null)), ExpectedVersion.of(2)));
        refused(Problem.CONFLICT, () -> policies.update(ADMIN, "dc1", p.id(), () -> policy("SILVER", daily(null)), ExpectedVersion.of(2)));
        refused(Problem.PRECONDITION_FAILED, () -> policies.delete(ADMIN, "dc1", p.id(), ExpectedVersion.of(2)));
    }

    @Test
    void creatorsEnterpriseIsAllowedTheNewPolicy() {
        BackupPolicy p = create(policy("GOLD", daily(null)));
        assertEquals(List.of(p.id()), store.findAllowance("ent-admin", "dc1").policyIds());
    }

    @Test
    void listPagesOldestFirst() {
        for (int i = 0; i < 5; i++) {
            create(policy("P" + i, daily(null)));
        }
        var first = policies.list(READER, "dc1", PageRequest.first(2));
        assertEquals(List.of("P0", "P1"), first.items().stream().map(BackupPolicy::code).toList());
        var last = policies.list(READER, "dc1", new PageRequest(10, first.nextCursor()));
        assertEquals(List.of("P2", "P3", "P4"), last.items().stream().map(BackupPolicy::code).toList());
        assertNull(last.nextCursor());
    }

    @Test
    void privilegesComeAfterExistence() {
        refused(Problem.NOT_FOUND, () -> policies.get(Fixtures.TENANT, "dc1", "01J00000000000000000000099"));
        BackupPolicy p = create(policy("GOLD", daily(null)));
        refused(Problem.FORBIDDEN, () -> policies.get(Fixtures.TENANT, "dc1", p.id()));
        refused(Problem.FORBIDDEN, () -> policies.list(Fixtures.TENANT, "dc1", PageRequest.first(5)));
        refused(Problem.FORBIDDEN, () -> policies.create(READER, "dc1", () -> { throw new AssertionError("body read too early"); }));
        refused(Problem.FORBIDDEN, () -> policies.update(READER, "dc1", p.id(), () -> policy("X", daily(null)), ExpectedVersion.ANY));
        refused(Problem.FORBIDDEN, () -> policies.delete(READER, "dc1", p.id(), ExpectedVersion.ANY));
        refused(Problem.NOT_FOUND, () -> policies.delete(ADMIN, "dc2", p.id(), ExpectedVersion.ANY));
    }

    @Test
    void aPassedMomentStaysValidForRenamesButNotForNewValues() {
        var later = new dev.lifeboat.domain.fakes.MutableClock(Fixtures.NOW);
        BackupPolicyService service = new BackupPolicyService(store, store, later, Fixtures.sequentialIds());
        BackupPolicy once = service.create(ADMIN, "dc1", () -> policy("ONCE", config("DEFINED_HOUR", Map.of("dateTime", "2026/12/24 22:30:00 +0100"))));
        store.setVmsSelecting("dc1", once.id(), 1);
        later.set(java.time.Instant.parse("2027-01-15T00:00:00Z"));
        BackupPolicy renamed = service.update(ADMIN, "dc1", once.id(),
                () -> policy("ONCE-2026", config("DEFINED_HOUR", Map.of("dateTime", "2026/12/24 22:30:00 +0100"))), ExpectedVersion.ANY);
        assertEquals("ONCE-2026", renamed.code());
        store.setVmsSelecting("dc1", once.id(), 0);
        var e = refused(Problem.VALIDATION_FAILED, () -> service.update(ADMIN, "dc1", once.id(),
                () -> policy("ONCE-2026", config("DEFINED_HOUR", Map.of("dateTime", "2026/12/25 22:30:00 +0100"))), ExpectedVersion.ANY));
        assertEquals(List.of("backupConfigurations[0].dateTime"), fields(e));
        refused(Problem.VALIDATION_FAILED, () -> service.create(ADMIN, "dc1",
                () -> policy("AGAIN", config("DEFINED_HOUR", Map.of("dateTime", "2026/12/24 22:30:00 +0100")))));
    }

    @Test
    void nullFieldMeansNotApply() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("time", null);
        BackupPolicy p = create(policy("N", config("DAILY", fields)));
        assertSame(Setting.NOT_APPLY, p.configurations().get(0).field("time"));
        assertEquals(Subtype.DAILY, p.configurations().get(0).subtype());
    }
}
