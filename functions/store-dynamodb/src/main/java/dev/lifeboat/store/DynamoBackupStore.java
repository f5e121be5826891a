package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.n;
import static dev.lifeboat.store.Attr.s;
import static dev.lifeboat.store.Attr.time;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupRepository;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreHistory;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.backup.RestoreStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.Cursors;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict.Reason;
import dev.lifeboat.domain.vm.VirtualMachine;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Backups, restores, restore requests and VM locks in the single table. A backup and its restores live in the VM's
 * partition (restores sort under their backup); the lock is one item per VM whose creation is the condition that
 * keeps two operations off one VM.
 */
public final class DynamoBackupStore implements BackupRepository, RestoreHistory {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoBackupStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private Optional<Map<String, AttributeValue>> get(Map<String, AttributeValue> key) {
        var r = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(r.item()) : Optional.empty();
    }

    private List<Map<String, AttributeValue>> query(String pk, String prefix, boolean newestFirst) {
        return Queries.all(dynamo, QueryRequest.builder().tableName(table).consistentRead(true).scanIndexForward(!newestFirst)
                .keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(prefix))).build());
    }

    // ---- backups ------------------------------------------------------------------------------------------------

    @Override
    public Optional<Backup> findBackup(String vm, String backupId) {
        return Ids.looksLikeId(backupId) ? get(Keys.backup(vm, backupId)).map(DynamoBackupStore::backup) : Optional.empty();
    }

    @Override
    public Page<Backup> listBackups(String vm, PageRequest page) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).scanIndexForward(false)
                .keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(Keys.vmPartition(vm)), ":prefix", s("BACKUP#")))
                .limit(page.limit() + 1);
        if (page.cursor() != null) {
            q.exclusiveStartKey(Keys.backup(vm, Cursors.decode("b1", page.cursor(), Ids::looksLikeId)));
        }
        List<Backup> items = dynamo.query(q.build()).items().stream().map(DynamoBackupStore::backup).toList();
        if (items.size() > page.limit()) {
            List<Backup> shown = items.subList(0, page.limit());
            return new Page<>(shown, Cursors.encode("b1", shown.get(shown.size() - 1).id()));
        }
        return new Page<>(items, null);
    }

    @Override
    public List<Backup> allBackups(String vm) {
        return query(Keys.vmPartition(vm), "BACKUP#", true).stream().map(DynamoBackupStore::backup).toList();
    }

    private static Condition vmAsRead(VirtualMachine vm) {
        return Condition.of("#version = :vmVersion AND backupVersion = :configVersion").name("#version", "version")
                .value(":vmVersion", n(vm.version())).value(":configVersion", n(vm.backup().version()));
    }

    private static Map<String, AttributeValue> lockItem(String vm, String holder, Instant since) {
        Map<String, AttributeValue> i = new HashMap<>(Keys.lock(vm));
        i.put("holder", s(holder));
        i.put("since", time(since));
        return i;
    }

    @Override
    public void createLockedBackup(Backup backup, VirtualMachine vmAsRead) {
        Transaction t = new Transaction(table)
                .put(backupItem(backup), Condition.ITEM_ABSENT, old -> Reason.ALREADY_EXISTS)
                .put(lockItem(backup.vm(), BackupRepository.backupHolder(backup.id()), backup.requestedAt()), Condition.ITEM_ABSENT,
                        old -> Reason.VM_LOCKED)
                .check(Keys.vm(backup.vm()), vmAsRead(vmAsRead), Reason.VERSION_MISMATCH);
        refItems(null, backup).forEach(ref -> t.put(ref, null, null));
        t.commit(dynamo);
    }

    private static Condition versionIs(long version) {
        return Condition.versionIs(version);
    }

    @Override
    public void saveBackup(Backup previous, Backup next) {
        Transaction t = new Transaction(table)
                .put(backupItem(next), previous == null ? Condition.ITEM_ABSENT : versionIs(previous.version()),
                        old -> previous == null ? Reason.ALREADY_EXISTS : old.isEmpty() ? Reason.NOT_FOUND : Reason.VERSION_MISMATCH);
        refItems(previous, next).forEach(ref -> t.put(ref, null, null));
        t.commit(dynamo);
    }

    /**
     * The pointers ({@link Keys#backupRef}) from the references {@code next} has and {@code previous} had not to the
     * backup, written in the same transaction as the backup: results sync reads them by key to tell a listed restore
     * point Lifeboat knows from a new one. Unconditional: a reference names one backup of the VM. None for a reference
     * by which the backup's own key is found ({@link Backup#keyedBy}): a discovery of a point listed with its start is
     * read by the key derived from that point, so its pointer would be a write for nothing (one of a discovery's three:
     * the backup, its held-index entry, the pointer).
     */
    static List<Map<String, AttributeValue>> refItems(Backup previous, Backup next) {
        java.util.Set<String> refs = refsOf(next);
        if (previous != null) refs.removeAll(refsOf(previous));
        refs.removeIf(next::keyedBy);
        List<Map<String, AttributeValue>> items = new java.util.ArrayList<>(refs.size());
        for (String ref : refs) {
            Map<String, AttributeValue> item = new HashMap<>(Keys.backupRef(next.vm(), ref));
            item.put("backupId", s(next.id()));
            items.add(item);
        }
        return items;
    }

    private static java.util.Set<String> refsOf(Backup b) {
        java.util.Set<String> refs = new java.util.LinkedHashSet<>(2);
        if (b.providerRef() != null) refs.add(b.providerRef());
        if (b.jobRef() != null) refs.add(b.jobRef());
        return refs;
    }

    /** DynamoDB's most items per TransactWriteItems: one round trip for a page of discoveries. */
    static final int TRANSACTION_ITEMS = 100;
    /** Transactions of one chunk at most: each drops the items found written, or waits out another's transaction. */
    private static final int CREATE_ATTEMPTS = 5;

    /**
     * Conditional puts, with their reference pointers, a hundred items per transaction rather than one round trip
     * each. A transaction either writes all its items or none: when it is cancelled, the backups that already exist
     * (another run wrote them) leave the chunk and the rest is written again.
     */
    @Override
    public List<Backup> createAll(List<Backup> found) {
        Map<String, Backup> unique = new java.util.LinkedHashMap<>();
        found.forEach(b -> unique.putIfAbsent(b.vm() + "/" + b.id(), b)); // one transaction may not name an item twice
        List<List<Backup>> chunks = new java.util.ArrayList<>();
        List<Backup> chunk = new java.util.ArrayList<>();
        int items = 0;
        for (Backup b : unique.values()) {
            int size = 1 + refItems(null, b).size();
            if (items + size > TRANSACTION_ITEMS) {
                chunks.add(chunk);
                chunk = new java.util.ArrayList<>();
                items = 0;
            }
            chunk.add(b);
            items += size;
        }
        if (!chunk.isEmpty()) chunks.add(chunk);
        // The transactions share no item (each backup and its pointers are in one), so they are sent together.
        List<Backup> created = new java.util.ArrayList<>();
        RoundTrips.each(chunks, this::createChunk).forEach(created::addAll);
        return created;
    }

    /** One transaction of backups that fit in it with their pointers; @return those it wrote. */
    private List<Backup> createChunk(List<Backup> chunk) {
        for (int attempt = 1; !chunk.isEmpty(); attempt++) {
            List<TransactWriteItem> puts = new java.util.ArrayList<>();
            List<Integer> backupAt = new java.util.ArrayList<>(); // where each backup's own put stands among the items
            for (Backup b : chunk) {
                backupAt.add(puts.size());
                puts.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                        .item(backupItem(b)).conditionExpression(Condition.ITEM_ABSENT.expression()).build()).build());
                refItems(null, b).forEach(ref -> puts.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(ref).build()).build()));
            }
            try {
                dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(puts).build());
                return chunk;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                if (reasons.size() != puts.size() || attempt == CREATE_ATTEMPTS) throw e;
                List<Backup> rest = new java.util.ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    if (!"ConditionalCheckFailed".equals(reasons.get(backupAt.get(i)).code())) rest.add(chunk.get(i));
                }
                if (rest.size() == chunk.size()) pause(attempt); // only another transaction in the way: wait it out
                chunk = rest;
            }
        }
        return chunk;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(25L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing discovered backups", e);
        }
    }

    @Override
    public void finishBackup(Backup previous, Backup next) {
        finish(backupItem(next), previous.version(), next.vm(), BackupRepository.backupHolder(next.id()), refItems(previous, next));
    }

    /** The final state and, when this operation still holds it, the release of the VM's lock: one transaction. */
    private void finish(Map<String, AttributeValue> item, long previousVersion, String vm, String holder, List<Map<String, AttributeValue>> alsoPut) {
        Transaction t = new Transaction(table).put(item, versionIs(previousVersion),
                old -> old.isEmpty() ? Reason.NOT_FOUND : Reason.VERSION_MISMATCH);
        alsoPut.forEach(other -> t.put(other, null, null));
        if (lockHolder(vm).filter(holder::equals).isPresent()) {
            t.delete(Keys.lock(vm), Condition.of("holder = :holder").value(":holder", s(holder)), old -> Reason.VERSION_MISMATCH);
        }
        t.commit(dynamo);
    }

    @Override
    public Optional<String> lockHolder(String vm) {
        return get(Keys.lock(vm)).map(i -> s(i, "holder"));
    }

    static Map<String, AttributeValue> backupItem(Backup b) {
        Map<String, AttributeValue> i = new HashMap<>(Keys.backup(b.vm(), b.id()));
        if (b.status().running() && b.trigger() != Trigger.DISCOVERED) {
            // The backstop's index: a workflow of Lifeboat's own should end it in time (a DISCOVERED one is the backup
            // system's, which results sync follows).
            i.put(LifeboatTable.GSI4PK, s(Keys.due("BACKUP", b.status() == BackupStatus.QUEUED ? "QUEUED" : "RUNNING")));
            i.put(LifeboatTable.GSI4SK, s(Keys.dueAt(b.requestedAt(), b.vm(), b.id())));
        }
        if (b.status() == BackupStatus.SUCCESS && b.providerRef() != null) {
            i.put(LifeboatTable.GSI3PK, s(Keys.heldBackups(b.datacenter())));
            i.put(LifeboatTable.GSI3SK, s(Keys.heldBackup(b.vm(), b.id())));
        }
        i.put("id", s(b.id()));
        i.put("vm", s(b.vm()));
        i.put("datacenter", s(b.datacenter()));
        i.put("enterprise", s(b.enterprise()));
        if (b.policyId() != null) i.put("policyId", s(b.policyId()));
        i.put("trigger", s(b.trigger().name()));
        i.put("status", s(b.status().name()));
        i.put("requestedAt", time(b.requestedAt()));
        optionalTime(i, "startedAt", b.startedAt());
        optionalTime(i, "finishedAt", b.finishedAt());
        if (b.progress() != null) i.put("progress", n(b.progress()));
        if (b.sizeBytes() != null) i.put("sizeBytes", n(b.sizeBytes()));
        if (b.providerRef() != null) i.put("providerRef", s(b.providerRef()));
        if (b.jobRef() != null) i.put("jobRef", s(b.jobRef()));
        error(i, b.error());
        i.put("restoreCount", n(b.restoreCount()));
        i.put("version", n(b.version()));
        return i;
    }

    static Backup backup(Map<String, AttributeValue> i) {
        return new Backup(s(i, "id"), s(i, "vm"), s(i, "datacenter"), s(i, "enterprise"), s(i, "policyId"),
                Trigger.valueOf(s(i, "trigger")), BackupStatus.valueOf(s(i, "status")), time(i, "requestedAt"),
                time(i, "startedAt"), time(i, "finishedAt"), i.containsKey("progress") ? (int) n(i, "progress") : null,
                i.containsKey("sizeBytes") ? n(i, "sizeBytes") : null, s(i, "providerRef"), s(i, "jobRef"), error(i),
                n(i, "restoreCount"), n(i, "version"));
    }

    private static void optionalTime(Map<String, AttributeValue> i, String name, Instant value) {
        if (value != null) i.put(name, time(value));
    }

    private static void error(Map<String, AttributeValue> i, ErrorInfo error) {
        if (error != null) i.put("error", AttributeValue.fromM(Map.of("code", s(error.code()), "message", s(error.message()))));
    }

    private static ErrorInfo error(Map<String, AttributeValue> i) {
        AttributeValue e = i.get("error");
        return e == null ? null : new ErrorInfo(s(e.m(), "code"), s(e.m(), "message"));
    }

    // ---- restores -----------------------------------------------------------------------------------------------

    @Override
    public void createLockedRestore(Restore restore, Backup backupAsRead, VirtualMachine vmAsRead) {
        new Transaction(table)
                .put(restoreItem(restore), Condition.ITEM_ABSENT, old -> Reason.ALREADY_EXISTS)
                .put(lockItem(restore.vm(), BackupRepository.restoreHolder(restore.id()), restore.requestedAt()), Condition.ITEM_ABSENT,
                        old -> Reason.VM_LOCKED)
                .update(Keys.backup(backupAsRead.vm(), backupAsRead.id()),
                        Condition.update("SET restoreCount = restoreCount + :one, #version = #version + :one", "#version = :expected")
                                .name("#version", "version").value(":one", n(1)).value(":expected", n(backupAsRead.version())),
                        old -> Reason.VERSION_MISMATCH)
                .check(Keys.vm(restore.vm()), vmAsRead(vmAsRead), Reason.VERSION_MISMATCH)
                .commit(dynamo);
    }

    @Override
    public Optional<Restore> findRestore(String vm, String backupId, String restoreId) {
        if (!Ids.looksLikeId(backupId) || !Ids.looksLikeId(restoreId)) {
            return Optional.empty();
        }
        return get(Keys.restore(vm, backupId, restoreId)).map(DynamoBackupStore::restore);
    }

    @Override
    public List<Restore> restoresOf(String vm, String backupId) {
        return query(Keys.vmPartition(vm), "RESTORE#" + backupId + "#", true).stream().map(DynamoBackupStore::restore).toList();
    }

    @Override
    public List<Restore> allRestores(String vm) {
        return query(Keys.vmPartition(vm), "RESTORE#", true).stream().map(DynamoBackupStore::restore)
                .sorted(java.util.Comparator.comparing(Restore::id).reversed()).toList();
    }

    @Override
    public Map<String, Restore> findRestores(Collection<RestoreRequest.Item> items) {
        Map<String, Restore> out = new HashMap<>();
        // At most 50 items, read one by one with strong consistency: a request is read far less often than it runs.
        for (RestoreRequest.Item item : items) {
            if (item.restoreId() != null) {
                findRestore(item.vm(), item.backupId(), item.restoreId()).ifPresent(r -> out.put(r.id(), r));
            }
        }
        return out;
    }

    @Override
    public void saveRestore(Restore previous, Restore next) {
        new Transaction(table).put(restoreItem(next), versionIs(previous.version()),
                old -> old.isEmpty() ? Reason.NOT_FOUND : Reason.VERSION_MISMATCH).commit(dynamo);
    }

    @Override
    public void finishRestore(Restore previous, Restore next) {
        finish(restoreItem(next), previous.version(), next.vm(), BackupRepository.restoreHolder(next.id()), List.of());
    }

    private static Map<String, AttributeValue> restoreItem(Restore r) {
        Map<String, AttributeValue> i = new HashMap<>(Keys.restore(r.vm(), r.backupId(), r.id()));
        if (!r.status().ended()) {
            i.put(LifeboatTable.GSI4PK, s(Keys.due("RESTORE", r.status() == RestoreStatus.QUEUED ? "QUEUED" : "RUNNING")));
            i.put(LifeboatTable.GSI4SK, s(Keys.dueAt(r.requestedAt(), r.vm(), r.id())));
        }
        i.put("id", s(r.id()));
        i.put("backupId", s(r.backupId()));
        i.put("vm", s(r.vm()));
        i.put("requestId", s(r.requestId()));
        i.put("status", s(r.status().name()));
        i.put("requestedAt", time(r.requestedAt()));
        optionalTime(i, "startedAt", r.startedAt());
        optionalTime(i, "finishedAt", r.finishedAt());
        error(i, r.error());
        if (r.jobRef() != null) i.put("jobRef", s(r.jobRef()));
        i.put("version", n(r.version()));
        return i;
    }

    static Restore restore(Map<String, AttributeValue> i) {
        return new Restore(s(i, "id"), s(i, "backupId"), s(i, "vm"), s(i, "requestId"), RestoreStatus.valueOf(s(i, "status")),
                time(i, "requestedAt"), time(i, "startedAt"), time(i, "finishedAt"), error(i), s(i, "jobRef"), n(i, "version"));
    }

    // ---- restore requests ---------------------------------------------------------------------------------------

    @Override
    public void createRequest(RestoreRequest request) {
        Map<String, AttributeValue> i = new HashMap<>(Keys.restoreRequest(request.id()));
        i.put("id", s(request.id()));
        if (request.enterprise() != null) i.put("enterprise", s(request.enterprise()));
        i.put("requestedBy", s(request.requestedBy()));
        i.put("requestedAt", time(request.requestedAt()));
        i.put("items", AttributeValue.fromL(request.items().stream().map(item -> {
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("vm", s(item.vm()));
            m.put("backupId", s(item.backupId()));
            if (item.restoreId() != null) m.put("restoreId", s(item.restoreId()));
            error(m, item.rejection());
            return AttributeValue.fromM(m);
        }).toList()));
        // The history indexes (GET /restores): every request, the enterprise's, and one entry per VM it restores.
        i.put(LifeboatTable.GSI2PK, s(Keys.ALL_RESTORE_REQUESTS));
        i.put(LifeboatTable.GSI2SK, s(request.id()));
        if (request.enterprise() != null) {
            i.put(LifeboatTable.GSI1PK, s(Keys.enterpriseRestoreRequests(request.enterprise())));
            i.put(LifeboatTable.GSI1SK, s(request.id()));
        }
        Transaction t = new Transaction(table).put(i, Condition.ITEM_ABSENT, old -> Reason.ALREADY_EXISTS);
        // At most 50 items: with the request, within a transaction's 100 operations.
        request.items().stream().map(RestoreRequest.Item::vm).distinct().forEach(vm -> {
            Map<String, AttributeValue> entry = new HashMap<>(Keys.vmRequest(vm, request.id()));
            entry.put("requestId", s(request.id()));
            t.put(entry, null, null);
        });
        t.commit(dynamo);
    }

    @Override
    public Optional<RestoreRequest> findRequest(String requestId) {
        if (!Ids.looksLikeId(requestId)) {
            return Optional.empty();
        }
        return get(Keys.restoreRequest(requestId)).map(DynamoBackupStore::request);
    }

    private static RestoreRequest request(Map<String, AttributeValue> i) {
        return new RestoreRequest(s(i, "id"), s(i, "enterprise"), s(i, "requestedBy"),
                i.get("items").l().stream().map(v -> {
                    Map<String, AttributeValue> m = v.m();
                    return new RestoreRequest.Item(s(m, "vm"), s(m, "backupId"), s(m, "restoreId"), error(m));
                }).toList(), time(i, "requestedAt"));
    }

    // ---- restore history ----------------------------------------------------------------------------------------

    @Override
    public List<RestoreRequest> requests(String enterprise, String vm, String afterId, int limit) {
        if (vm != null) {
            // The VM's entries name the requests; the requests themselves come in one batch.
            QueryRequest.Builder q = QueryRequest.builder().tableName(table).scanIndexForward(false).limit(limit)
                    .keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s(Keys.vmPartition(vm)), ":prefix", s(Keys.VM_REQUEST_PREFIX)));
            if (afterId != null) {
                q.exclusiveStartKey(Keys.vmRequest(vm, afterId));
            }
            List<String> ids = dynamo.query(q.build()).items().stream().map(i -> s(i, "requestId")).toList();
            Map<String, RestoreRequest> found = new HashMap<>();
            BatchReads.get(dynamo, table, ids.stream().map(Keys::restoreRequest).toList(), i -> found.put(s(i, "id"), request(i)));
            return ids.stream().map(found::get).filter(java.util.Objects::nonNull).toList();
        }
        boolean byEnterprise = enterprise != null;
        String index = byEnterprise ? LifeboatTable.GSI1 : LifeboatTable.GSI2;
        String pkName = byEnterprise ? LifeboatTable.GSI1PK : LifeboatTable.GSI2PK;
        String skName = byEnterprise ? LifeboatTable.GSI1SK : LifeboatTable.GSI2SK;
        String pk = byEnterprise ? Keys.enterpriseRestoreRequests(enterprise) : Keys.ALL_RESTORE_REQUESTS;
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(index).scanIndexForward(false).limit(limit)
                .keyConditionExpression(pkName + " = :pk").expressionAttributeValues(Map.of(":pk", s(pk)));
        if (afterId != null) {
            Map<String, AttributeValue> start = new HashMap<>(Keys.restoreRequest(afterId));
            start.put(pkName, s(pk));
            start.put(skName, s(afterId));
            q.exclusiveStartKey(start);
        }
        return dynamo.query(q.build()).items().stream().map(DynamoBackupStore::request).toList();
    }

    @Override
    public Map<String, Restore> restoresOf(Collection<RestoreRequest> requests) {
        List<Map<String, AttributeValue>> keys = requests.stream().flatMap(r -> r.items().stream())
                .filter(item -> item.restoreId() != null)
                .map(item -> Keys.restore(item.vm(), item.backupId(), item.restoreId())).toList();
        Map<String, Restore> out = new HashMap<>();
        BatchReads.get(dynamo, table, keys, i -> out.put(s(i, "id"), restore(i)));
        return out;
    }
}
