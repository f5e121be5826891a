package dev.lifeboat.domain.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Port: tells operators that a backup or a restore changed status, so that they can be notified of failures (the
 * API contract's "Events": source {@code lifeboat}, one detail-type per kind). Events are published in the order
 * given, as many as the bus accepts; implementations throw {@link Unavailable} when any of them could not be
 * published, after publishing all the others they could.
 */
public interface EventPublisher {

    /**
     * Publishes the events; an empty list publishes nothing.
     *
     * @throws Unavailable when some or all of the events could not be published
     * @throws IllegalArgumentException when an event is too large to be published at all; then nothing is published
     */
    void publish(List<StateChangeEvent> events);

    /**
     * One status change.
     *
     * @param kind     which detail-type it is published as
     * @param resource the id of the backup or restore it is about, or null
     * @param detail   the event's detail, a JSON object: values are String, Number (finite), Boolean, null, or nested
     *                 Maps with String keys and Lists of the same; kept as an unmodifiable copy in the given order
     */
    record StateChangeEvent(Kind kind, String resource, Map<String, Object> detail) {
        public StateChangeEvent {
            Objects.requireNonNull(kind, "kind");
            detail = detail == null ? Map.of() : object(detail, "detail");
        }

        /** The kinds of change, each with the detail-type it is published under. */
        public enum Kind {
            BACKUP("Backup State Change"),
            RESTORE("Restore State Change");

            private final String detailType;

            Kind(String detailType) {
                this.detailType = detailType;
            }

            public String detailType() {
                return detailType;
            }
        }

        private static Map<String, Object> object(Map<?, ?> map, String path) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(path + " has a key that is not a string: " + e.getKey());
                }
                copy.put(key, value(e.getValue(), path + "." + key));
            }
            return Collections.unmodifiableMap(copy);
        }

        private static Object value(Object value, String path) {
            if (value == null || value instanceof String || value instanceof Boolean) {
                return value;
            }
            if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
                throw new IllegalArgumentException(path + " is not a finite number: " + value);
            }
            if (value instanceof Number) {
                return value;
            }
            if (value instanceof Map<?, ?> map) {
                return object(map, path);
            }
            if (value instanceof List<?> list) {
                List<Object> copy = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    copy.add(value(list.get(i), path + "[" + i + "]"));
                }
                return Collections.unmodifiableList(copy);
            }
            throw new IllegalArgumentException(path + " is not a JSON value: " + value.getClass().getSimpleName());
        }
    }

    /** Some events could not be published; {@link #lost()} says how many. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final int lost;

        public Unavailable(String message, int lost, Throwable cause) {
            super(message, cause);
            this.lost = lost;
        }

        /** How many of the events given to {@code publish} were not published. */
        public int lost() {
            return lost;
        }
    }
}
