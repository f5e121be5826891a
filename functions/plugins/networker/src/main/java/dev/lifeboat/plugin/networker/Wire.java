package dev.lifeboat.plugin.networker;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reading NetWorker's JSON tolerantly. Several shapes are only believed ([U] in backup-systems.md §2), so each reader
 * accepts the variants a real server may plausibly send and answers null rather than failing on the unexpected.
 */
final class Wire {
    private Wire() {}

    /**
     * The items of a list answer {@code {"count":N,"<plural>":[...]}} (§2.2). The plural is given, but if it is
     * absent the first array field is taken: the plural of a few lists is [U] (instances, protection details).
     */
    static List<JsonNode> items(JsonNode list, String plural) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode arr = list.path(plural);
        if (!arr.isArray()) {
            arr = null;
            for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
                JsonNode n = it.next();
                if (n.isArray()) {
                    arr = n;
                    break;
                }
            }
        }
        if (arr != null) {
            arr.forEach(out::add);
        }
        return out;
    }

    /** A non-blank text field or null. */
    static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    /**
     * NetWorker's times: {@code 2018-12-10T21:00:05-07:00} (the §2.5 fixture). Also accepted: {@code Z}, fractions, no
     * offset (taken as UTC) and epoch numbers (milliseconds when large, else seconds). Null when unreadable.
     */
    static Instant time(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            long x = v.asLong();
            return x > 100_000_000_000L ? Instant.ofEpochMilli(x) : Instant.ofEpochSecond(x);
        }
        String s = v.asText().trim();
        if (s.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /**
     * A backup's size in bytes: {@code size} is {@code {"unit","value"}} in CS-N's model (§2.6), a plain number
     * elsewhere. Units are [U]; the usual names are read, anything else gives null rather than a wrong number.
     */
    static Long sizeBytes(JsonNode backup) {
        JsonNode size = backup.get("size");
        if (size == null || size.isNull()) {
            return null;
        }
        if (size.isNumber()) {
            return size.asLong();
        }
        if (size.isTextual()) {
            try {
                return Long.parseLong(size.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        JsonNode value = size.get("value");
        if (value == null || !(value.isNumber() || value.isTextual())) {
            return null;
        }
        double amount;
        try {
            amount = value.isNumber() ? value.asDouble() : Double.parseDouble(value.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
        String unit = size.path("unit").asText("Byte").trim().toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "", "b", "byte", "bytes" -> 1L;
            case "kb", "kib", "kilobyte", "kilobytes" -> 1L << 10;
            case "mb", "mib", "megabyte", "megabytes" -> 1L << 20;
            case "gb", "gib", "gigabyte", "gigabytes" -> 1L << 30;
            case "tb", "tib", "terabyte", "terabytes" -> 1L << 40;
            default -> -1L;
        };
        return factor < 0 ? null : Math.round(amount * factor);
    }

    /** {@code "true"}/{@code "false"} strings or JSON booleans (NetWorker's tools send both, §2.7). */
    static boolean bool(JsonNode n, String field, boolean dflt) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        return v.isBoolean() ? v.booleanValue() : v.asText().trim().equalsIgnoreCase("true");
    }
}
