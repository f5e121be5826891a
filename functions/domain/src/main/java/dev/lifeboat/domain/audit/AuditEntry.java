package dev.lifeboat.domain.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit log (API contract, "Audit log"): who did what to which target, and how it ended. It holds no
 * request body, no header and no secret: only identifiers, an action name and an outcome.
 *
 * @param id         a ULID: entries sort by it, newest last
 * @param at         when the request was answered or the run ended
 * @param actor      who sent the request; null for the end of a run
 * @param action     the route key of a request ({@code PUT /datacenters/{dc}/backup-policies/{policyId}}) or the end of a
 *                   run ({@code backup.FAILED}, {@code restore.SUCCESS}, {@code configuration.APPLIED})
 * @param datacenter the datacenter concerned, or null
 * @param enterprise the enterprise concerned, or null (datacenter configuration)
 * @param vm         the VM concerned, or null
 * @param target     the resource: a request's path (or the resource it created), a run's backup, restore or VM
 * @param status     a request's HTTP status ({@code "201"}, {@code "403"}), or a run's outcome ({@code "FAILED"})
 * @param requestId  the API request id, or the restore request of a restore run; may be null
 * @param scope      whether the entry is about datacenter configuration or about tenants' VMs
 */
public record AuditEntry(String id, Instant at, Actor actor, String action, String datacenter, String enterprise,
                         String vm, String target, String status, String requestId, Scope scope) {

    public AuditEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(scope, "scope");
    }

    /** The caller as the token named it. */
    public record Actor(String sub, String ent) {}

    /**
     * {@code CONFIG}: a datacenter's backup configuration (manager, properties, policies, allowances), readable with
     * {@code PHYS_DC_RETRIEVE_DETAILS}; {@code TENANT}: VMs, their backups and restores, readable by their enterprise.
     */
    public enum Scope { CONFIG, TENANT }
}
