package dev.lifeboat.domain.common;

import dev.lifeboat.domain.error.DomainException;

/** A page size and the opaque cursor from a previous page (null for the first). */
public record PageRequest(int limit, String cursor) {
    public static final int DEFAULT_LIMIT = 25;
    public static final int MAX_LIMIT = 100;

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw DomainException.badRequest("limit", "must be an integer from 1 to " + MAX_LIMIT);
        }
    }

    public static PageRequest first(int limit) {
        return new PageRequest(limit, null);
    }
}
