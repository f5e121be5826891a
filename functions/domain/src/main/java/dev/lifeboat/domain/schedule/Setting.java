package dev.lifeboat.domain.schedule;

import java.util.List;

/**
 * The value of one schedule field of a policy: fixed by the policy, left to the backup system ({@code NOT_APPLY}),
 * or supplied by each VM ({@code DEFINE_IN_VM}). A fixed value is kept in its canonical text form: a String,
 * or for {@code days} a list of lower-case day names.
 */
public record Setting(Mode mode, Object value) {
    public static final Setting NOT_APPLY = new Setting(Mode.NOT_APPLY, null);
    public static final Setting DEFINE_IN_VM = new Setting(Mode.DEFINE_IN_VM, null);

    public enum Mode { FIXED, NOT_APPLY, DEFINE_IN_VM }

    public static Setting fixed(String value) {
        return new Setting(Mode.FIXED, value);
    }

    public static Setting fixedDays(List<String> days) {
        return new Setting(Mode.FIXED, List.copyOf(days));
    }

    /** The form used in JSON and in the table: the fixed value, or the mode's name. */
    public Object wireValue() {
        return mode == Mode.FIXED ? value : mode.name();
    }
}
