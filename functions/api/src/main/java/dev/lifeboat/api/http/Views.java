package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.properties.BackupProperties;
import dev.lifeboat.domain.schedule.BackupConfiguration;
import dev.lifeboat.domain.schedule.EffectiveSchedule;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        o.setAll(switches(p));
        o.put("version", p.version());
        time(o, "updatedAt", p.updatedAt());
        return o;
    }

    /** The four switches alone: what tenants see of their datacenter's properties. */
    public static ObjectNode switches(BackupProperties p) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("multipleRestore", p.multipleRestore());
        o.put("multipleBackupPolicies", p.multipleBackupPolicies());
        o.put("updateWhenDeployed", p.updateWhenDeployed());
        o.put("backupNow", p.backupNow());
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
            c.fields().forEach((name, setting) -> wire(entry, name, setting.wireValue()));
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

    public static ObjectNode vm(VirtualMachine vm) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", vm.id());
        o.put("enterprise", vm.enterprise());
        o.put("datacenter", vm.datacenter());
        o.put("name", vm.name());
        o.put("state", vm.state().name());
        ObjectNode h = o.putObject("hypervisor");
        text(h, "vcenter", vm.hypervisor().vcenter());
        text(h, "moref", vm.hypervisor().moref());
        text(h, "uuid", vm.hypervisor().uuid());
        o.put("version", vm.version());
        time(o, "createdAt", vm.createdAt());
        time(o, "updatedAt", vm.updatedAt());
        return o;
    }

    /** The VM's backup configuration, with when each selected policy runs for it when {@code schedules} is given. */
    public static ObjectNode backupConfig(VirtualMachine vm, Map<String, List<EffectiveSchedule>> schedules) {
        VmBackupConfig b = vm.backup();
        ObjectNode o = Json.NODES.objectNode();
        o.put("vm", vm.id());
        ArrayNode policies = o.putArray("policies");
        for (PolicySelection s : b.policies()) {
            ObjectNode entry = policies.addObject();
            entry.put("policyId", s.policyId());
            ObjectNode values = entry.putObject("values");
            s.values().forEach((subtype, fields) -> {
                ObjectNode f = values.putObject(subtype.name());
                fields.forEach((name, setting) -> wire(f, name, setting.wireValue()));
            });
            List<EffectiveSchedule> effective = schedules.get(s.policyId());
            if (effective != null) {
                ArrayNode list = entry.putArray("effectiveSchedules");
                for (EffectiveSchedule e : effective) {
                    ObjectNode item = list.addObject();
                    item.put("subtype", e.subtype().name());
                    e.fields().forEach((name, value) -> wire(item, name, value.wireValue()));
                    if (e.scheduler() == null) {
                        item.putNull("scheduler");
                    } else {
                        item.putObject("scheduler").put("expression", e.scheduler().expression()).put("timezone", e.scheduler().timezone());
                    }
                }
            }
        }
        o.put("status", b.status().name());
        error(o, b.error());
        o.put("version", b.version());
        time(o, "updatedAt", b.updatedAt());
        return o;
    }

    public static ObjectNode backup(Backup b, List<Restore> restores) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", b.id());
        o.put("vm", b.vm());
        o.put("datacenter", b.datacenter());
        text(o, "policyId", b.policyId());
        o.put("trigger", b.trigger().name());
        o.put("status", b.status().name());
        time(o, "requestedAt", b.requestedAt());
        time(o, "startedAt", b.startedAt());
        time(o, "finishedAt", b.finishedAt());
        if (b.progress() == null) o.putNull("progress"); else o.put("progress", b.progress());
        if (b.sizeBytes() == null) o.putNull("sizeBytes"); else o.put("sizeBytes", b.sizeBytes());
        text(o, "providerRef", b.providerRef());
        error(o, b.error());
        ArrayNode list = o.putArray("restores");
        restores.forEach(r -> list.add(restore(r)));
        return o;
    }

    public static ObjectNode restore(Restore r) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", r.id());
        o.put("backupId", r.backupId());
        o.put("vm", r.vm());
        o.put("requestId", r.requestId());
        o.put("status", r.status().name());
        time(o, "requestedAt", r.requestedAt());
        time(o, "startedAt", r.startedAt());
        time(o, "finishedAt", r.finishedAt());
        error(o, r.error());
        return o;
    }

    public static ObjectNode restoreRequest(RestoreRequest request, Map<String, Restore> restores) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", request.id());
        ArrayNode items = o.putArray("items");
        for (RestoreRequest.Item item : request.items()) {
            ObjectNode i = items.addObject();
            i.put("vm", item.vm());
            i.put("backupId", item.backupId());
            text(i, "restoreId", item.restoreId());
            i.put("status", RestoreRequest.itemStatus(item, restores));
            Restore r = item.restoreId() == null ? null : restores.get(item.restoreId());
            error(i, item.rejection() != null ? item.rejection() : r == null ? null : r.error());
        }
        o.put("status", request.status(restores).name());
        time(o, "requestedAt", request.requestedAt());
        return o;
    }

    private static void error(ObjectNode o, ErrorInfo e) {
        if (e == null) o.putNull("error"); else o.putObject("error").put("code", e.code()).put("message", e.message());
    }

    private static void wire(ObjectNode o, String field, Object value) {
        if (value instanceof List<?> days) {
            ArrayNode a = o.putArray(field);
            days.forEach(d -> a.add((String) d));
        } else {
            o.put(field, (String) value);
        }
    }

    private static void text(ObjectNode o, String field, String value) {
        if (value == null) o.putNull(field); else o.put(field, value);
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
