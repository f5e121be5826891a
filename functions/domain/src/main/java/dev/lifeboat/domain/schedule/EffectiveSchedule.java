package dev.lifeboat.domain.schedule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One schedule of a policy as it applies to one VM: each field's effective value and, when every field is concrete,
 * the EventBridge Scheduler schedule that runs it ({@code scheduler} is null while any field is left to the backup
 * system, which then decides when the backup runs).
 */
public record EffectiveSchedule(Subtype subtype, Map<String, EffectiveValue> fields, SchedulerExpression scheduler) {

    public EffectiveSchedule {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * The effective schedules of a policy for a VM, one per configuration, in the policy's order.
     *
     * @param vmValues the VM's values for this policy: FIXED settings, exactly for the fields the policy marks
     *                 DEFINE_IN_VM, as the caller has validated them; values for other fields are not read
     * @throws IllegalArgumentException when a DEFINE_IN_VM field has no FIXED VM value: the caller skipped validation
     */
    public static List<EffectiveSchedule> resolve(List<BackupConfiguration> policy, Map<Subtype, Map<String, Setting>> vmValues) {
        List<EffectiveSchedule> out = new ArrayList<>(policy.size());
        for (BackupConfiguration configuration : policy) {
            out.add(resolve(configuration, vmValues.getOrDefault(configuration.subtype(), Map.of())));
        }
        return List.copyOf(out);
    }

    /** As above, for one configuration and the VM's values of its subtype. */
    public static EffectiveSchedule resolve(BackupConfiguration configuration, Map<String, Setting> vmValues) {
        Map<String, EffectiveValue> fields = new LinkedHashMap<>();
        Map<String, Object> concrete = new LinkedHashMap<>();
        for (Map.Entry<String, Setting> e : configuration.fields().entrySet()) {
            EffectiveValue value = effective(configuration.subtype(), e.getKey(), e.getValue(), vmValues);
            fields.put(e.getKey(), value);
            if (value.concrete()) {
                concrete.put(e.getKey(), value.value());
            }
        }
        SchedulerExpression scheduler = concrete.size() == fields.size() ? SchedulerExpression.of(configuration.subtype(), concrete) : null;
        return new EffectiveSchedule(configuration.subtype(), fields, scheduler);
    }

    /** Whether Lifeboat knows every field, and so can run the schedule itself. */
    public boolean concrete() {
        return scheduler != null;
    }

    public EffectiveValue field(String name) {
        return fields.get(name);
    }

    private static EffectiveValue effective(Subtype subtype, String field, Setting setting, Map<String, Setting> vmValues) {
        return switch (setting.mode()) {
            case FIXED -> new EffectiveValue(EffectiveValue.Source.POLICY, setting.value());
            case NOT_APPLY -> EffectiveValue.LEFT_TO_BACKUP_SYSTEM;
            case DEFINE_IN_VM -> {
                Setting vm = vmValues.get(field);
                if (vm == null || vm.mode() != Setting.Mode.FIXED) {
                    throw new IllegalArgumentException(subtype + "." + field + " is DEFINE_IN_VM but the VM gives "
                            + (vm == null ? "no value" : vm.mode().name()) + "; VM values must be validated first");
                }
                yield new EffectiveValue(EffectiveValue.Source.VM, vm.value());
            }
        };
    }
}
