package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.s;

import dev.lifeboat.domain.audit.AuditEntry;
import dev.lifeboat.domain.audit.AuditLog;
import dev.lifeboat.domain.common.Cursors;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Page;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The audit log in the table (keys in this module's README): an entry is one item in its datacenter's partition, which
 * also carries the entry into {@code GSI1} (its enterprise) and {@code GSI2} (every entry of its scope), plus a copy in
 * its VM's partition and one in its datacenter-and-enterprise partition. Every filter of {@code GET /audit-log} is then
 * one key condition, with no new index (CloudFormation adds at most one GSI per stack update). Copies expire with the
 * entry ({@code expiresAt}).
 */
public final class DynamoAuditStore implements AuditLog {
    private static final String LIST = "audit";
    private static final String SK_PREFIX = "AUDIT#";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public DynamoAuditStore(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    @Override
    public void append(AuditEntry e) {
        Map<String, AttributeValue> fields = fields(e);
        String sk = SK_PREFIX + e.id();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> primary = new HashMap<>(fields);
        primary.put(LifeboatTable.PK, s(datacenterKey(e.datacenter() == null ? "-" : e.datacenter(), e.scope())));
        primary.put(LifeboatTable.SK, s(sk));
        primary.put(LifeboatTable.GSI2PK, s(scopeKey(e.scope())));
        primary.put(LifeboatTable.GSI2SK, s(sk));
        if (e.enterprise() != null) {
            primary.put(LifeboatTable.GSI1PK, s(enterpriseKey(e.enterprise())));
            primary.put(LifeboatTable.GSI1SK, s(sk));
        }
        items.add(primary);
        if (e.vm() != null) {
            items.add(copy(fields, vmKey(e.vm()), sk));
        }
        if (e.datacenter() != null && e.enterprise() != null) {
            items.add(copy(fields, datacenterEnterpriseKey(e.datacenter(), e.enterprise()), sk));
        }
        BatchWrites.put(dynamo, table, items, "audit entry " + e.id());
    }

    private static Map<String, AttributeValue> copy(Map<String, AttributeValue> fields, String pk, String sk) {
        Map<String, AttributeValue> item = new HashMap<>(fields);
        item.put(LifeboatTable.PK, s(pk));
        item.put(LifeboatTable.SK, s(sk));
        return item;
    }

    private Map<String, AttributeValue> fields(AuditEntry e) {
        Map<String, AttributeValue> f = new LinkedHashMap<>();
        f.put("id", s(e.id()));
        f.put("at", Attr.time(e.at()));
        put(f, "actorSub", e.actor() == null ? null : e.actor().sub());
        put(f, "actorEnt", e.actor() == null ? null : e.actor().ent());
        f.put("action", s(e.action()));
        put(f, "datacenter", e.datacenter());
        put(f, "enterprise", e.enterprise());
        put(f, "vm", e.vm());
        put(f, "target", e.target());
        f.put("status", s(e.status()));
        put(f, "requestId", e.requestId());
        f.put("scope", s(e.scope().name()));
        f.put(LifeboatTable.TTL, Attr.n(e.at().plus(retention).getEpochSecond()));
        return f;
    }

    private static void put(Map<String, AttributeValue> f, String name, String value) {
        if (value != null) {
            f.put(name, s(value));
        }
    }

    @Override
    public Page<AuditEntry> list(List<Partition> from, Instant since, Instant until, int limit, String cursor) {
        String upper = until == null ? "~" : timePrefix(until);
        if (cursor != null) {
            String last = Cursors.decode(LIST, cursor, Ids::looksLikeId);
            upper = last.compareTo(upper) < 0 ? last : upper;
        }
        String lower = since == null ? "0" : timePrefix(since);
        if (lower.compareTo(upper) >= 0) {
            return new Page<>(List.of(), null);
        }
        List<AuditEntry> merged = new ArrayList<>();
        for (Partition p : from) {
            merged.addAll(newest(p, lower, upper, limit + 1));
        }
        merged.sort(Comparator.comparing(AuditEntry::id).reversed());
        List<AuditEntry> page = new ArrayList<>();
        for (AuditEntry e : merged) {
            // An entry can sit in two of the partitions read (a datacenter's configuration and an enterprise's).
            if (page.isEmpty() || !page.get(page.size() - 1).id().equals(e.id())) {
                page.add(e);
            }
        }
        if (page.size() <= limit) {
            return new Page<>(page, null);
        }
        List<AuditEntry> shown = page.subList(0, limit);
        return new Page<>(shown, Cursors.encode(LIST, shown.get(limit - 1).id()));
    }

    /** Up to {@code wanted} entries of one partition with {@code lower <= id < upper}, newest first. */
    private List<AuditEntry> newest(Partition p, String lower, String upper, int wanted) {
        String pk;
        String sk;
        String index = null;
        String key = switch (p.kind()) {
            case ALL_CONFIG, ALL_TENANT -> {
                index = LifeboatTable.GSI2;
                yield scopeKey(p.kind() == AuditLog.Kind.ALL_CONFIG ? AuditEntry.Scope.CONFIG : AuditEntry.Scope.TENANT);
            }
            case ENTERPRISE -> {
                index = LifeboatTable.GSI1;
                yield enterpriseKey(p.enterprise());
            }
            case DATACENTER_CONFIG -> datacenterKey(p.datacenter(), AuditEntry.Scope.CONFIG);
            case DATACENTER_TENANT -> datacenterKey(p.datacenter(), AuditEntry.Scope.TENANT);
            case DATACENTER_ENTERPRISE -> datacenterEnterpriseKey(p.datacenter(), p.enterprise());
            case VM -> vmKey(p.vm());
        };
        if (index == null) {
            pk = LifeboatTable.PK;
            sk = LifeboatTable.SK;
        } else if (index.equals(LifeboatTable.GSI1)) {
            pk = LifeboatTable.GSI1PK;
            sk = LifeboatTable.GSI1SK;
        } else {
            pk = LifeboatTable.GSI2PK;
            sk = LifeboatTable.GSI2SK;
        }
        Map<String, String> names = new HashMap<>(Map.of("#pk", pk, "#sk", sk));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s(key), ":lo", s(SK_PREFIX + lower), ":hi", s(SK_PREFIX + upper)));
        List<String> filters = new ArrayList<>();
        if (p.onlyEnterprise() != null) {
            names.put("#ent", "enterprise");
            values.put(":ent", s(p.onlyEnterprise()));
            filters.add("#ent = :ent");
        }
        if (p.onlyDatacenter() != null) {
            names.put("#dc", "datacenter");
            values.put(":dc", s(p.onlyDatacenter()));
            filters.add("#dc = :dc");
        }
        QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(index)
                .keyConditionExpression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                .expressionAttributeNames(names).expressionAttributeValues(values)
                .scanIndexForward(false).limit(wanted);
        if (!filters.isEmpty()) {
            query.filterExpression(String.join(" AND ", filters));
        }
        QueryRequest next = query.build();
        List<AuditEntry> out = new ArrayList<>();
        while (out.size() < wanted) {
            QueryResponse r = dynamo.query(next);
            for (Map<String, AttributeValue> item : r.items()) {
                AuditEntry e = entry(item);
                // BETWEEN includes its upper bound: the cursor's own entry was on the previous page.
                if (!e.id().equals(upper) && out.size() < wanted) {
                    out.add(e);
                }
            }
            if (!r.hasLastEvaluatedKey() || r.lastEvaluatedKey().isEmpty()) {
                break;
            }
            next = next.toBuilder().exclusiveStartKey(r.lastEvaluatedKey()).build();
        }
        return out;
    }

    private static AuditEntry entry(Map<String, AttributeValue> i) {
        String sub = s(i, "actorSub");
        String ent = s(i, "actorEnt");
        return new AuditEntry(s(i, "id"), Attr.time(i, "at"), sub == null && ent == null ? null : new AuditEntry.Actor(sub, ent),
                s(i, "action"), s(i, "datacenter"), s(i, "enterprise"), s(i, "vm"), s(i, "target"), s(i, "status"),
                s(i, "requestId"), AuditEntry.Scope.valueOf(s(i, "scope")));
    }

    /** The first ten characters of a ULID of that millisecond: ids of entries at or after it sort at or after it. */
    static String timePrefix(Instant at) {
        return Ids.derived(Math.max(0, at.toEpochMilli()), "").substring(0, 10);
    }

    private static String scopeKey(AuditEntry.Scope scope) {
        return "AUDIT#" + scope.name();
    }

    private static String enterpriseKey(String ent) {
        return "AUDIT#ENT#" + ent;
    }

    private static String datacenterKey(String dc, AuditEntry.Scope scope) {
        return "AUDIT#DC#" + dc + "#" + scope.name();
    }

    private static String datacenterEnterpriseKey(String dc, String ent) {
        return "AUDIT#DC#" + dc + "#ENT#" + ent;
    }

    private static String vmKey(String vm) {
        return "AUDIT#VM#" + vm;
    }
}
