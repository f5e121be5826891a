package dev.lifeboat.sim.veeam;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The query service's {@code filter}, {@code sortAsc}/{@code sortDesc}, {@code pageSize} and {@code page} parameters
 * [V, VD {@code optional_query_parameters}, {@code filter}]: conditions {@code field==value}, {@code !=}, {@code >=},
 * {@code <=} (also {@code >} and {@code <}, seen on the wire as {@code endtime>"2019-06-30"} [C]), joined by {@code ;}
 * (AND) and {@code ,} (OR); strings with spaces in double quotes, a literal quote doubled. AND binds tighter than OR,
 * as in FIQL, which this syntax follows [U]. Field names and string values compare case-insensitively, as EM's SQL
 * Server collation does [U].
 */
final class Query {
    /** Default page size when none is asked for [U]. */
    static final int DEFAULT_PAGE_SIZE = 100;

    private Query() {
    }

    record Page<T>(List<T> items, int pageNum, int pageSize, int pagesCount) {
    }

    /**
     * Filters, sorts and pages {@code all}; {@code fields} gives an item's queryable fields by lower-case name. Each
     * item's fields are made once: a sort that asked for them at every comparison made a page of a query over a
     * thousand points cost twenty thousand field maps, and paging through them grew with the square of the points.
     */
    static <T> Page<T> run(List<T> all, Function<T, Map<String, Object>> fields, Map<String, String> params) {
        Predicate<Map<String, Object>> filter = parse(params.get("filter"));
        String asc = params.get("sortasc");
        String desc = params.get("sortdesc");
        String sortField = asc != null || desc != null ? (asc != null ? asc : desc).toLowerCase(Locale.ROOT) : null;
        if (sortField != null && !all.isEmpty() && !fields.apply(all.get(0)).containsKey(sortField)) {
            throw new ApiError(400, "Unknown sort field \"" + sortField + "\".");
        }
        List<Map.Entry<T, Object>> matched = new ArrayList<>();
        for (T t : all) {
            Map<String, Object> f = fields.apply(t);
            if (filter.test(f)) {
                matched.add(new java.util.AbstractMap.SimpleImmutableEntry<>(t, sortField == null ? null : f.get(sortField)));
            }
        }
        if (sortField != null) {
            Comparator<Map.Entry<T, Object>> c = (a, b) -> compareNullsLast(a.getValue(), b.getValue());
            matched.sort(desc != null ? c.reversed() : c);
        }
        int pageSize = positive(params.get("pagesize"), DEFAULT_PAGE_SIZE, "pageSize");
        int page = positive(params.get("page"), 1, "page");
        int pages = Math.max(1, (matched.size() + pageSize - 1) / pageSize);
        int from = Math.min(matched.size(), (page - 1) * pageSize);
        int to = Math.min(matched.size(), from + pageSize);
        List<T> items = new ArrayList<>(to - from);
        for (Map.Entry<T, Object> e : matched.subList(from, to)) items.add(e.getKey());
        return new Page<>(items, page, pageSize, pages);
    }

