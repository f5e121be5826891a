package dev.lifeboat.sim.networker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code q=} and {@code fl=} query parameters of NetWorker lists (backup-systems.md §2.2).
 *
 * <p>{@code q} is {@code attr:value} terms joined by {@code and} (a client writes {@code +and+} or {@code %20and%20},
 * both arrive as spaces). A value may be quoted, a comma list of alternatives (NWPS joins VM names with {@code ,}),
 * a range {@code ['2024-01-01T10:00:00' TO '2024-01-01T11:00:00']} ({@code *} for an open end) or a relative range
 * {@code [7 days]} (newer than now minus that). Values compare case-insensitively: DAN filters jobs with
 * {@code state:completed} while jobs say {@code Completed}. An attribute may be a dotted path
 * ({@code vmInformation.vmName}); arrays along the path match when any element does. Times without an offset are UTC,
 * the simulator's zone.
 *
 * <p>{@code fl=a,b} keeps only those fields of each item (dotted paths allowed); {@code count} is unaffected.
 */
final class Query {
    private static final Pattern RELATIVE = Pattern.compile("(\\d+)\\s*(minute|hour|day|week|month)s?", Pattern.CASE_INSENSITIVE);
    private static final Pattern TO = Pattern.compile("\\s+TO\\s+", Pattern.CASE_INSENSITIVE);

    private final List<Term> terms;

    private Query(List<Term> terms) {
        this.terms = terms;
    }

    /** Parses {@code q} (null or blank: everything matches); throws IllegalArgumentException when malformed. */
    static Query parse(String q, Instant now) {
        List<Term> terms = new ArrayList<>();
        if (q == null || q.isBlank()) {
            return new Query(terms);
        }
        for (String raw : splitTerms(q)) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            int colon = t.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Invalid query term '" + t + "': expected attribute:value");
            }
            List<String> path = List.of(t.substring(0, colon).trim().split("\\."));
            String value = t.substring(colon + 1).trim();
            if (value.startsWith("[") && value.endsWith("]")) {
                terms.add(rangeTerm(path, value.substring(1, value.length() - 1).trim(), now, t));
            } else {
                List<String> alternatives = new ArrayList<>();
                for (String v : splitOutsideQuotes(value, ',')) {
                    alternatives.add(unquote(v.trim()));
                }
                terms.add(new Term(path, alternatives, null, null, null));
            }
        }
        return new Query(terms);
    }

    /**
     * The bounds of a time range on a top-level attribute ({@code saveTime:['a' TO 'b']} or {@code saveTime:[7 days]}),
     * so a list can start from an index; null when the query has no such term. Ends are inclusive; null is open.
     */
    Instant[] timeRange(String attribute) {
        for (Term t : terms) {
            if (t.path.size() == 1 && t.path.get(0).equalsIgnoreCase(attribute) && t.values.isEmpty()) {
                return t.since != null ? new Instant[] {t.since, null}
                        : new Instant[] {t.low == null ? null : time(t.low), t.high == null ? null : time(t.high)};
            }
        }
        return null;
    }

    boolean matches(JsonNode item) {
        for (Term t : terms) {
            List<JsonNode> leaves = new ArrayList<>();
            collect(item, t.path, 0, leaves);
            if (leaves.stream().noneMatch(t::accepts)) {
                return false;
            }
        }
        return true;
    }

    /** The item reduced to the fields of {@code fl} (null or blank: the item itself). */
    static ObjectNode project(ObjectNode item, String fl) {
        if (fl == null || fl.isBlank()) {
            return item;
        }
        ObjectNode out = item.objectNode();
        for (String f : fl.split(",")) {
            String field = f.trim();
            if (field.isEmpty()) {
                continue;
            }
            String[] parts = field.split("\\.");
            JsonNode src = item;
            ObjectNode dst = out;
            for (int i = 0; i < parts.length && src != null; i++) {
                JsonNode next = field(src, parts[i]);
                if (next == null) {
                    break;
                }
                if (i == parts.length - 1 || !next.isObject()) {
                    dst.set(parts[i], next.deepCopy());
                    break;
                }
                dst = dst.has(parts[i]) && dst.get(parts[i]).isObject() ? (ObjectNode) dst.get(parts[i]) : dst.putObject(parts[i]);
                src = next;
            }
        }
        return out;
    }

    private static Term rangeTerm(List<String> path, String inner, Instant now, String term) {
        Matcher rel = RELATIVE.matcher(inner);
        if (rel.matches()) {
            long n = Long.parseLong(rel.group(1));
            Duration unit = switch (rel.group(2).toLowerCase(Locale.ROOT)) {
                case "minute" -> Duration.ofMinutes(1);
                case "hour" -> Duration.ofHours(1);
                case "day" -> Duration.ofDays(1);
                case "week" -> Duration.ofDays(7);
                default -> Duration.ofDays(30);
            };
            return new Term(path, List.of(), null, null, now.minus(unit.multipliedBy(n)));
        }
        String[] ends = TO.split(inner, -1);
        if (ends.length != 2) {
            throw new IllegalArgumentException("Invalid range in query term '" + term + "'");
        }
        String low = unquote(ends[0].trim());
        String high = unquote(ends[1].trim());
        // A time attribute's range takes times: a client that writes something else gets a 400, not an empty list.
        if (path.get(path.size() - 1).toLowerCase(Locale.ROOT).endsWith("time")) {
            for (String end : List.of(low, high)) {
                if (!end.equals("*") && time(end) == null) {
                    throw new IllegalArgumentException("Invalid date '" + end + "' in query term '" + term + "'");
                }
            }
        }
        return new Term(path, List.of(), low.equals("*") ? null : low, high.equals("*") ? null : high, null);
    }

    private static void collect(JsonNode node, List<String> path, int i, List<JsonNode> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode e : node) {
                collect(e, path, i, out);
            }
            return;
        }
        if (i == path.size()) {
            out.add(node);
            return;
        }
        collect(field(node, path.get(i)), path, i + 1, out);
    }

    /** Field lookup, exact name first, then ignoring case (clients are not consistent about {@code vCenterHostname}). */
    private static JsonNode field(JsonNode node, String name) {
        if (!node.isObject()) {
            return null;
        }
        JsonNode v = node.get(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Splits on {@code and} (or a literal {@code +and+}) outside brackets and quotes. */
    private static List<String> splitTerms(String q) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (depth == 0 && (q.regionMatches(true, i, " and ", 0, 5) || q.regionMatches(true, i, "+and+", 0, 5))) {
                out.add(q.substring(start, i));
                start = i + 5;
                i += 4;
            }
        }
        out.add(q.substring(start));
        return out;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new ArrayList<>();
        char quote = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == sep) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    static Instant time(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int compare(String a, String b) {
        Instant ta = time(a);
        Instant tb = time(b);
        if (ta != null && tb != null) {
            return ta.compareTo(tb);
        }
        try {
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            return a.compareToIgnoreCase(b);
        }
    }

    private record Term(List<String> path, List<String> values, String low, String high, Instant since) {
        boolean accepts(JsonNode leaf) {
            if (!leaf.isValueNode()) {
                return false;
            }
            String text = leaf.asText();
            if (since != null) {
                Instant t = time(text);
                return t != null && !t.isBefore(since);
            }
            if (values.isEmpty()) {
                return (low == null || compare(text, low) >= 0) && (high == null || compare(text, high) <= 0);
            }
            return values.stream().anyMatch(text::equalsIgnoreCase);
        }
    }
}
