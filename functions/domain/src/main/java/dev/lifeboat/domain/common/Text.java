package dev.lifeboat.domain.common;

import dev.lifeboat.domain.error.Violations;
import java.util.regex.Pattern;

/** The contract's limits on names, codes, descriptions and path ids, counted in characters (code points). */
public final class Text {
    public static final Pattern PATH_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    public static final Pattern CODE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Text() {}

    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    public static boolean isPathId(String s) {
        return s != null && PATH_ID.matcher(s).matches();
    }

    /** A required text of 1..max characters that is not only blanks. */
    public static void requireText(Violations v, String field, String value, int max) {
        if (value == null) {
            v.add(field, "is required");
        } else if (value.isBlank()) {
            v.add(field, "must not be empty");
        } else if (length(value) > max) {
            v.add(field, "must be at most " + max + " characters");
        }
    }
}
