package dev.lifeboat.domain.common;

import dev.lifeboat.domain.error.DomainException;

/**
 * The version a writer expects to replace, from an {@code If-Match} header. {@link #ANY} means the writer did not
 * say; the service then still writes conditionally on the version it read, so that no concurrent update is lost.
 */
public record ExpectedVersion(Long version) {
    public static final ExpectedVersion ANY = new ExpectedVersion(null);

    public static ExpectedVersion of(long version) {
        return new ExpectedVersion(version);
    }

    public boolean isAny() {
        return version == null;
    }

    /** Fails with 412 when the writer expected another version than the current one. */
    public void check(long current) {
        if (version != null && version != current) {
            throw DomainException.stale(current);
        }
    }
}
