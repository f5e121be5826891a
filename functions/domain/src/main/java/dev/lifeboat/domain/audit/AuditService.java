package dev.lifeboat.domain.audit;

import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the audit log for a caller (API contract, "Audit log"): with {@code ENTERPRISE_ADMINISTER_ALL} every entry;
 * with {@code PHYS_DC_RETRIEVE_DETAILS} the datacenter configuration entries and those of the caller's enterprise;
 * anyone else only the entries of the caller's enterprise. Each filter combination maps to indexed partitions
 * (never a scan); a filter on another enterprise than the caller's is a 403.
 */
public final class AuditService {
    private final AuditLog log;

    public AuditService(AuditLog log) {
        this.log = log;
    }

    /** Filters of {@code GET /audit-log}; any may be null. */
    public record Filter(String datacenter, String enterprise, String vm, Instant since, Instant until) {}

    public Page<AuditEntry> list(Caller caller, Filter filter, PageRequest page) {
        if (filter.since() != null && filter.until() != null && !filter.since().isBefore(filter.until())) {
            throw DomainException.badRequest("since", "must be before until");
        }
        return log.list(partitions(caller, filter), filter.since(), filter.until(), page.limit(), page.cursor());
    }

    static List<AuditLog.Partition> partitions(Caller caller, Filter f) {
        boolean all = caller.has(Privilege.ENTERPRISE_ADMINISTER_ALL);
        boolean config = all || caller.has(Privilege.PHYS_DC_RETRIEVE_DETAILS);
        String own = caller.enterprise();
        if (!all && f.enterprise() != null && !caller.belongsTo(f.enterprise())) {
            throw DomainException.forbidden("The audit log of enterprise " + f.enterprise() + " needs the privilege ENTERPRISE_ADMINISTER_ALL.");
        }
        List<AuditLog.Partition> out = new ArrayList<>();
        if (f.vm() != null) {
            // A VM's entries are all tenant entries; others than administrators see those of their own enterprise.
            String ent = all ? f.enterprise() : own;
            if (all || own != null) {
                out.add(AuditLog.Partition.vm(f.vm(), ent, f.datacenter()));
            }
            return out;
        }
        if (f.enterprise() != null) {
            out.add(f.datacenter() == null ? AuditLog.Partition.enterprise(f.enterprise())
                    : AuditLog.Partition.datacenterEnterprise(f.datacenter(), f.enterprise()));
            return out;
        }
        if (all) {
            if (f.datacenter() == null) {
                out.add(AuditLog.Partition.scope(AuditEntry.Scope.CONFIG));
                out.add(AuditLog.Partition.scope(AuditEntry.Scope.TENANT));
            } else {
                out.add(AuditLog.Partition.datacenter(f.datacenter(), AuditEntry.Scope.CONFIG));
                out.add(AuditLog.Partition.datacenter(f.datacenter(), AuditEntry.Scope.TENANT));
            }
            return out;
        }
        if (config) {
            out.add(f.datacenter() == null ? AuditLog.Partition.scope(AuditEntry.Scope.CONFIG)
                    : AuditLog.Partition.datacenter(f.datacenter(), AuditEntry.Scope.CONFIG));
        }
        if (own != null) {
            out.add(f.datacenter() == null ? AuditLog.Partition.enterprise(own) : AuditLog.Partition.datacenterEnterprise(f.datacenter(), own));
        }
        return out;
    }
}
