package dev.lifeboat.domain.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which indexed partitions each caller reads for each filter combination; never everything for a tenant. */
class AuditServiceTest {
    static final Caller TENANT = new Caller("alice", "ent-1", Set.of(Privilege.VAPP_MANAGE_BACKUP));
    static final Caller DC_READER = new Caller("dora", "ent-9", EnumSet.of(Privilege.PHYS_DC_RETRIEVE_DETAILS));
    static final Caller ADMIN = new Caller("root", null, EnumSet.of(Privilege.ENTERPRISE_ADMINISTER_ALL));

    static List<AuditLog.Partition> plan(Caller c, String dc, String ent, String vm) {
        return AuditService.partitions(c, new AuditService.Filter(dc, ent, vm, null, null));
    }

    @Test
    void aTenantReadsOnlyItsEnterprise() {
        assertEquals(List.of(AuditLog.Partition.enterprise("ent-1")), plan(TENANT, null, null, null));
        assertEquals(List.of(AuditLog.Partition.datacenterEnterprise("dc1", "ent-1")), plan(TENANT, "dc1", null, null));
        assertEquals(List.of(AuditLog.Partition.vm("vm-1", "ent-1", null)), plan(TENANT, null, null, "vm-1"));
        assertThrows(DomainException.class, () -> plan(TENANT, null, "ent-2", null));
        assertEquals(List.of(), plan(new Caller("x", null, Set.of()), null, null, null), "no enterprise, no entries");
    }

    @Test
    void aDatacenterReaderAddsTheConfigurationEntries() {
        assertEquals(List.of(AuditLog.Partition.scope(AuditEntry.Scope.CONFIG), AuditLog.Partition.enterprise("ent-9")),
                plan(DC_READER, null, null, null));
        assertEquals(List.of(AuditLog.Partition.datacenter("dc1", AuditEntry.Scope.CONFIG), AuditLog.Partition.datacenterEnterprise("dc1", "ent-9")),
                plan(DC_READER, "dc1", null, null));
    }

    @Test
    void anAdministratorReadsEverythingThroughBothScopes() {
        assertEquals(List.of(AuditLog.Partition.scope(AuditEntry.Scope.CONFIG), AuditLog.Partition.scope(AuditEntry.Scope.TENANT)),
                plan(ADMIN, null, null, null));
        assertEquals(List.of(AuditLog.Partition.datacenter("dc1", AuditEntry.Scope.CONFIG), AuditLog.Partition.datacenter("dc1", AuditEntry.Scope.TENANT)),
                plan(ADMIN, "dc1", null, null));
        assertEquals(List.of(AuditLog.Partition.vm("vm-1", null, "dc1")), plan(ADMIN, "dc1", null, "vm-1"));
        assertEquals(List.of(AuditLog.Partition.enterprise("ent-2")), plan(ADMIN, null, "ent-2", null));
    }
}
