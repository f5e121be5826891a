package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.bool;
import static dev.lifeboat.store.Attr.n;
import static dev.lifeboat.store.Attr.s;
import static dev.lifeboat.store.Attr.strings;
import static dev.lifeboat.store.Attr.time;

import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.allowance.AllowanceRepository;
import dev.lifeboat.domain.common.DatacenterUsage;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.common.StoreConflict.Reason;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.DatacenterDirectory;
import dev.lifeboat.domain.manager.DatacenterSummary;
import dev.lifeboat.domain.manager.ManagerRepository;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.PolicyRepository;
import dev.lifeboat.domain.properties.BackupProperties;
import dev.lifeboat.domain.properties.PropertiesRepository;
import dev.lifeboat.domain.secret.SecretRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The datacenter backup configuration in one DynamoDB table. Rules that span items (unique codes, no VEEAM with
 * DEFINED_HOUR policies, no manager removal while VMs are configured) are conditions of the same transaction as
 * the write they guard, so a race cannot break them.
 */
public final class DynamoConfigStore implements ManagerRepository, PolicyRepository, PropertiesRepository, AllowanceRepository,
        DatacenterDirectory {
    private static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoConfigStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private Optional<Map<String, AttributeValue>> get(Map<String, AttributeValue> key) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(key).consistentRead(true).build());
        return item.hasItem() && !item.item().isEmpty() ? Optional.of(item.item()) : Optional.empty();
    }

    private Transaction transaction() {
        return new Transaction(table);
    }

    private static Map<String, AttributeValue> item(Map<String, AttributeValue> key, Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.putAll(attributes);
        return item;
    }

    // ---- managers -------------------------------------------------------------------------------------------

    @Override
    public Optional<BackupManager> findManager(String datacenter) {
        return get(Keys.manager(datacenter)).map(i -> new BackupManager(datacenter, s(i, "id"), s(i, "name"),
                ManagerType.valueOf(s(i, "type")), s(i, "endpoint"), s(i, "user"),
                new SecretRef(s(i, "secretId"), s(i, "secretVersion")), n(i, "version"), time(i, "createdAt"), time(i, "updatedAt")));
    }

    @Override
    public List<String> managedDatacenters() {
        return Queries.all(dynamo, QueryRequest.builder().tableName(table).indexName(LifeboatTable.GSI1)
                        .keyConditionExpression(LifeboatTable.GSI1PK + " = :pk").expressionAttributeValues(Map.of(":pk", s(Keys.MANAGERS)))
                        .projectionExpression("datacenter").build())
                .stream().map(i -> s(i, "datacenter")).toList();
    }

    @Override
    public DatacenterUsage findUsage(String datacenter) {
        return get(Keys.usage(datacenter))
                .map(i -> new DatacenterUsage(n(i, "definedHourPolicies"), n(i, "configuredVms")))
                .orElse(DatacenterUsage.NONE);
    }

    /**
     * A page of the managers' GSI1 entries (sorted by datacenter id), their datacenters' counters in one batch, and
     * one key-only COUNT query per datacenter for its policies (a datacenter has tens of policies, not thousands).
     */
    @Override
    public Page<DatacenterSummary> listDatacenters(PageRequest page) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(LifeboatTable.GSI1)
                .keyConditionExpression(LifeboatTable.GSI1PK + " = :pk").expressionAttributeValues(Map.of(":pk", s(Keys.MANAGERS)))
                .limit(page.limit() + 1);
        if (page.cursor() != null) {
            String after = dev.lifeboat.domain.common.Cursors.decode("d1", page.cursor(), dev.lifeboat.domain.common.Text::isPathId);
            Map<String, AttributeValue> start = new HashMap<>(Keys.manager(after));
            start.put(LifeboatTable.GSI1PK, s(Keys.MANAGERS));
            start.put(LifeboatTable.GSI1SK, s(after));
            q.exclusiveStartKey(start);
        }
        List<Map<String, AttributeValue>> managers = dynamo.query(q.build()).items();
        String next = null;
        if (managers.size() > page.limit()) {
            managers = managers.subList(0, page.limit());
            next = dev.lifeboat.domain.common.Cursors.encode("d1", s(managers.get(managers.size() - 1), "datacenter"));
        }
        Map<String, Long> configuredVms = new HashMap<>();
        BatchReads.get(dynamo, table, managers.stream().map(m -> Keys.usage(s(m, "datacenter"))).toList(),
                i -> configuredVms.put(s(i, "PK").substring("DC#".length()), n(i, "configuredVms")));
        List<DatacenterSummary> out = new ArrayList<>();
        for (Map<String, AttributeValue> m : managers) {
            String dc = s(m, "datacenter");
            long policies = Queries.count(dynamo, QueryRequest.builder().tableName(table)
                    .keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s(Keys.datacenter(dc)), ":prefix", s(Keys.POLICY_PREFIX))).build());
            out.add(new DatacenterSummary(dc, s(m, "name"), ManagerType.valueOf(s(m, "type")), policies, configuredVms.getOrDefault(dc, 0L)));
        }
        return new Page<>(out, next);
    }

    private static Map<String, AttributeValue> managerItem(BackupManager m) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put("datacenter", s(m.datacenter()));
        a.put("id", s(m.id()));
        a.put("name", s(m.name()));
        a.put("type", s(m.type().name()));
        a.put("endpoint", s(m.endpoint()));
        a.put("user", s(m.user()));
        a.put("secretId", s(m.password().secretId()));
        a.put("secretVersion", s(m.password().versionId()));
        a.put("version", n(m.version()));
        a.put("createdAt", time(m.createdAt()));
        a.put("updatedAt", time(m.updatedAt()));
        // Every manager under one GSI1 key: results sync lists the datacenters to visit without a scan.
        a.put(LifeboatTable.GSI1PK, s(Keys.MANAGERS));
        a.put(LifeboatTable.GSI1SK, s(m.datacenter()));
        return item(Keys.manager(m.datacenter()), a);
    }

    private static final Condition NO_DEFINED_HOUR_POLICIES =
            Condition.of("attribute_not_exists(definedHourPolicies) OR definedHourPolicies = :zero").value(":zero", n(0));

    @Override
    public void createManager(BackupManager manager) {
        Transaction t = transaction().put(managerItem(manager), Condition.ITEM_ABSENT, old -> Reason.ALREADY_EXISTS);
        if (manager.type() == ManagerType.VEEAM) {
            t.check(Keys.usage(manager.datacenter()), NO_DEFINED_HOUR_POLICIES, Reason.DEFINED_HOUR_POLICIES_EXIST);
        }
        t.commit(dynamo);
    }

    @Override
    public void replaceManager(BackupManager manager, long expectedVersion) {
        Transaction t = transaction().put(managerItem(manager), Condition.versionIs(expectedVersion),
                old -> old.isEmpty() ? Reason.NOT_FOUND : Reason.VERSION_MISMATCH);
        if (manager.type() == ManagerType.VEEAM) {
            t.check(Keys.usage(manager.datacenter()), NO_DEFINED_HOUR_POLICIES, Reason.DEFINED_HOUR_POLICIES_EXIST);
        }
        t.commit(dynamo);
    }

    @Override
    public void deleteManager(String datacenter, long expectedVersion) {
        transaction()
                .delete(Keys.manager(datacenter), Condition.versionIs(expectedVersion),
                        old -> old.isEmpty() ? Reason.NOT_FOUND : Reason.VERSION_MISMATCH)
                .check(Keys.usage(datacenter),
                        Condition.of("attribute_not_exists(configuredVms) OR configuredVms = :zero").value(":zero", n(0)),
                        Reason.VMS_CONFIGURED)
                .commit(dynamo);
    }

    // ---- policies -------------------------------------------------------------------------------------------

    private static Map<String, AttributeValue> policyAttributes(BackupPolicy p) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put("datacenter", s(p.datacenter()));
        a.put("id", s(p.id()));
        a.put("name", s(p.name()));
        a.put("code", s(p.code()));
        a.put("description", s(p.description()));
        a.put("configurations", Configurations.toAttribute(p.configurations()));
        a.put("definedHour", bool(p.hasDefinedHour()));
        a.put("version", n(p.version()));
        a.put("createdAt", time(p.createdAt()));
        a.put("updatedAt", time(p.updatedAt()));
        return a;
    }

    private static BackupPolicy policy(Map<String, AttributeValue> i) {
        return new BackupPolicy(s(i, "datacenter"), s(i, "id"), s(i, "name"), s(i, "code"), s(i, "description"),
                Configurations.fromAttribute(i.get("configurations")), n(i, "vmCount") > 0, n(i, "version"),
                time(i, "createdAt"), time(i, "updatedAt"));
    }

    @Override
    public Optional<BackupPolicy> findPolicy(String datacenter, String policyId) {
        if (!Ids.looksLikeId(policyId)) {
            return Optional.empty();
        }
        return get(Keys.policy(datacenter, policyId)).map(DynamoConfigStore::policy);
    }

    @Override
    public Optional<String> findPolicyIdByCode(String datacenter, String code) {
        return get(Keys.codeGuard(datacenter, BackupPolicy.codeKey(code))).map(i -> s(i, "policyId"));
    }

    @Override
    public Page<BackupPolicy> listPolicies(String datacenter, PageRequest page) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table)
                .keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(Keys.datacenter(datacenter)), ":prefix", s(Keys.POLICY_PREFIX)))
                // One more than asked tells whether another page exists, so the last page never points to an empty one.
                .limit(page.limit() + 1);
        if (page.cursor() != null) {
            q.exclusiveStartKey(Keys.policy(datacenter, decodeCursor(page.cursor())));
        }
        QueryResponse r = dynamo.query(q.build());
        List<BackupPolicy> items = r.items().stream().map(DynamoConfigStore::policy).toList();
        if (items.size() > page.limit()) {
            List<BackupPolicy> shown = items.subList(0, page.limit());
            return new Page<>(shown, encodeCursor(shown.get(shown.size() - 1).id()));
        }
        return new Page<>(items, null);
    }

    /** Policy cursors keep the prefix {@code p1} that the first release gave them, so cursors in flight stay valid. */
    static String encodeCursor(String lastId) {
        return dev.lifeboat.domain.common.Cursors.encode("p1", lastId);
    }

    static String decodeCursor(String cursor) {
        return dev.lifeboat.domain.common.Cursors.decode("p1", cursor, Ids::looksLikeId);
    }

    @Override
    public Set<String> existingPolicyIds(String datacenter, Collection<String> policyIds) {
        Set<String> found = new HashSet<>();
        batchGetPolicies(datacenter, policyIds, "id", i -> found.add(s(i, "id")));
        return found;
    }

    @Override
    public List<BackupPolicy> findPolicies(String datacenter, Collection<String> policyIds) {
        Map<String, BackupPolicy> found = new HashMap<>();
        batchGetPolicies(datacenter, policyIds, null, i -> found.put(s(i, "id"), policy(i)));
        return policyIds.stream().distinct().map(found::get).filter(java.util.Objects::nonNull).toList();
    }

    /** BatchGetItem in chunks of its limit, following unprocessed keys; ids that are not ULIDs cannot exist. */
    private void batchGetPolicies(String datacenter, Collection<String> policyIds, String projection,
                                  java.util.function.Consumer<Map<String, AttributeValue>> each) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(policyIds)).stream().filter(Ids::looksLikeId).toList();
        for (int from = 0; from < ids.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> keys = ids.subList(from, Math.min(ids.size(), from + BATCH_GET_LIMIT)).stream()
                    .map(id -> Keys.policy(datacenter, id)).toList();
            KeysAndAttributes.Builder wanted = KeysAndAttributes.builder().keys(keys).consistentRead(true);
            if (projection != null) {
                wanted.projectionExpression(projection);
            }
            Map<String, KeysAndAttributes> request = Map.of(table, wanted.build());
            while (!request.isEmpty()) {
                BatchGetItemResponse r = dynamo.batchGetItem(BatchGetItemRequest.builder().requestItems(request).build());
                r.responses().getOrDefault(table, List.of()).forEach(each);
                request = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
            }
        }
    }

    private static Map<String, AttributeValue> guard(BackupPolicy p) {
        return item(Keys.codeGuard(p.datacenter(), BackupPolicy.codeKey(p.code())),
                Map.of("policyId", s(p.id()), "code", s(p.code())));
    }

    private static final Condition MANAGER_NOT_VEEAM =
            Condition.of("attribute_not_exists(PK) OR #type <> :veeam").name("#type", "type").value(":veeam", s(ManagerType.VEEAM.name()));

    private void countDefinedHour(Transaction t, String datacenter, long delta) {
        t.update(Keys.usage(datacenter), Condition.update("ADD definedHourPolicies :delta", null).value(":delta", n(delta)), null);
    }

    @Override
    public void createPolicy(BackupPolicy policy, String allowEnterprise) {
        Transaction t = transaction()
                .put(item(Keys.policy(policy.datacenter(), policy.id()), policyAttributes(policy)), Condition.ITEM_ABSENT, old -> Reason.ALREADY_EXISTS)
                .put(guard(policy), Condition.ITEM_ABSENT, old -> Reason.CODE_TAKEN);
        if (policy.hasDefinedHour()) {
            countDefinedHour(t, policy.datacenter(), 1);
            t.check(Keys.manager(policy.datacenter()), MANAGER_NOT_VEEAM, Reason.MANAGER_IS_VEEAM);
        }
        if (allowEnterprise != null) {
            t.update(Keys.allowance(allowEnterprise, policy.datacenter()), Condition.update(
                            "SET policyIds = list_append(if_not_exists(policyIds, :none), :added), #version = if_not_exists(#version, :zero) + :one,"
                                    + " enterprise = :enterprise, datacenter = :datacenter", null)
                    .name("#version", "version")
                    .value(":none", AttributeValue.fromL(List.of())).value(":added", strings(List.of(policy.id())))
                    .value(":zero", n(0)).value(":one", n(1))
                    .value(":enterprise", s(allowEnterprise)).value(":datacenter", s(policy.datacenter())), null);
        }
        t.commit(dynamo);
    }

    @Override
    public void updatePolicy(BackupPolicy previous, BackupPolicy next) {
        boolean schedulesChange = !previous.configurations().equals(next.configurations());
        Map<String, AttributeValue> attributes = policyAttributes(next);
        attributes.remove("id");
        attributes.remove("datacenter");
        attributes.remove("createdAt");
        StringBuilder set = new StringBuilder();
        Condition update = Condition.update("", "#version = :expectedVersion" + (schedulesChange ? " AND (attribute_not_exists(vmCount) OR vmCount = :zero)" : ""));
        int i = 0;
        for (var e : attributes.entrySet()) {
            set.append(i == 0 ? "SET " : ", ").append("#a").append(i).append(" = :a").append(i);
            update = update.name("#a" + i, e.getKey()).value(":a" + i, e.getValue());
            i++;
        }
        update = new Condition(set.toString(), update.condition(), update.names(), update.values())
                .name("#version", "version").value(":expectedVersion", n(previous.version()));
        if (schedulesChange) {
            update = update.value(":zero", n(0));
        }
        Transaction t = transaction().update(Keys.policy(next.datacenter(), next.id()), update, old -> {
            if (old.isEmpty()) return Reason.NOT_FOUND;
            return n(old, "version") != previous.version() ? Reason.VERSION_MISMATCH : Reason.POLICY_IN_USE;
        });
        if (!BackupPolicy.codeKey(previous.code()).equals(BackupPolicy.codeKey(next.code()))) {
            t.delete(Keys.codeGuard(previous.datacenter(), BackupPolicy.codeKey(previous.code())),
                    Condition.of("policyId = :id").value(":id", s(previous.id())), old -> Reason.VERSION_MISMATCH);
            t.put(guard(next), Condition.ITEM_ABSENT, old -> Reason.CODE_TAKEN);
        } else if (!previous.code().equals(next.code())) {
            // Same guard key, new spelling: keep the guard's copy of the code in step.
            t.put(guard(next), Condition.of("policyId = :id").value(":id", s(next.id())), old -> Reason.VERSION_MISMATCH);
        }
        if (previous.hasDefinedHour() != next.hasDefinedHour()) {
            countDefinedHour(t, next.datacenter(), next.hasDefinedHour() ? 1 : -1);
        }
        if (next.hasDefinedHour()) {
            t.check(Keys.manager(next.datacenter()), MANAGER_NOT_VEEAM, Reason.MANAGER_IS_VEEAM);
        }
        t.commit(dynamo);
    }

    @Override
    public void deletePolicy(BackupPolicy policy) {
        Transaction t = transaction()
                .delete(Keys.policy(policy.datacenter(), policy.id()),
                        Condition.of("#version = :expectedVersion AND (attribute_not_exists(vmCount) OR vmCount = :zero)")
                                .name("#version", "version").value(":expectedVersion", n(policy.version())).value(":zero", n(0)),
                        old -> {
                            if (old.isEmpty()) return Reason.NOT_FOUND;
                            return n(old, "version") != policy.version() ? Reason.VERSION_MISMATCH : Reason.POLICY_IN_USE;
                        })
                .delete(Keys.codeGuard(policy.datacenter(), BackupPolicy.codeKey(policy.code())),
                        Condition.of("policyId = :id").value(":id", s(policy.id())), old -> Reason.VERSION_MISMATCH);
        if (policy.hasDefinedHour()) {
            countDefinedHour(t, policy.datacenter(), -1);
        }
        t.commit(dynamo);
    }

    // ---- properties -----------------------------------------------------------------------------------------

    @Override
    public BackupProperties findProperties(String datacenter) {
        return get(Keys.properties(datacenter))
                .map(i -> new BackupProperties(datacenter, bool(i, "multipleRestore"), bool(i, "multipleBackupPolicies"),
                        bool(i, "updateWhenDeployed"), bool(i, "backupNow"), n(i, "version"), time(i, "updatedAt")))
                .orElse(BackupProperties.defaults(datacenter));
    }

    @Override
    public void saveProperties(BackupProperties p, long expectedVersion) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put("datacenter", s(p.datacenter()));
        a.put("multipleRestore", bool(p.multipleRestore()));
        a.put("multipleBackupPolicies", bool(p.multipleBackupPolicies()));
        a.put("updateWhenDeployed", bool(p.updateWhenDeployed()));
        a.put("backupNow", bool(p.backupNow()));
        a.put("version", n(p.version()));
        a.put("updatedAt", time(p.updatedAt()));
        putVersioned(item(Keys.properties(p.datacenter()), a), expectedVersion);
    }

    private void putVersioned(Map<String, AttributeValue> item, long expectedVersion) {
        Condition c = expectedVersion == 0 ? Condition.ITEM_ABSENT : Condition.versionIs(expectedVersion);
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(item).conditionExpression(c.expression());
        if (!c.names().isEmpty()) put.expressionAttributeNames(c.names());
        if (!c.values().isEmpty()) put.expressionAttributeValues(c.values());
        try {
            dynamo.putItem(put.build());
        } catch (ConditionalCheckFailedException e) {
            throw new StoreConflict(Reason.VERSION_MISMATCH);
        }
    }

    // ---- allowances -----------------------------------------------------------------------------------------

    @Override
    public Allowance findAllowance(String enterprise, String datacenter) {
        Optional<Map<String, AttributeValue>> item = get(Keys.allowance(enterprise, datacenter));
        if (item.isEmpty()) {
            return new Allowance(enterprise, datacenter, List.of(), 0);
        }
        List<String> stored = strings(item.get(), "policyIds");
        // Deleting a policy does not touch allowances; ids of policies that are gone are dropped here.
        Set<String> existing = existingPolicyIds(datacenter, stored);
        return new Allowance(enterprise, datacenter, stored.stream().filter(existing::contains).toList(), n(item.get(), "version"));
    }

    @Override
    public void saveAllowance(Allowance a, long expectedVersion) {
        putVersioned(item(Keys.allowance(a.enterprise(), a.datacenter()), Map.of(
                "enterprise", s(a.enterprise()),
                "datacenter", s(a.datacenter()),
                "policyIds", strings(a.policyIds()),
                "version", n(a.version()))), expectedVersion);
    }
}
