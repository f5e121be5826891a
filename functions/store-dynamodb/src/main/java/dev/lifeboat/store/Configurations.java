package dev.lifeboat.store;

import dev.lifeboat.domain.schedule.BackupConfiguration;
import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Schedules as a native list of maps, in the API's own shape ({@code {subtype, fields: {time: "01:02:03 +0400"}}}),
 * so that an operator reading the table sees what the API shows.
 */
final class Configurations {
    private Configurations() {}

    static AttributeValue toAttribute(List<BackupConfiguration> configurations) {
        return AttributeValue.fromL(configurations.stream().map(c -> {
            Map<String, AttributeValue> fields = new LinkedHashMap<>();
            c.fields().forEach((name, setting) -> fields.put(name, value(setting)));
            return AttributeValue.fromM(Map.of(
                    "type", AttributeValue.fromS(BackupConfiguration.TYPE_COMPLETE),
                    "subtype", AttributeValue.fromS(c.subtype().name()),
                    "fields", AttributeValue.fromM(fields)));
        }).toList());
    }

    static AttributeValue value(Setting setting) {
        Object wire = setting.wireValue();
        if (wire instanceof List<?> days) {
            return AttributeValue.fromL(days.stream().map(d -> AttributeValue.fromS((String) d)).toList());
        }
        return AttributeValue.fromS((String) wire);
    }

    static List<BackupConfiguration> fromAttribute(AttributeValue list) {
        if (list == null || !list.hasL()) {
            return List.of();
        }
        return list.l().stream().map(entry -> {
            Map<String, AttributeValue> m = entry.m();
            Subtype subtype = Subtype.valueOf(m.get("subtype").s());
            Map<String, Setting> fields = new LinkedHashMap<>();
            m.get("fields").m().forEach((name, v) -> fields.put(name, setting(v)));
            return new BackupConfiguration(subtype, fields);
        }).toList();
    }

    static Setting setting(AttributeValue v) {
        if (v.hasL()) {
            return Setting.fixedDays(v.l().stream().map(AttributeValue::s).toList());
        }
        return switch (v.s()) {
            case "NOT_APPLY" -> Setting.NOT_APPLY;
            case "DEFINE_IN_VM" -> Setting.DEFINE_IN_VM;
            default -> Setting.fixed(v.s());
        };
    }
}
