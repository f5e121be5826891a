package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.n;
import static dev.lifeboat.store.Attr.s;
import static dev.lifeboat.store.Attr.time;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.SyncRepository;
import dev.lifeboat.domain.backup.SyncRepository.PointedVm;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.VirtualMachine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Results sync's own items and indexes: the per-datacenter mark ({@code DC#<dc>} / {@code SYNC}), VMs by hypervisor
 * identity (GSI3), the backups the backup system should still hold (GSI3, overloaded) and what is overdue (GSI4). Nothing here reads a datacenter's VMs one by one.
 */
public final class DynamoSyncStore implements SyncRepository {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoSyncStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Mark mark(String datacenter) {
        var r = dynamo.getItem(b -> b.tableName(table).key(Keys.syncMark(datacenter)).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return Mark.NONE;
        }
        Map<String, AttributeValue> i = r.item();
        return new Mark(time(i, "watermark"), s(i, "sliceCursor"), n(i, "version"));
    }

    @Override
    public boolean advance(String datacenter, Mark next) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.syncMark(datacenter));
        if (next.watermark() != null) item.put("watermark", time(next.watermark()));
        if (next.sliceCursor() != null) item.put("sliceCursor", s(next.sliceCursor()));
        item.put("version", n(next.version()));
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":version", n(next.version()));
        try {
            // Versions only grow: a run that began before the last one finished must not move the mark back.
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(PK) OR #version < :version")
                    .expressionAttributeNames(Map.of("#version", "version")).expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException later) {
            return false;
        }
    }

    @Override
    public Optional<VirtualMachine> vmByHypervisor(String datacenter, String vcenter, String moref, String uuid) {
        for (String key : new String[] {Keys.hypervisor(datacenter, vcenter, moref, null), Keys.hypervisor(datacenter, null, null, uuid)}) {
            if (key == null) continue;
            var r = dynamo.query(QueryRequest.builder().tableName(table).indexName(LifeboatTable.GSI3)
                    .keyConditionExpression(LifeboatTable.GSI3PK + " = :pk").expressionAttributeValues(Map.of(":pk", s(key))).limit(1).build());
            if (!r.items().isEmpty()) {
                return Optional.of(DynamoVmStore.vm(r.items().get(0)));
            }
        }
        return Optional.empty();
    }

    @Override
    public List<Optional<PointedVm>> vmsByPointer(String datacenter, List<Hypervisor> identities) {
        return pointPage(datacenter, identities, Collections.nCopies(identities.size(), (ListedPoint) null)).vms();
    }

    @Override
    public PointPage pointPage(String datacenter, List<Hypervisor> identities, List<ListedPoint> points) {
        if (points.size() != identities.size()) throw new IllegalArgumentException("one point per identity, or null");
        List<String[]> keysOf = identities.stream().map(h -> new String[] {Keys.hypervisor(datacenter, h.vcenter(), h.moref(), null),
                Keys.hypervisor(datacenter, null, null, h.uuid())}).toList();
        Map<String, Pointer> pointers = new HashMap<>(); // by hypervisor key
        // The first key of each identity, then the uuid of those the vCenter and moref did not find: almost every
        // point names its VM by moref, so the uuid pointers are rarely read at all.
        readPointers(keysOf.stream().map(keys -> keys[0] != null ? keys[0] : keys[1]).filter(Objects::nonNull).toList(), pointers);
        readPointers(keysOf.stream().filter(keys -> keys[0] != null && keys[1] != null && !pointers.containsKey(keys[0])).map(keys -> keys[1]).toList(),
                pointers);
        // Beside the keys of the backups of the points listed with the VMs the pointers name, the VMs whose pointer tells
        // only their id (written by Backfill, or before pointers carried more): a VM that turns out not to match leaves
        // its backups unused.
        List<Map<String, AttributeValue>> keys = new ArrayList<>(pointers.values().stream().filter(p -> p.vm() == null)
                .map(Pointer::vmId).distinct().map(Keys::vm).toList());
        PointKeys backupKeys = new PointKeys();
        for (int k = 0; k < identities.size(); k++) {
            if (points.get(k) == null) continue;
            for (String hypervisorKey : keysOf.get(k)) {
                Pointer pointer = hypervisorKey == null ? null : pointers.get(hypervisorKey);
                if (pointer != null) backupKeys.add(pointer.vmId(), points.get(k));
            }
        }
        keys.addAll(backupKeys.keys());
        Map<String, VirtualMachine> vms = new HashMap<>();
        BatchReads.get(dynamo, table, keys, i -> {
            if (!backupKeys.accept(i)) {
                VirtualMachine vm = DynamoVmStore.vm(i);
                vms.put(vm.id(), vm);
            }
        });
        List<Optional<PointedVm>> found = matched(keysOf, pointers, vms);
        Map<String, List<Backup>> knownByVm = new HashMap<>();
        found.forEach(vm -> vm.ifPresent(v -> knownByVm.putIfAbsent(v.id(), new ArrayList<>())));
        backupKeys.finish(knownByVm);
        return new PointPage(found, knownByVm);
    }

    /**
     * An identity pointer as read: the VM it names and, when the pointer carries them, what results sync needs of that
     * VM ({@link DynamoVmStore#identityItem(String, VirtualMachine)}).
     */
    record Pointer(String vmId, PointedVm vm) {}

    /** Per identity, the VM its pointers name, if that VM still has that identity. */
    private static List<Optional<PointedVm>> matched(List<String[]> keysOf, Map<String, Pointer> pointers, Map<String, VirtualMachine> vms) {
        List<Optional<PointedVm>> found = new ArrayList<>(keysOf.size());
        for (String[] keys : keysOf) {
            // As the index is asked: the vCenter and moref first, then the uuid of a VM known by uuid only.
            found.add(Arrays.stream(keys).filter(Objects::nonNull).map(k -> {
                Pointer pointer = pointers.get(k);
                if (pointer == null) return null;
                // A pointer with the VM's details is written with the VM, in its transaction, and deleted by the write
                // that moves the VM off that identity: it names the VM only while the VM has it. One with the id only
                // may have been written after its VM moved away (Backfill): it counts while its VM still has that identity.
                if (pointer.vm() != null) return pointer.vm();
                VirtualMachine vm = vms.get(pointer.vmId());
                return vm != null && k.equals(DynamoVmStore.hypervisorKey(vm)) ? PointedVm.of(vm) : null;
            }).filter(Objects::nonNull).findFirst());
        }
        return found;
    }

    /** The pointer of each of {@code hypervisorKeys} that has one, into {@code pointers} by hypervisor key. */
    private void readPointers(List<String> hypervisorKeys, Map<String, Pointer> pointers) {
        if (hypervisorKeys.isEmpty()) return;
        Map<String, String> keyOfPointer = new HashMap<>(); // pointer PK -> hypervisor key
        hypervisorKeys.forEach(k -> keyOfPointer.put(s(Keys.identity(k), LifeboatTable.PK), k));
        BatchReads.get(dynamo, table, keyOfPointer.values().stream().map(Keys::identity).toList(),
                i -> pointers.put(keyOfPointer.get(s(i, LifeboatTable.PK)), DynamoVmStore.pointer(i)));
    }

    @Override
    public Map<String, List<Backup>> backupsOf(Map<String, Set<ListedPoint>> pointsByVm) {
        PointKeys backupKeys = new PointKeys();
        Map<String, List<Backup>> byVm = new HashMap<>();
        pointsByVm.forEach((vm, points) -> {
            byVm.put(vm, new ArrayList<>());
            points.forEach(p -> backupKeys.add(vm, p));
        });
        BatchReads.get(dynamo, table, backupKeys.keys(), backupKeys::accept);
        backupKeys.finish(byVm);
        return byVm;
    }

    /**
     * Where Lifeboat's backup of a listed point may be, read in one batch: the point's reference pointer (Lifeboat's own
     * backups, and discoveries that have one), and the key a discovery of it has ({@link Backup#keyedBy}), which
     * needs no pointer. A backup a pointer names is then read by its key, unless it was read already.
     */
    private final class PointKeys {
        private final List<Map<String, AttributeValue>> keys = new ArrayList<>();
        private final Map<String, String> vmOfRefPointer = new HashMap<>(); // reference pointer PK -> VM id
        private final Set<String> discoveryKeys = new HashSet<>();
        private final List<Backup> read = new ArrayList<>();
        private final List<String[]> named = new ArrayList<>(); // {VM id, backup id} of each reference pointer read

        List<Map<String, AttributeValue>> keys() {
            return keys;
        }

        void add(String vm, ListedPoint point) {
            Map<String, AttributeValue> ref = Keys.backupRef(vm, point.ref());
            if (vmOfRefPointer.put(s(ref, LifeboatTable.PK), vm) == null) keys.add(ref);
            if (point.startedAt() != null) {
                Map<String, AttributeValue> discovery = Keys.backup(vm, Backup.discoveredId(vm, point.ref(), point.startedAt()));
                if (discoveryKeys.add(itemKey(discovery))) keys.add(discovery);
            }
        }

        /** Takes {@code item} if one of these keys read it. @return whether it did */
        boolean accept(Map<String, AttributeValue> item) {
            String vmOfRef = vmOfRefPointer.get(s(item, LifeboatTable.PK));
            if (vmOfRef != null) {
                named.add(new String[] {vmOfRef, s(item, "backupId")});
                return true;
            }
            if (discoveryKeys.contains(itemKey(item))) {
                read.add(DynamoBackupStore.backup(item));
                return true;
            }
            return false;
        }

        /** Adds the backups found to their VM's list in {@code byVm}, each once, for the VMs it has an entry for. */
        void finish(Map<String, List<Backup>> byVm) {
            Set<String> alreadyRead = new HashSet<>();
            for (Backup b : read) {
                if (byVm.containsKey(b.vm()) && alreadyRead.add(itemKey(Keys.backup(b.vm(), b.id())))) byVm.get(b.vm()).add(b);
            }
            readBackups(named.stream().filter(n -> byVm.containsKey(n[0])).map(n -> Keys.backup(n[0], n[1]))
                    .filter(key -> !alreadyRead.contains(itemKey(key))).toList(), byVm);
        }
    }

    private static String itemKey(Map<String, AttributeValue> item) {
        return s(item, LifeboatTable.PK) + "\n" + s(item, LifeboatTable.SK);
    }

    /** The backups of {@code keys} (those a reference pointer names), added to their VM's list in {@code byVm}. */
    private void readBackups(List<Map<String, AttributeValue>> keys, Map<String, List<Backup>> byVm) {
        BatchReads.get(dynamo, table, keys, i -> {
            Backup b = DynamoBackupStore.backup(i);
            byVm.computeIfAbsent(b.vm(), vm -> new ArrayList<>()).add(b);
        });
    }

    @Override
    public Map<String, List<Backup>> heldBackups(String datacenter, String fromVm, String toVm) {
        String[] range = Keys.heldRange(fromVm, toVm);
        Map<String, List<Backup>> byVm = new HashMap<>();
        for (Map<String, AttributeValue> item : Queries.all(dynamo, QueryRequest.builder().tableName(table).indexName(LifeboatTable.GSI3)
                .keyConditionExpression(LifeboatTable.GSI3PK + " = :pk AND " + LifeboatTable.GSI3SK + " BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", s(Keys.heldBackups(datacenter)), ":from", s(range[0]), ":to", s(range[1])))
                .build())) {
            Backup b = DynamoBackupStore.backup(item);
            byVm.computeIfAbsent(b.vm(), vm -> new java.util.ArrayList<>()).add(b);
        }
        return byVm;
    }

    /** Backups of Lifeboat's workflows still in {@code state} (QUEUED or RUNNING) that were requested before {@code before}. */
    public List<Backup> backupsDue(String state, Instant before) {
        return due("BACKUP", state, before).stream().map(DynamoBackupStore::backup).toList();
    }

    public List<Restore> restoresDue(String state, Instant before) {
        return due("RESTORE", state, before).stream().map(DynamoBackupStore::restore).toList();
    }

    /** VMs whose backup configuration has been PENDING since before {@code before}. */
    public List<VirtualMachine> pendingConfigurationsDue(Instant before) {
        return due("CONFIG", "PENDING", before).stream().map(DynamoVmStore::vm).toList();
    }

    /** Only the overdue ones: they are few, however many VMs and operations there are. */
    private List<Map<String, AttributeValue>> due(String kind, String state, Instant before) {
        return Queries.all(dynamo, QueryRequest.builder().tableName(table).indexName(LifeboatTable.GSI4)
                .keyConditionExpression(LifeboatTable.GSI4PK + " = :pk AND " + LifeboatTable.GSI4SK + " < :bound")
                .expressionAttributeValues(Map.of(":pk", s(Keys.due(kind, state)), ":bound", s(Keys.dueBound(before)))).build());
    }
}
