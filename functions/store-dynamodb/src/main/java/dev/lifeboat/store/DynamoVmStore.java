package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.n;
import static dev.lifeboat.store.Attr.s;
import static dev.lifeboat.store.Attr.time;

import dev.lifeboat.domain.backup.SyncRepository.PointedVm;
import dev.lifeboat.domain.common.Cursors;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict.Reason;
import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import dev.lifeboat.domain.vm.ApplyAction;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupConfig;
import dev.lifeboat.domain.vm.VmRepository;
import dev.lifeboat.domain.vm.VmState;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * VMs and their backup configurations in the single table. A VM and its configuration are one item, so a state
 * change and a configuration change of the same VM always see each other; the policy → VM index, the policies' VM
 * counts and the datacenter's count of configured VMs change in the same transaction as the item.
 */
public final class DynamoVmStore implements VmRepository {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoVmStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<VirtualMachine> findVm(String id) {
        var r = dynamo.getItem(b -> b.tableName(table).key(Keys.vm(id)).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(vm(r.item())) : Optional.empty();
    }

    @Override
    public Page<VirtualMachine> listVms(String enterprise, String datacenter, PageRequest page) {
        boolean byEnterprise = enterprise != null;
        String index = byEnterprise ? LifeboatTable.GSI1 : LifeboatTable.GSI2;
        String pkName = byEnterprise ? LifeboatTable.GSI1PK : LifeboatTable.GSI2PK;
        String skName = byEnterprise ? LifeboatTable.GSI1SK : LifeboatTable.GSI2SK;
        String pk = byEnterprise ? Keys.enterpriseVms(enterprise) : LifeboatTable.ALL_VMS;
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":pk", s(pk));
        String keyCondition = pkName + " = :pk";
        if (datacenter != null) {
            keyCondition += " AND begins_with(" + skName + ", :dc)";
            values.put(":dc", s("DC#" + datacenter + "#VM#"));
        }
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(index)
                .keyConditionExpression(keyCondition).expressionAttributeValues(values)
                // One more than asked tells whether another page exists, so the last page never points to an empty one.
                .limit(page.limit() + 1);
        if (page.cursor() != null) {
            String[] last = decodeCursor(page.cursor());
            Map<String, AttributeValue> start = new HashMap<>(Keys.vm(last[1]));
            start.put(pkName, s(pk));
            start.put(skName, s(Keys.vmListing(last[0], last[1])));
            q.exclusiveStartKey(start);
        }
        QueryResponse r = dynamo.query(q.build());
        List<VirtualMachine> items = r.items().stream().map(DynamoVmStore::vm).toList();
        if (items.size() > page.limit()) {
            List<VirtualMachine> shown = items.subList(0, page.limit());
            VirtualMachine last = shown.get(shown.size() - 1);
            return new Page<>(shown, encodeCursor(last.datacenter(), last.id()));
        }
        return new Page<>(items, null);
    }

    static String encodeCursor(String datacenter, String vm) {
        return Cursors.encode("v1", datacenter + "#" + vm);
    }

    /** Path ids never contain '#', so the position splits back into exactly its datacenter and VM. */
    static String[] decodeCursor(String cursor) {
        return Cursors.decode("v1", cursor, position -> {
            String[] parts = position.split("#", -1);
            return parts.length == 2 && Text.isPathId(parts[0]) && Text.isPathId(parts[1]);
        }).split("#");
    }

