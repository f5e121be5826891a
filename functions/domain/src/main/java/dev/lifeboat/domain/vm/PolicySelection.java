package dev.lifeboat.domain.vm;

import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A policy selected by a VM with the VM's own values for the policy's {@code DEFINE_IN_VM} fields, per subtype.
 * Values are fixed settings in canonical form, so two selections are equal exactly when they mean the same schedule.
 */
public record PolicySelection(String policyId, Map<Subtype, Map<String, Setting>> values) {
    public PolicySelection {
        Map<Subtype, Map<String, Setting>> copy = new EnumMap<>(Subtype.class);
        values.forEach((subtype, fields) -> {
            if (!fields.isEmpty()) {
                copy.put(subtype, Collections.unmodifiableMap(new LinkedHashMap<>(fields)));
            }
        });
        values = Collections.unmodifiableMap(copy);
    }

    public static PolicySelection of(String policyId) {
        return new PolicySelection(policyId, Map.of());
    }
}
