package dev.lifeboat.api.http;

import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.error.DomainException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** If-Match and paging parameters. */
public final class Headers {
    private static final Pattern ETAG = Pattern.compile("(?:W/)?\"?(\\d{1,18})\"?");

    private Headers() {}

    /** {@code "3"}, {@code W/"3"} or {@code 3}; {@code *} or no header means any version. */
    public static ExpectedVersion ifMatch(HttpRequest request) {
        String value = request.header("if-match");
        if (value == null || value.trim().equals("*")) {
            return ExpectedVersion.ANY;
        }
        Matcher m = ETAG.matcher(value.trim());
        if (!m.matches()) {
            throw DomainException.badRequest("If-Match", "must be the ETag of the resource, e.g. \"3\"");
        }
        return ExpectedVersion.of(Long.parseLong(m.group(1)));
    }

    public static PageRequest page(HttpRequest request) {
        String limit = request.query("limit");
        int size = PageRequest.DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw DomainException.badRequest("limit", "must be an integer from 1 to " + PageRequest.MAX_LIMIT);
            }
        }
        String cursor = request.query("cursor");
        return new PageRequest(size, cursor == null || cursor.isEmpty() ? null : cursor);
    }
}