    @Override
    public void saveVm(VirtualMachine previous, VirtualMachine next, Map<String, Long> policyVersions) {
        Transaction t = new Transaction(table);
        if (previous == null) {
            t.put(item(next), Condition.ITEM_ABSENT, old -> Reason.ALREADY_EXISTS);
        } else {
            t.put(item(next), Condition.of("#version = :version AND backupVersion = :backupVersion")
                            .name("#version", "version").value(":version", n(previous.version()))
                            .value(":backupVersion", n(previous.backup().version())),
                    old -> old.isEmpty() ? Reason.NOT_FOUND : Reason.VERSION_MISMATCH);
        }
        String identityBefore = previous == null ? null : hypervisorKey(previous);
        String identity = hypervisorKey(next);
        boolean moved = !java.util.Objects.equals(identityBefore, identity);
        if (moved && identityBefore != null) {
            // Unconditional, whichever VM it names: a pointer names a VM only while that VM has its identity, which is
            // what lets results sync take it without reading the VM. Another VM that claims the identity too is then
            // found through the index.
            t.delete(Keys.identity(identityBefore), null, null);
        }
        if (identity != null && (moved || !PointedVm.of(previous).equals(PointedVm.of(next)))) {
            // Where two VMs claim one identity the last one written holds the pointer.
            t.put(identityItem(identity, next), null, null);
        }
        Set<String> before = previous == null ? Set.of() : previous.backup().policiesInUse();
        Set<String> after = next.backup().policiesInUse();
        String dc = next.datacenter();
        for (String policyId : after) {
            if (before.contains(policyId)) continue;
            Map<String, AttributeValue> use = new HashMap<>(Keys.policyUse(dc, policyId, next.id()));
            use.put("vm", s(next.id()));
            use.put("policyId", s(policyId));
            t.put(use, Condition.ITEM_ABSENT, old -> Reason.VERSION_MISMATCH);
            Condition count = Condition.update("ADD vmCount :one", "attribute_exists(PK)"
                    + (policyVersions.containsKey(policyId) ? " AND #version = :policyVersion" : "")).value(":one", n(1));
            if (policyVersions.containsKey(policyId)) {
                count = count.name("#version", "version").value(":policyVersion", n(policyVersions.get(policyId)));
            }
            // A policy that changed or went since it was validated: the service reads it again and decides anew.
            t.update(Keys.policy(dc, policyId), count, old -> Reason.VERSION_MISMATCH);
        }
        for (String policyId : before) {
            if (after.contains(policyId)) continue;
            t.delete(Keys.policyUse(dc, policyId, next.id()), null, null);
            t.update(Keys.policy(dc, policyId), Condition.update("ADD vmCount :minusOne", "attribute_exists(PK)").value(":minusOne", n(-1)),
                    old -> Reason.VERSION_MISMATCH);
        }
        long configured = (after.isEmpty() ? 0 : 1) - (before.isEmpty() ? 0 : 1);
        if (configured != 0) {
            t.update(Keys.usage(dc), Condition.update("ADD configuredVms :delta", null).value(":delta", n(configured)), null);
        }
        t.commit(dynamo);
    }

    /** The VM's key in the identity index (GSI3) and of its pointer item; null: the VM has no hypervisor identity. */
    static String hypervisorKey(VirtualMachine vm) {
        return Keys.hypervisor(vm.datacenter(), vm.hypervisor().vcenter(), vm.hypervisor().moref(), vm.hypervisor().uuid());
    }

    /**
     * The pointer from {@code hypervisorKey} to a VM that has it, written in the VM's own transaction, with what results
     * sync needs of the VM ({@link PointedVm}): a page of restore points is then matched to its VMs without reading them.
     */
    static Map<String, AttributeValue> identityItem(String hypervisorKey, VirtualMachine vm) {
        PointedVm pointed = PointedVm.of(vm);
        Map<String, AttributeValue> i = identityItem(hypervisorKey, vm.id());
        i.put("datacenter", s(pointed.datacenter()));
        i.put("enterprise", s(pointed.enterprise()));
        i.put("configured", AttributeValue.fromBool(pointed.configured()));
        return i;
    }

    /**
     * A pointer that names the VM only, for a writer that does not hold the VM's version (Backfill): results sync reads
     * the VM and checks that it still has the identity, since such a pointer may be written after the VM moved away.
     */
    static Map<String, AttributeValue> identityItem(String hypervisorKey, String vm) {
        Map<String, AttributeValue> i = new HashMap<>(Keys.identity(hypervisorKey));
        i.put("vm", s(vm));
        return i;
    }

    /** An identity pointer as read: the VM's details only if the pointer carries all of them. */
    static DynamoSyncStore.Pointer pointer(Map<String, AttributeValue> i) {
        AttributeValue configured = i.get("configured");
        boolean full = i.containsKey("datacenter") && i.containsKey("enterprise") && configured != null && configured.bool() != null;
        return new DynamoSyncStore.Pointer(s(i, "vm"), full ? new PointedVm(s(i, "vm"), s(i, "datacenter"), s(i, "enterprise"), configured.bool()) : null);
    }

