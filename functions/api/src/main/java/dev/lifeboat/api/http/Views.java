package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.properties.BackupProperties;
import dev.lifeboat.domain.schedule.BackupConfiguration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** The JSON shape of each resource. The manager's password is absent by construction: only {@code passwordSet}. */
public final class Views {
    private Views() {}

    public static ObjectNode manager(BackupManager m) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("datacenter", m.datacenter());
        o.put("name", m.name());
        o.put("type", m.type().name());
        o.put("endpoint", m.endpoint());
        o.put("user", m.user());
        o.put("passwordSet", m.password() != null);
        o.put("version", m.version());
        time(o, "createdAt", m.createdAt());
        time(o, "updatedAt", m.updatedAt());
        return o;
    }

    public static ObjectNode check(ConnectionCheck c) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("reachable", c.reachable());
        o.put("authenticated", c.authenticated());
        if (c.latencyMs() == null) o.putNull("latencyMs"); else o.put("latencyMs", c.latencyMs());
        o.put("details", c.details());
        return o;
    }

    public static ObjectNode properties(BackupProperties p) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("datacenter", p.datacenter());
        o.put("multipleRestore", p.multipleRestore());
        o.put("multipleBackupPolicies", p.multipleBackupPolicies());
        o.put("updateWhenDeployed", p.updateWhenDeployed());
        o.put("backupNow", p.backupNow());
        o.put("version", p.version());
        time(o, "updatedAt", p.updatedAt());
        return o;
    }

    public static ObjectNode policy(BackupPolicy p) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", p.id());
        o.put("datacenter", p.datacenter());
        o.put("name", p.name());
        o.put("code", p.code());
        o.put("description", p.description());
        ArrayNode configs = o.putArray("backupConfigurations");
        for (BackupConfiguration c : p.configurations()) {
            ObjectNode entry = configs.addObject();
            entry.put("type", BackupConfiguration.TYPE_COMPLETE);
            entry.put("subtype", c.subtype().name());
            c.fields().forEach((name, setting) -> {
                Object wire = setting.wireValue();
                if (wire instanceof List<?> days) {
                    ArrayNode a = entry.putArray(name);
                    days.forEach(d -> a.add((String) d));
                } else {
                    entry.put(name, (String) wire);
                }
            });
        }
        o.put("inUse", p.inUse());
        o.put("version", p.version());
        time(o, "createdAt", p.createdAt());
        time(o, "updatedAt", p.updatedAt());
        return o;
    }

    public static ObjectNode allowance(Allowance a) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("enterprise", a.enterprise());
        o.put("datacenter", a.datacenter());
        ArrayNode ids = o.putArray("policyIds");
        a.policyIds().forEach(ids::add);
        o.put("version", a.version());
        return o;
    }

    public static <T> ObjectNode page(Page<T> page, Function<T, ObjectNode> view) {
        ObjectNode o = Json.NODES.objectNode();
        ArrayNode items = o.putArray("items");
        page.items().forEach(i -> items.add(view.apply(i)));
        if (page.nextCursor() == null) o.putNull("nextCursor"); else o.put("nextCursor", page.nextCursor());
        return o;
    }

    private static void time(ObjectNode o, String field, Instant value) {
        if (value == null) o.putNull(field); else o.put(field, value.toString());
    }
}
