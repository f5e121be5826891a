package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.s;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The key of every item kind; store module README lists them with their access patterns. */
final class Keys {
    static final String POLICY_PREFIX = "POLICY#";
    /** GSI1 key of every backup manager; no enterprise id contains '#', so it never meets an {@code ENT#} key. */
    static final String MANAGERS = "MANAGERS";

    private Keys() {}

    static String datacenter(String dc) {
        return "DC#" + dc;
    }

    static Map<String, AttributeValue> manager(String dc) {
        return key(datacenter(dc), "MANAGER");
    }

    static Map<String, AttributeValue> usage(String dc) {
        return key(datacenter(dc), "USAGE");
    }

    static Map<String, AttributeValue> properties(String dc) {
        return key(datacenter(dc), "PROPERTIES");
    }

    static Map<String, AttributeValue> policy(String dc, String policyId) {
        return key(datacenter(dc), POLICY_PREFIX + policyId);
    }

    static Map<String, AttributeValue> codeGuard(String dc, String codeKey) {
        return key(datacenter(dc), "POLICYCODE#" + codeKey);
    }

    static Map<String, AttributeValue> allowance(String enterprise, String dc) {
        return key("ENT#" + enterprise + "#DC#" + dc, "ALLOWANCE");
    }

    static Map<String, AttributeValue> vm(String vm) {
        return key("VM#" + vm, "VM");
    }

    /** Ids never contain '#', so the policy id and the VM id are unambiguous within the sort key. */
    static Map<String, AttributeValue> policyUse(String dc, String policyId, String vm) {
        return key(datacenter(dc), "POLICYUSE#" + policyId + "#VM#" + vm);
    }

    static String vmPartition(String vm) {
        return "VM#" + vm;
    }

    static Map<String, AttributeValue> backup(String vm, String backupId) {
        return key(vmPartition(vm), "BACKUP#" + backupId);
    }

    /** A backup's restores sort under it, so one query lists them newest first. */
    static Map<String, AttributeValue> restore(String vm, String backupId, String restoreId) {
        return key(vmPartition(vm), "RESTORE#" + backupId + "#" + restoreId);
    }

    static Map<String, AttributeValue> lock(String vm) {
        return key(vmPartition(vm), "LOCK");
    }

    static Map<String, AttributeValue> restoreRequest(String requestId) {
        return key("RESTOREREQ#" + requestId, "REQUEST");
    }

    /** GSI2 key of every restore request, and GSI1 key of an enterprise's requests; both sorted by request id (a ULID). */
    static final String ALL_RESTORE_REQUESTS = "RESTOREREQS";

    static String enterpriseRestoreRequests(String enterprise) {
        return ALL_RESTORE_REQUESTS + "#" + enterprise;
    }

    /** In the VM's partition, one entry per request that restores the VM: that VM's history is one query. */
    static final String VM_REQUEST_PREFIX = "REQUEST#";

    static Map<String, AttributeValue> vmRequest(String vm, String requestId) {
        return key(vmPartition(vm), VM_REQUEST_PREFIX + requestId);
    }

    static String enterpriseVms(String enterprise) {
        return "ENT#" + enterprise;
    }

    /** Sort key of a VM in both VM indexes: by datacenter, then id, so a datacenter filter is a key prefix. */
    static String vmListing(String dc, String vm) {
        return "DC#" + dc + "#VM#" + vm;
    }

    static Map<String, AttributeValue> syncMark(String dc) {
        return key(datacenter(dc), "SYNC");
    }

    /** GSI3 key of a VM: vCenter (lower case) and moref when known, else the BIOS uuid (lower case); null: none. */
    static String hypervisor(String dc, String vcenter, String moref, String uuid) {
        if (vcenter != null && !vcenter.isBlank() && moref != null && !moref.isBlank()) {
            return "HV#" + dc + "#" + vcenter.strip().toLowerCase(java.util.Locale.ROOT) + "#" + moref.strip();
        }
        if (uuid != null && !uuid.isBlank()) {
            return "HVUUID#" + dc + "#" + uuid.strip().toLowerCase(java.util.Locale.ROOT);
        }
        return null;
    }

    /**
     * Base-table pointer from a VM's hypervisor identity ({@link #hypervisor}'s key) to the VM: results sync reads a page
     * of them in one BatchGetItem, where the GSI3 key would take a Query each.
     */
    static Map<String, AttributeValue> identity(String hypervisorKey) {
        return key("ID#" + hypervisorKey, "ID");
    }

    /**
     * Base-table pointer from a reference of a VM's backup (restore point or job) to the backup: results sync learns
     * which listed points Lifeboat already knows a page at a time, without reading each VM's backups. VM ids never
     * contain '#', so the reference may.
     */
    static Map<String, AttributeValue> backupRef(String vm, String ref) {
        return key("REF#" + vm + "#" + ref, "REF");
    }

    /**
     * GSI3 partition of a datacenter's backups that the backup system should still hold (SUCCESS with a restore point
     * reference): results sync's expiry slice reads a range of consecutive VMs' backups in one Query instead of one
     * Query per VM. Never meets a VM's {@code HV#}/{@code HVUUID#} key.
     */
    static String heldBackups(String dc) {
        return "HELD#" + dc;
    }

    /** GSI3 sort key of a held backup: by VM id, as the VM listing sorts, then backup id. */
    static String heldBackup(String vm, String backupId) {
        return "VM#" + vm + "#" + backupId;
    }

    /** The lowest and just past the highest GSI3 sort key of the held backups of VMs {@code from..to} ('$' follows '#'). */
    static String[] heldRange(String fromVm, String toVm) {
        return new String[] {"VM#" + fromVm + "#", "VM#" + toVm + "$"};
    }

    /** GSI4 partition of what is due by a time: {@code DUE#BACKUP#QUEUED}, {@code DUE#RESTORE#RUNNING}, {@code DUE#CONFIG#PENDING}. */
    static String due(String kind, String state) {
        return "DUE#" + kind + "#" + state;
    }

    /** GSI4 sort key: fixed-width epoch milliseconds sort as the times do. */
    static String dueAt(java.time.Instant since, String vm, String id) {
        return String.format("%013d", since.toEpochMilli()) + "#" + vm + "#" + id;
    }

    static String dueBound(java.time.Instant before) {
        return String.format("%013d", before.toEpochMilli());
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(LifeboatTable.PK, s(pk), LifeboatTable.SK, s(sk));
    }
}