    static Map<String, AttributeValue> item(VirtualMachine vm) {
        Map<String, AttributeValue> i = new HashMap<>(Keys.vm(vm.id()));
        String listing = Keys.vmListing(vm.datacenter(), vm.id());
        i.put(LifeboatTable.GSI1PK, s(Keys.enterpriseVms(vm.enterprise())));
        i.put(LifeboatTable.GSI1SK, s(listing));
        i.put(LifeboatTable.GSI2PK, s(LifeboatTable.ALL_VMS));
        i.put(LifeboatTable.GSI2SK, s(listing));
        String hypervisor = hypervisorKey(vm);
        if (hypervisor != null) {
            i.put(LifeboatTable.GSI3PK, s(hypervisor));
            i.put(LifeboatTable.GSI3SK, s("VM#" + vm.id()));
        }
        if (vm.backup().status() == ConfigStatus.PENDING && vm.backup().updatedAt() != null) {
            i.put(LifeboatTable.GSI4PK, s(Keys.due("CONFIG", "PENDING")));
            i.put(LifeboatTable.GSI4SK, s(Keys.dueAt(vm.backup().updatedAt(), vm.id(), String.valueOf(vm.backup().version()))));
        }
        i.put("id", s(vm.id()));
        i.put("enterprise", s(vm.enterprise()));
        i.put("datacenter", s(vm.datacenter()));
        i.put("name", s(vm.name()));
        i.put("state", s(vm.state().name()));
        optional(i, "vcenter", vm.hypervisor().vcenter());
        optional(i, "moref", vm.hypervisor().moref());
        optional(i, "uuid", vm.hypervisor().uuid());
        i.put("version", n(vm.version()));
        i.put("createdAt", time(vm.createdAt()));
        i.put("updatedAt", time(vm.updatedAt()));
        VmBackupConfig b = vm.backup();
        i.put("backupPolicies", selections(b.policies()));
        i.put("backupPrevious", selections(b.previous()));
        i.put("backupStatus", s(b.status().name()));
        if (b.action() != null) i.put("backupAction", s(b.action().name()));
        if (b.error() != null) {
            i.put("backupError", AttributeValue.fromM(Map.of("code", s(b.error().code()), "message", s(b.error().message()))));
        }
        i.put("backupVersion", n(b.version()));
        if (b.updatedAt() != null) i.put("backupUpdatedAt", time(b.updatedAt()));
        return i;
    }

    private static void optional(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) item.put(name, s(value));
    }

    static VirtualMachine vm(Map<String, AttributeValue> i) {
        AttributeValue error = i.get("backupError");
        String action = s(i, "backupAction");
        VmBackupConfig backup = new VmBackupConfig(selections(i.get("backupPolicies")), selections(i.get("backupPrevious")),
                ConfigStatus.valueOf(s(i, "backupStatus")), action == null ? null : ApplyAction.valueOf(action),
                error == null ? null : new ErrorInfo(s(error.m(), "code"), s(error.m(), "message")),
                n(i, "backupVersion"), time(i, "backupUpdatedAt"));
        return new VirtualMachine(s(i, "id"), s(i, "enterprise"), s(i, "datacenter"), s(i, "name"), VmState.valueOf(s(i, "state")),
                new Hypervisor(s(i, "vcenter"), s(i, "moref"), s(i, "uuid")), n(i, "version"),
                time(i, "createdAt"), time(i, "updatedAt"), backup);
    }

    /** A selection as {@code {policyId, values: {DAILY: {time: "01:00:00 +0000"}}}}, the API's own shape. */
    private static AttributeValue selections(List<PolicySelection> selections) {
        return AttributeValue.fromL(selections.stream().map(sel -> {
            Map<String, AttributeValue> values = new LinkedHashMap<>();
            sel.values().forEach((subtype, fields) -> {
                Map<String, AttributeValue> f = new LinkedHashMap<>();
                fields.forEach((name, setting) -> f.put(name, Configurations.value(setting)));
                values.put(subtype.name(), AttributeValue.fromM(f));
            });
            return AttributeValue.fromM(Map.of("policyId", s(sel.policyId()), "values", AttributeValue.fromM(values)));
        }).toList());
    }

    private static List<PolicySelection> selections(AttributeValue list) {
        if (list == null || !list.hasL()) {
            return List.of();
        }
        return list.l().stream().map(entry -> {
            Map<Subtype, Map<String, Setting>> values = new EnumMap<>(Subtype.class);
            entry.m().get("values").m().forEach((subtype, fields) -> {
                Map<String, Setting> f = new LinkedHashMap<>();
                fields.m().forEach((name, v) -> f.put(name, Configurations.setting(v)));
                values.put(Subtype.valueOf(subtype), f);
            });
            return new PolicySelection(s(entry.m(), "policyId"), values);
        }).toList();
    }
}
