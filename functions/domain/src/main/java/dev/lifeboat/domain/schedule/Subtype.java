package dev.lifeboat.domain.schedule;

import java.util.List;

/** When a complete backup runs, and the fields each kind of schedule has, in the order they are shown. */
public enum Subtype {
    DEFINED_HOUR(List.of(Field.DATE_TIME)),
    HOURLY(List.of(Field.HOURS)),
    DAILY(List.of(Field.TIME)),
    WEEKLY_PLANNED(List.of(Field.DAYS, Field.TIME)),
    MONTHLY(List.of(Field.TIME));

    private final List<String> fields;

    Subtype(List<String> fields) {
        this.fields = fields;
    }

    public List<String> fields() {
        return fields;
    }

    public static Subtype parse(String text) {
        for (Subtype s : values()) {
            if (s.name().equals(text)) {
                return s;
            }
        }
        return null;
    }

    /** JSON names of the schedule fields. */
    public static final class Field {
        public static final String DATE_TIME = "dateTime";
        public static final String HOURS = "hours";
        public static final String TIME = "time";
        public static final String DAYS = "days";

        private Field() {}
    }
}
