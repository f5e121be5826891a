package dev.lifeboat.plugin.veeam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Tolerant reading of Enterprise Manager's JSON documents.
 *
 * <p>EM serialises one data contract as XML or JSON; in JSON attributes and child elements both become properties
 * and lists become arrays named by a plural (backup-systems.md §1.2, [V] for {@code {"Refs":[...]}} and
 * {@code "TaskId"}). The exact JSON nesting of other collections and query results is [U] (§1.3), so these helpers
 * never depend on a wrapper's name: a collection is the first array found under the document, property names compare
 * case-insensitively, and booleans may come as JSON booleans or as the strings {@code "true"}/{@code "false"}.
 */
final class VeeamJson {
    private VeeamJson() {}

    /** A property by name, exact first, then ignoring case; {@link MissingNode} when absent. */
    static JsonNode field(JsonNode node, String name) {
        if (node == null || !node.isObject()) return MissingNode.getInstance();
        JsonNode exact = node.get(name);
        if (exact != null) return exact;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return MissingNode.getInstance();
    }

    /** A text property, or null when absent, null or blank. */
    static String text(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v.isMissingNode() || v.isNull() || v.isContainerNode()) return null;
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    static Integer integer(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v.isNumber()) return v.asInt();
        String s = text(node, name);
        if (s == null) return null;
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Long longValue(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v.isNumber()) return v.asLong();
        String s = text(node, name);
        if (s == null) return null;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code Result/@Success} arrives as a JSON boolean from the simulator; a string from a real EM is possible [U]. */
    static boolean bool(JsonNode node, String name) {
        JsonNode v = field(node, name);
        return v.isBoolean() ? v.booleanValue() : "true".equalsIgnoreCase(v.asText(""));
    }

    /** The {@code Links} of a resource: {@code [{Rel, Type, Href, Name}]}. */
    static List<JsonNode> links(JsonNode node) {
        JsonNode links = field(node, "Links");
        if (links.isObject()) {
            // Tolerance for an XML-style wrapper {"Links":{"Link":[...]}} [U].
            links = firstArray(links);
        }
        List<JsonNode> out = new ArrayList<>();
        if (links != null && links.isArray()) links.forEach(out::add);
        return out;
    }

    /** The Href of the first link with this Rel and, when {@code type} is not null, this Type (both ignoring case). */
    static Optional<String> link(JsonNode node, String rel, String type) {
        for (JsonNode l : links(node)) {
            String r = text(l, "Rel");
            String t = text(l, "Type");
            String href = text(l, "Href");
            if (href != null && rel.equalsIgnoreCase(r) && (type == null || type.equalsIgnoreCase(t))) {
                return Optional.of(href);
            }
        }
        return Optional.empty();
    }

    /**
     * The items of a collection document, whatever its wrappers: {@code {"Refs":[...]}}, {@code {"ObjectInJobs":[...]}},
     * {@code {"Entities":{"VmRestorePoints":{"VmRestorePoints":[...]}},"PagingInfo":...}}, or a bare array.
     */
    static List<JsonNode> items(JsonNode doc) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode array = doc != null && doc.isArray() ? doc : firstArray(doc);
        if (array != null) array.forEach(out::add);
        return out;
    }

    private static JsonNode firstArray(JsonNode node) {
        if (node == null || !node.isObject()) return null;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (key.equals("links") || key.equals("paginginfo")) continue;
            if (e.getValue().isArray()) return e.getValue();
            if (e.getValue().isObject()) {
                JsonNode nested = firstArray(e.getValue());
                if (nested != null) return nested;
            }
        }
        return null;
    }

    /**
     * The id in a UID ({@code urn:veeam:BackupJobSession:<id>}), an Href ({@code .../backupSessions/<id>?format=Entity})
     * or an id already: the text after the last {@code /} or {@code :}, without a query.
     */
    static String idOf(String uidHrefOrId) {
        if (uidHrefOrId == null) return null;
        String s = uidHrefOrId.trim();
        int q = s.indexOf('?');
        if (q >= 0) s = s.substring(0, q);
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf(':'));
        return cut >= 0 ? s.substring(cut + 1) : s;
    }

    /**
     * A {@code *UTC} time: ISO with {@code Z} as in VD examples ({@code 2025-06-16T04:00:52.107Z}); an offset or no zone
     * at all (then UTC, as the element name says) are accepted too. Null when absent or unreadable.
     */
    static Instant instant(JsonNode node, String name) {
        String s = text(node, name);
        if (s == null) return null;
        try {
            return Instant.parse(s);
        } catch (RuntimeException ignored) {
            // try the other shapes
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (RuntimeException ignored) {
            // try without zone
        }
        try {
            return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
