package dev.lifeboat.domain.schedule;

import java.time.Instant;
import java.util.List;

/**
 * Turns a raw field value (String, Long, List of String or null, as the JSON held it) into a {@link Setting},
 * for policies (which may also say NOT_APPLY or DEFINE_IN_VM) and for VMs (which give concrete values only).
 */
public final class ScheduleValues {
    private ScheduleValues() {}

    /** A value of the wrong JSON kind: the request is malformed (400). */
    public static final class WrongKind extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        WrongKind(String message) {
            super(message, null);
        }
    }

    /**
     * @param allowModes whether NOT_APPLY / DEFINE_IN_VM are accepted (policies) or refused (VM values)
     * @throws WrongKind for a value of the wrong JSON kind
     * @throws IllegalArgumentException for a value in the wrong format (422)
     */
    public static Setting parse(String field, Object raw, Instant now, boolean allowModes) {
        return parse(field, raw, now, allowModes, java.util.Set.of());
    }

    /**
     * @param storedMoments DEFINED_HOUR moments already stored: one of them stays valid after it has passed, so a
     *                      policy whose moment is over can still be renamed
     */
    public static Setting parse(String field, Object raw, Instant now, boolean allowModes, java.util.Set<String> storedMoments) {
        if (raw == null) {
            if (allowModes) {
                return Setting.NOT_APPLY;
            }
            throw new IllegalArgumentException("is required");
        }
        if (raw instanceof String s && (s.equals("NOT_APPLY") || s.equals("DEFINE_IN_VM"))) {
            if (!allowModes) {
                throw new IllegalArgumentException(s + " is not a value: give the concrete value");
            }
            return s.equals("NOT_APPLY") ? Setting.NOT_APPLY : Setting.DEFINE_IN_VM;
        }
        switch (field) {
            case Subtype.Field.DATE_TIME -> {
                ScheduleDateTime at = ScheduleFormats.parseDateTime(string(raw, ScheduleFormats.DATE_TIME_FORMAT));
                if (!at.instant().isAfter(now) && !storedMoments.contains(at.format())) {
                    throw new IllegalArgumentException("is in the past: " + at.format());
                }
                return Setting.fixed(at.format());
            }
            case Subtype.Field.TIME -> {
                return Setting.fixed(ScheduleFormats.parseTime(string(raw, ScheduleFormats.TIME_FORMAT)).format());
            }
            case Subtype.Field.HOURS -> {
                // The contract (api.md) gives hours as a string ("6"): a JSON number is a value of the wrong kind.
                if (!(raw instanceof String text)) {
                    throw new WrongKind("must be a string: a whole number of hours from 1 to 23, e.g. \"6\"");
                }
                return Setting.fixed(Integer.toString(ScheduleFormats.parseHours(text)));
            }
            case Subtype.Field.DAYS -> {
                if (!(raw instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
                    if (raw instanceof String) {
                        throw new IllegalArgumentException("must be an array of days, NOT_APPLY or DEFINE_IN_VM");
                    }
                    throw new WrongKind("must be an array of day names");
                }
                return Setting.fixedDays(ScheduleFormats.parseDays(list.stream().map(String.class::cast).toList()));
            }
            default -> throw new IllegalArgumentException("is not a schedule field");
        }
    }

    private static String string(Object raw, String format) {
        if (raw instanceof String s) {
            return s;
        }
        throw new WrongKind("must be a string: " + format);
    }
}
