package dev.lifeboat.local;

import dev.lifeboat.local.template.HttpRoute;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the route of a request as API Gateway HTTP APIs do: the most specific path wins, segment by segment from
 * the left (a literal beats a {@code {param}}, which beats a greedy {@code {proxy+}}); at equal paths a route of
 * the request's method beats {@code ANY}; {@code $default} catches the rest. A path that matches only under another
 * method is not found (404), as on API Gateway.
 */
final class RouteTable {

    private static final int LITERAL = 0;
    private static final int PARAMETER = 1;
    private static final int GREEDY = 2;

    private final List<CompiledRoute> routes = new ArrayList<>();
    private final HttpRoute defaultRoute;

    RouteTable(List<HttpRoute> routes) {
        HttpRoute fallback = null;
        for (HttpRoute route : routes) {
            if (route.isDefault()) {
                fallback = route;
            } else {
                this.routes.add(new CompiledRoute(route));
            }
        }
        this.defaultRoute = fallback;
    }

    record Match(HttpRoute route, Map<String, String> pathParameters) {
    }

    /**
     * @param rawPath the path as received, percent-encoded; segments are split before decoding so that an encoded
     *                {@code %2F} stays inside its parameter value
     * @return the route, or {@code null}
     */
    Match match(String method, String rawPath) {
        List<String> segments = segments(rawPath);
        Match best = null;
        int[] bestRank = null;
        for (CompiledRoute candidate : routes) {
            boolean methodMatches = candidate.route.method().equals(method);
            if (!methodMatches && !candidate.route.method().equals("ANY")) {
                continue;
            }
            Map<String, String> parameters = candidate.match(segments);
            if (parameters == null) {
                continue;
            }
            int[] rank = new int[candidate.kinds.length + 1];
            System.arraycopy(candidate.kinds, 0, rank, 0, candidate.kinds.length);
            rank[candidate.kinds.length] = methodMatches ? 0 : 1;
            if (best == null || compare(rank, candidate.kinds.length, bestRank) < 0) {
                best = new Match(candidate.route, parameters);
                bestRank = rank;
            }
        }
        if (best == null && defaultRoute != null) {
            return new Match(defaultRoute, Map.of());
        }
        return best;
    }

    /** Segment kinds from the left first; the method preference (last element) only breaks ties. */
    private static int compare(int[] rank, int segmentCount, int[] other) {
        int otherSegments = other.length - 1;
        for (int i = 0; i < Math.min(segmentCount, otherSegments); i++) {
            if (rank[i] != other[i]) {
                return Integer.compare(rank[i], other[i]);
            }
        }
        if (segmentCount != otherSegments) {
            // Only a greedy route can be shorter; the longer one is more specific.
            return Integer.compare(otherSegments, segmentCount);
        }
        return Integer.compare(rank[segmentCount], other[otherSegments]);
    }

    static List<String> segments(String rawPath) {
        String path = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (path.isEmpty()) {
            return List.of();
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/", -1)) {
            segments.add(segment);
        }
        return segments;
    }

    /** Percent-decoding for paths: unlike form decoding, {@code +} stays a plus. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()
                    && Character.digit(raw.charAt(i + 1), 16) >= 0 && Character.digit(raw.charAt(i + 2), 16) >= 0) {
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else {
                int codePoint = raw.codePointAt(i);
                byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static final class CompiledRoute {
        final HttpRoute route;
        final String[] names;
        final int[] kinds;

        CompiledRoute(HttpRoute route) {
            this.route = route;
            List<String> parts = segments(route.path());
            names = new String[parts.size()];
            kinds = new int[parts.size()];
            for (int i = 0; i < parts.size(); i++) {
                String part = parts.get(i);
                if (part.startsWith("{") && part.endsWith("+}")) {
                    if (i != parts.size() - 1) {
                        throw new IllegalArgumentException("Greedy path variable must be last in " + route.routeKey());
                    }
                    names[i] = part.substring(1, part.length() - 2);
                    kinds[i] = GREEDY;
                } else if (part.startsWith("{") && part.endsWith("}")) {
                    names[i] = part.substring(1, part.length() - 1);
                    kinds[i] = PARAMETER;
                } else {
                    names[i] = part;
                    kinds[i] = LITERAL;
                }
            }
        }

        /** The path parameters when the segments match, else {@code null}. */
        Map<String, String> match(List<String> segments) {
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 0; i < kinds.length; i++) {
                if (kinds[i] == GREEDY) {
                    if (i >= segments.size()) {
                        return null;
                    }
                    List<String> rest = new ArrayList<>();
                    for (String segment : segments.subList(i, segments.size())) {
                        rest.add(decode(segment));
                    }
                    String value = String.join("/", rest);
                    if (value.isEmpty()) {
                        return null;
                    }
                    parameters.put(names[i], value);
                    return Collections.unmodifiableMap(parameters);
                }
                if (i >= segments.size()) {
                    return null;
                }
                String segment = decode(segments.get(i));
                if (kinds[i] == LITERAL ? !names[i].equals(segment) : segment.isEmpty()) {
                    return null;
                }
                if (kinds[i] == PARAMETER) {
                    parameters.put(names[i], segment);
                }
            }
            return segments.size() == kinds.length ? Collections.unmodifiableMap(parameters) : null;
        }
    }
}
