package dev.lifeboat.domain.audit;

import dev.lifeboat.domain.common.Page;
import java.time.Instant;
import java.util.List;

/** Port: where audit entries are kept and read back, newest first. */
public interface AuditLog {

    /** Keeps the entry; writing the same id and time again replaces it (a retried step records its end once). */
    void append(AuditEntry entry);

    /**
     * The entries of every partition in {@code from}, merged newest first.
     *
     * @param since  inclusive lower bound, or null
     * @param until  exclusive upper bound, or null
     * @param cursor the opaque cursor of the previous page, or null
     */
    Page<AuditEntry> list(List<Partition> from, Instant since, Instant until, int limit, String cursor);

    /**
     * One indexed set of entries (each is read with a key condition, never a scan).
     *
     * @param onlyEnterprise when set, keeps only the entries of that enterprise (used inside one VM's entries)
     * @param onlyDatacenter when set, keeps only the entries of that datacenter (used inside one VM's entries)
     */
    record Partition(Kind kind, String datacenter, String enterprise, String vm, String onlyEnterprise, String onlyDatacenter) {
        public static Partition scope(AuditEntry.Scope scope) {
            return new Partition(scope == AuditEntry.Scope.CONFIG ? Kind.ALL_CONFIG : Kind.ALL_TENANT, null, null, null, null, null);
        }

        public static Partition datacenter(String dc, AuditEntry.Scope scope) {
            return new Partition(scope == AuditEntry.Scope.CONFIG ? Kind.DATACENTER_CONFIG : Kind.DATACENTER_TENANT, dc, null, null, null, null);
        }

        public static Partition enterprise(String ent) {
            return new Partition(Kind.ENTERPRISE, null, ent, null, null, null);
        }

        public static Partition datacenterEnterprise(String dc, String ent) {
            return new Partition(Kind.DATACENTER_ENTERPRISE, dc, ent, null, null, null);
        }

        public static Partition vm(String vm, String onlyEnterprise, String onlyDatacenter) {
            return new Partition(Kind.VM, null, null, vm, onlyEnterprise, onlyDatacenter);
        }
    }

    enum Kind { ALL_CONFIG, ALL_TENANT, DATACENTER_CONFIG, DATACENTER_TENANT, ENTERPRISE, DATACENTER_ENTERPRISE, VM }
}
