package dev.lifeboat.domain.common;

import dev.lifeboat.domain.error.DomainException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * Opaque list cursors: the position of the last item shown, tagged with the list it belongs to and base64url-encoded,
 * so that clients pass them back unchanged and a cursor of another list is refused rather than misread.
 */
public final class Cursors {
    private Cursors() {}

    public static String encode(String list, String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((list + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    /** The position inside a cursor of {@code list}; a 400 naming {@code cursor} for anything else. */
    public static String decode(String list, String cursor, Predicate<String> validPosition) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String prefix = list + ":";
            if (text.startsWith(prefix) && validPosition.test(text.substring(prefix.length()))) {
                return text.substring(prefix.length());
            }
        } catch (IllegalArgumentException e) {
            // falls through to the same answer as any other foreign cursor
        }
        throw DomainException.badRequest("cursor", "is not a cursor of this list; pass nextCursor from the previous page as it is");
    }
}