    private static int positive(String v, int absent, String name) {
        if (v == null || v.isBlank()) {
            return absent;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new ApiError(400, "Query parameter " + name + " must be a positive number, got \"" + v + "\".");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareNullsLast(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a instanceof String s && b instanceof String t) {
            return s.compareToIgnoreCase(t);
        }
        return ((Comparable) a).compareTo(b);
    }

    // ---- filter ----

    /** Whether the filter has an OR ({@code ,} outside double quotes). */
    static boolean hasUnquotedComma(String filter) {
        boolean quoted = false;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted) return true;
        }
        return false;
    }

    /** The filter's alternatives: its parts between commas outside double quotes. */
    static List<String> alternatives(String filter) {
        List<String> out = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted) {
                out.add(part.toString());
                part.setLength(0);
                continue;
            }
            part.append(c);
        }
        out.add(part.toString());
        return out;
    }

    static Predicate<Map<String, Object>> parse(String filter) {
        if (filter == null || filter.isBlank()) {
            return m -> true;
        }
        List<List<String>> ors = new ArrayList<>();
        List<String> ands = new ArrayList<>();
        StringBuilder term = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (c == '"') {
                quoted = !quoted; // a doubled quote toggles twice: still inside
            }
            if (!quoted && (c == ';' || c == ',')) {
                ands.add(term.toString());
                term.setLength(0);
                if (c == ',') {
                    ors.add(ands);
                    ands = new ArrayList<>();
                }
                continue;
            }
            term.append(c);
        }
        if (quoted) {
            throw new ApiError(400, "Unterminated quoted string in filter: " + filter);
        }
        ands.add(term.toString());
        ors.add(ands);
        List<Predicate<Map<String, Object>>> alternatives = new ArrayList<>();
        for (List<String> group : ors) {
            Predicate<Map<String, Object>> all = m -> true;
            for (String t : group) {
                all = all.and(condition(t.trim(), filter));
            }
            alternatives.add(all);
        }
        return m -> alternatives.stream().anyMatch(p -> p.test(m));
    }

    private static Predicate<Map<String, Object>> condition(String term, String filter) {
        int at = -1;
        for (int i = 0; i < term.length(); i++) {
            char c = term.charAt(i);
            if (c == '"') {
                break;
            }
            if (c == '=' || c == '!' || c == '<' || c == '>') {
                at = i;
                break;
            }
        }
        if (at <= 0) {
            throw new ApiError(400, "Invalid filter condition \"" + term + "\" in " + filter);
        }
        String field = term.substring(0, at).trim().toLowerCase(Locale.ROOT);
        String op = term.length() > at + 1 && term.charAt(at + 1) == '=' ? term.substring(at, at + 2) : term.substring(at, at + 1);
        if (op.equals("=") || op.equals("!")) {
            throw new ApiError(400, "Invalid filter operator in \"" + term + "\"; use ==, !=, >=, <=, > or <.");
        }
        String value = unquote(term.substring(at + op.length()).trim());
        Instant[] asTime = new Instant[1]; // the value read as a time once, the first time a time field meets it
        return m -> {
            if (!m.containsKey(field)) {
                // An unknown field is a client error on the real service too [U: status and wording].
                throw new ApiError(400, "Unknown filter field \"" + field + "\".");
            }
            Object actual = m.get(field);
            if (actual == null) {
                return op.equals("!=");
            }
            int cmp;
            if (actual instanceof Instant instant) {
                if (asTime[0] == null) asTime[0] = instant(value);
                cmp = instant.compareTo(asTime[0]);
            } else {
                cmp = compare(actual, value);
            }
            return switch (op) {
                case "==" -> cmp == 0;
                case "!=" -> cmp != 0;
                case ">=" -> cmp >= 0;
                case "<=" -> cmp <= 0;
                case ">" -> cmp > 0;
                default -> cmp < 0;
            };
        };
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\"\"", "\"");
        }
        return v;
    }

    /** A number or a string; a time is compared by the condition, which reads its value as a time once. */
    private static int compare(Object actual, String value) {
        if (actual instanceof Number n) {
            try {
                return Long.compare(n.longValue(), Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new ApiError(400, "Filter value \"" + value + "\" is not a number.");
            }
        }
        return actual.toString().compareToIgnoreCase(value);
    }

    /** Accepts {@code 2019-06-30}, {@code 2019-06-30 12:00:00}, {@code 2019-06-30T12:00:00} and ISO instants; UTC. */
    static Instant instant(String v) {
        try {
            if (v.endsWith("Z") || v.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(v, Instant::from);
            }
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return LocalDateTime.parse(v.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new ApiError(400, "Filter value \"" + v + "\" is not a date or time.");
        }
    }
}
