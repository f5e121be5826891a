package dev.lifeboat.domain.schedule;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One complete-backup schedule of a policy. Every field of the subtype is present, in the subtype's order;
 * only complete backups exist, so the type is implied.
 */
public record BackupConfiguration(Subtype subtype, Map<String, Setting> fields) {
    public static final String TYPE_COMPLETE = "COMPLETE";

    public BackupConfiguration {
        Map<String, Setting> ordered = new LinkedHashMap<>();
        for (String field : subtype.fields()) {
            ordered.put(field, fields.getOrDefault(field, Setting.NOT_APPLY));
        }
        fields = java.util.Collections.unmodifiableMap(ordered);
    }

    public Setting field(String name) {
        return fields.get(name);
    }
}
