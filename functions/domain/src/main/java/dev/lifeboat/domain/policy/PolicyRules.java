package dev.lifeboat.domain.policy;

import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.schedule.BackupConfiguration;
import dev.lifeboat.domain.schedule.ScheduleValues;
import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Validation of a policy draft: every error at once, wrong JSON kinds as 400 and bad values as 422. */
public final class PolicyRules {
    public static final int MAX_NAME = 128;
    public static final int MAX_DESCRIPTION = 1024;

    private PolicyRules() {}

    /** The valid content of a policy. */
    public record ValidPolicy(String name, String code, String description, List<BackupConfiguration> configurations) {}

    public static ValidPolicy validate(PolicyDraft draft, Instant now) {
        return validate(draft, now, List.of());
    }

    /** As above, for a change of a policy whose schedules are {@code stored}. */
    public static ValidPolicy validate(PolicyDraft draft, Instant now, List<BackupConfiguration> stored) {
        Set<String> storedMoments = stored.stream()
                .filter(c -> c.subtype() == Subtype.DEFINED_HOUR && c.field(Subtype.Field.DATE_TIME).mode() == Setting.Mode.FIXED)
                .map(c -> (String) c.field(Subtype.Field.DATE_TIME).value())
                .collect(Collectors.toSet());
        Violations malformed = new Violations();
        Violations invalid = new Violations();
        Text.requireText(invalid, "name", draft.name(), MAX_NAME);
        if (draft.code() == null) {
            invalid.add("code", "is required");
        } else if (!Text.CODE.matcher(draft.code()).matches()) {
            invalid.add("code", "must have 1 to 64 characters of A-Z a-z 0-9 . _ -");
        }
        String description = draft.description() == null ? "" : draft.description();
        if (Text.length(description) > MAX_DESCRIPTION) {
            invalid.add("description", "must be at most " + MAX_DESCRIPTION + " characters");
        }
        List<BackupConfiguration> configurations = new ArrayList<>();
        List<PolicyDraft.ConfigurationDraft> drafts = draft.configurations();
        if (drafts == null) {
            invalid.add("backupConfigurations", "is required");
        } else if (drafts.isEmpty() || drafts.size() > Subtype.values().length) {
            invalid.add("backupConfigurations", "must have 1 to " + Subtype.values().length + " entries, at most one per subtype");
        } else {
            EnumSet<Subtype> seen = EnumSet.noneOf(Subtype.class);
            for (int i = 0; i < drafts.size(); i++) {
                BackupConfiguration c = configuration("backupConfigurations[" + i + "]", drafts.get(i), now, storedMoments, seen, malformed, invalid);
                if (c != null) {
                    configurations.add(c);
                }
            }
        }
        malformed.throwIfAny(Problem.BAD_REQUEST);
        invalid.throwIfAny(Problem.VALIDATION_FAILED);
        return new ValidPolicy(draft.name(), draft.code(), description, configurations);
    }

    private static BackupConfiguration configuration(String path, PolicyDraft.ConfigurationDraft d, Instant now, Set<String> storedMoments,
                                                     EnumSet<Subtype> seen,
                                                     Violations malformed, Violations invalid) {
        if (d.type() == null) {
            invalid.add(path + ".type", "is required; only COMPLETE is supported");
        } else if (!d.type().equals(BackupConfiguration.TYPE_COMPLETE)) {
            invalid.add(path + ".type", "'" + d.type() + "' is not supported; only COMPLETE is");
        }
        if (d.subtype() == null) {
            invalid.add(path + ".subtype", "is required");
            return null;
        }
        Subtype subtype = Subtype.parse(d.subtype());
        if (subtype == null) {
            invalid.add(path + ".subtype", "must be one of " + Arrays.stream(Subtype.values()).map(Enum::name).collect(Collectors.joining(", ")));
            return null;
        }
        if (!seen.add(subtype)) {
            invalid.add(path + ".subtype", subtype + " appears more than once; a subtype may appear once per policy");
        }
        Map<String, Setting> fields = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : d.fields().entrySet()) {
            if (!subtype.fields().contains(e.getKey())) {
                invalid.add(path + "." + e.getKey(), "does not apply to " + subtype + ", whose fields are " + String.join(", ", subtype.fields()));
            }
        }
        for (String field : subtype.fields()) {
            try {
                fields.put(field, ScheduleValues.parse(field, d.fields().get(field), now, true, storedMoments));
            } catch (ScheduleValues.WrongKind e) {
                malformed.add(path + "." + field, e.getMessage());
            } catch (IllegalArgumentException e) {
                invalid.add(path + "." + field, e.getMessage());
            }
        }
        return new BackupConfiguration(subtype, fields);
    }
}
