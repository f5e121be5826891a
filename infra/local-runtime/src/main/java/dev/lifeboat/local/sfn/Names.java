package dev.lifeboat.local.sfn;

/**
 * The naming rule of state machines and executions, as the StartExecution API reference states it for {@code name}
 * (botocore's {@code stepfunctions/2016-11-23/service-2.json}, shape {@code Name}: length 1 to 80): no white space,
 * brackets {@code < > { } [ ]}, wildcards {@code ? *}, special characters {@code " # % \ ^ | ~ ` $ & , ; : /},
 * control characters (U+0000-001F, U+007F-009F, U+FFFE-FFFF) or surrogates (U+D800-DFFF).
 */
final class Names {
    static final int MAX_LENGTH = 80;
    private static final String FORBIDDEN = "<>{}[]?*\"#%\\^|~`$&,;:/";

    private Names() {
    }

    static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.codePointCount(0, name.length()) > MAX_LENGTH) {
            return false;
        }
        return name.codePoints().allMatch(Names::allowed);
    }

    private static boolean allowed(int c) {
        return !(Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c <= 0x1F || (c >= 0x7F && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF
                || (c >= 0xD800 && c <= 0xDFFF) // only unpaired ones reach here: codePoints() joins pairs
                || FORBIDDEN.indexOf(c) >= 0);
    }
}
