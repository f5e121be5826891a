package dev.lifeboat.domain.schedule;

import java.util.List;

/**
 * The value one field of a schedule takes for one VM: the policy's fixed value, the VM's own value (for a field the
 * policy marks DEFINE_IN_VM), or no value when the policy leaves the field to the backup system (NOT_APPLY). A value
 * is in the canonical form of {@link Setting}: a String, or for {@code days} a list of lower-case day names.
 */
public record EffectiveValue(Source source, Object value) {
    public static final EffectiveValue LEFT_TO_BACKUP_SYSTEM = new EffectiveValue(Source.BACKUP_SYSTEM, null);

    public enum Source { POLICY, VM, BACKUP_SYSTEM }

    public EffectiveValue {
        if ((source == Source.BACKUP_SYSTEM) != (value == null)) {
            throw new IllegalArgumentException("a value comes from the policy or the VM; the backup system's has none");
        }
        if (value instanceof List<?> days) {
            value = List.copyOf(days);
        }
    }

    /** Whether Lifeboat knows the value; a field left to the backup system has none. */
    public boolean concrete() {
        return source != Source.BACKUP_SYSTEM;
    }

    /** The form used in JSON: the value, or {@code NOT_APPLY} for a field left to the backup system. */
    public Object wireValue() {
        return concrete() ? value : Setting.Mode.NOT_APPLY.name();
    }
}
