package dev.lifeboat.plugin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logon sessions (a Veeam {@code X-RestSvcSessionId}, a vCenter {@code vmware_soap_session} cookie) kept while the
 * Lambda stays warm, one per manager: endpoint, user and secret version, so a changed password never reuses a session
 * of the old one. A session is reused until it has been idle for {@code idle}, chosen below the backup system's own
 * idle timeout; a session the system has dropped earlier answers 401 / NotAuthenticated, and the client logs on again
 * once ({@link #forget}).
 *
 * <p>The values are bearer credentials: they live in this map only, never in a log line, a result or the workflow's
 * state. The map is bounded; Lambda runs one command at a time per container, the local runtime several.
 */
public final class WarmSessions<T> {
    private static final int MAX_ENTRIES = 64;

    /** Which manager a session belongs to. */
    public record Key(String endpoint, String user, String secretId, String secretVersion) {
        public static Key of(Refs.Manager m, String endpoint, String user) {
            return new Key(endpoint, user, m.secretRef().secretId(), m.secretRef().versionId());
        }
    }

    private record Entry<T>(T session, Instant lastUsed) {}

    private final Map<Key, Entry<T>> sessions = new ConcurrentHashMap<>();
    private final Duration idle;
    private final Clock clock;

    public WarmSessions(Duration idle, Clock clock) {
        this.idle = Objects.requireNonNull(idle);
        this.clock = Objects.requireNonNull(clock);
    }

    public WarmSessions(Duration idle) {
        this(idle, Clock.systemUTC());
    }

    /** The kept session, if one was used within the idle time; using it counts as use. */
    public Optional<T> take(Key key) {
        Entry<T> e = sessions.get(key);
        if (e == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (!now.isBefore(e.lastUsed().plus(idle))) {
            sessions.remove(key, e);
            return Optional.empty();
        }
        sessions.put(key, new Entry<>(e.session(), now));
        return Optional.of(e.session());
    }

    public void keep(Key key, T session) {
        if (sessions.size() >= MAX_ENTRIES && !sessions.containsKey(key)) {
            sessions.clear();
        }
        sessions.put(key, new Entry<>(session, clock.instant()));
    }

    /** Drops the session if it is still this one (the backup system said it is gone). */
    public void forget(Key key, T session) {
        sessions.computeIfPresent(key, (k, e) -> e.session().equals(session) ? null : e);
    }

    public int size() {
        return sessions.size();
    }

    public void clear() {
        sessions.clear();
    }
}
