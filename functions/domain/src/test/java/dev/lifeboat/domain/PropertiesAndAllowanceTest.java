package dev.lifeboat.domain;

import static dev.lifeboat.domain.BackupManagerServiceTest.fields;
import static dev.lifeboat.domain.BackupManagerServiceTest.refused;
import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.READER;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.allowance.AllowanceService;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemoryConfigStore;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropertiesAndAllowanceTest {
    final InMemoryConfigStore store = new InMemoryConfigStore();
    final BackupPropertiesService properties = new BackupPropertiesService(store, CLOCK);
    final BackupPolicyService policies = new BackupPolicyService(store, store, CLOCK, Fixtures.sequentialIds());
    final AllowanceService allowances = new AllowanceService(store, store);

    @Test
    void propertiesDefaultToOffAtVersionZero() {
        var p = properties.get(READER, "dc1");
        assertFalse(p.multipleRestore() || p.multipleBackupPolicies() || p.updateWhenDeployed() || p.backupNow());
        assertEquals(0, p.version());
        assertNull(p.updatedAt());
    }

    @Test
    void propertiesNeedAllFourSwitches() {
        var e = refused(Problem.VALIDATION_FAILED, () -> properties.put(ADMIN, "dc1", () -> new PropertiesDraft(true, null, false, null), ExpectedVersion.ANY));
        assertEquals(List.of("multipleBackupPolicies", "backupNow"), fields(e));
        var saved = properties.put(ADMIN, "dc1", () -> new PropertiesDraft(true, false, true, false), ExpectedVersion.of(0));
        assertEquals(1, saved.version());
        assertTrue(properties.get(READER, "dc1").updateWhenDeployed());
        refused(Problem.PRECONDITION_FAILED, () -> properties.put(ADMIN, "dc1", () -> new PropertiesDraft(true, true, true, true), ExpectedVersion.of(0)));
        refused(Problem.FORBIDDEN, () -> properties.put(READER, "dc1", () -> new PropertiesDraft(true, true, true, true), ExpectedVersion.ANY));
        refused(Problem.FORBIDDEN, () -> properties.get(TENANT, "dc1"));
    }

    @Test
    void allowanceOfKnownPoliciesOnly() {
        String gold = policies.create(ADMIN, "dc1", () -> policy("GOLD", daily(null))).id();
        String other = policies.create(ADMIN, "dc2", () -> policy("GOLD", daily(null))).id();
        assertEquals(List.of(), allowances.get(READER, "ent-2", "dc1").policyIds());
        var e = refused(Problem.VALIDATION_FAILED, () -> allowances.put(ADMIN, "ent-2", "dc1",
                () -> List.of(gold, other, "not-an-id", gold), ExpectedVersion.ANY));
        assertEquals(List.of("policyIds[1]", "policyIds[2]", "policyIds[3]"), fields(e));
        var saved = allowances.put(ADMIN, "ent-2", "dc1", () -> List.of(gold), ExpectedVersion.of(0));
        assertEquals(1, saved.version());
        assertEquals(List.of(gold), allowances.get(new Caller("u", "ent-2", EnumSet.noneOf(Privilege.class)), "ent-2", "dc1").policyIds());
        refused(Problem.FORBIDDEN, () -> allowances.get(TENANT, "ent-2", "dc1"));
        refused(Problem.FORBIDDEN, () -> allowances.put(READER, "ent-2", "dc1", () -> List.of(), ExpectedVersion.ANY));
        refused(Problem.PRECONDITION_FAILED, () -> allowances.put(ADMIN, "ent-2", "dc1", () -> List.of(), ExpectedVersion.of(0)));
    }

    @Test
    void deletedPolicyDisappearsFromAllowances() {
        String gold = policies.create(ADMIN, "dc1", () -> policy("GOLD", daily(null))).id();
        allowances.put(ADMIN, "ent-2", "dc1", () -> List.of(gold), ExpectedVersion.ANY);
        policies.delete(ADMIN, "dc1", gold, ExpectedVersion.ANY);
        assertEquals(List.of(), allowances.get(READER, "ent-2", "dc1").policyIds());
    }

    @Test
    void allowanceSizeIsBounded() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < AllowanceService.MAX_POLICIES + 1; i++) {
            many.add(String.format("01J%023d", i));
        }
        assertEquals(List.of("policyIds"), fields(refused(Problem.VALIDATION_FAILED,
                () -> allowances.put(ADMIN, "ent-2", "dc1", () -> many, ExpectedVersion.ANY))));
        assertEquals(List.of("policyIds"), fields(refused(Problem.VALIDATION_FAILED,
                () -> allowances.put(ADMIN, "ent-2", "dc1", () -> null, ExpectedVersion.ANY))));
    }
}
