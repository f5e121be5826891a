package dev.lifeboat.local;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/** Builds API Gateway HTTP API payload format 2.0 events, field for field as API Gateway sends them. */
final class HttpApiEvents {

    static final String ACCOUNT_ID = LocalEnvironment.ACCOUNT;
    static final String API_ID = "local";

    private static final DateTimeFormatter TIME = DateTimeFormatter
            .ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** Connection-level headers that API Gateway's front end consumes and never forwards. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "upgrade", "http2-settings",
            "te", "transfer-encoding", "proxy-connection", "expect");

    private HttpApiEvents() {
    }

    /** What the server received, before any interpretation. Header names are lower case. */
    record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body,
            String sourceIp, int localPort, String protocol) {
    }

    /**
     * @param claims the token's claims already turned into text, or {@code null} for a route without authorizer
     *               (API Gateway then sends no {@code authorizer} at all)
     */
    static Map<String, Object> event(Request request, RouteTable.Match match, Map<String, String> claims,
            String requestId, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        request.headers().forEach((name, values) -> {
            if (HOP_BY_HOP.contains(name)) {
                return;
            }
            if (name.equals("cookie")) {
                // Format 2.0 moves cookies out of the headers into their own array.
                for (String value : values) {
                    for (String cookie : value.split(";")) {
                        if (!cookie.isBlank()) {
                            cookies.add(cookie.trim());
                        }
                    }
                }
                return;
            }
            headers.put(name, String.join(",", values));
        });
        headers.merge("x-forwarded-for", request.sourceIp(), (mine, theirs) -> mine + ", " + theirs);
        headers.put("x-forwarded-port", Integer.toString(request.localPort()));
        headers.put("x-forwarded-proto", "http");
        headers.putIfAbsent("x-amzn-trace-id", traceId(now));

        String decodedPath = RouteTable.decode(request.rawPath());
        String routeKey = match.route().routeKey();

        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", request.method());
        http.put("path", decodedPath);
        http.put("protocol", request.protocol());
        http.put("sourceIp", request.sourceIp());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));

        String domainName = domainName(headers.get("host"));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", ACCOUNT_ID);
        context.put("apiId", API_ID);
        if (claims != null) {
            Map<String, Object> jwt = new LinkedHashMap<>();
            jwt.put("claims", claims);
            jwt.put("scopes", null);
            context.put("authorizer", Map.of("jwt", jwt));
        }
        context.put("domainName", domainName);
        context.put("domainPrefix", domainPrefix(domainName));
        context.put("http", http);
        context.put("requestId", requestId);
        context.put("routeKey", routeKey);
        context.put("stage", "$default");
        context.put("time", TIME.format(now));
        context.put("timeEpoch", now.toEpochMilli());

        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", routeKey);
        // Live captures show HTTP APIs hand over the decoded path as rawPath (REST APIs keep it encoded).
        event.put("rawPath", decodedPath);
        event.put("rawQueryString", request.rawQuery() == null ? "" : request.rawQuery());
        if (!cookies.isEmpty()) {
            event.put("cookies", cookies);
        }
        event.put("headers", headers);
        Map<String, String> query = queryParameters(request.rawQuery());
        if (!query.isEmpty()) {
            event.put("queryStringParameters", query);
        }
        event.put("requestContext", context);
        boolean base64 = false;
        if (request.body().length > 0) {
            base64 = !isText(headers.get("content-type"));
            event.put("body", base64 ? Base64.getEncoder().encodeToString(request.body())
                    : new String(request.body(), StandardCharsets.UTF_8));
        }
        if (!match.pathParameters().isEmpty()) {
            event.put("pathParameters", match.pathParameters());
        }
        event.put("isBase64Encoded", base64);
        return event;
    }

    /** Repeated names are joined with a comma, as API Gateway does. */
    static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = formDecode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : formDecode(pair.substring(equals + 1));
            parameters.merge(name, value, (first, next) -> first + "," + next);
        }
        return parameters;
    }

    /**
     * Claims the way the HTTP API JWT authorizer hands them over: every value a string, arrays as
     * {@code [a b c]} (Go's formatting of a slice, which is what API Gateway shows).
     */
    static Map<String, String> claimsAsText(Map<String, Object> claims) {
        Map<String, String> text = new LinkedHashMap<>();
        claims.forEach((name, value) -> {
            if (value != null) {
                text.put(name, asText(value));
            }
        });
        return text;
    }

    private static String asText(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(item -> items.add(item == null ? "<nil>" : asText(item)));
            return "[" + String.join(" ", items) + "]";
        }
        if (value instanceof Map<?, ?> map) {
            // Go prints maps with sorted keys: map[k:v k2:v2].
            List<String> entries = new ArrayList<>();
            new TreeMap<>(map).forEach((key, item) -> entries.add(key + ":" + (item == null ? "<nil>" : asText(item))));
            return "map[" + String.join(" ", entries) + "]";
        }
        return String.valueOf(value);
    }

    /**
     * Bodies of textual media types travel as text, anything else (including form posts and a missing content
     * type) base64-encoded with {@code isBase64Encoded: true}.
     */
    static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/")
                || type.equals("application/json")
                || type.endsWith("+json")
                || type.equals("application/xml")
                || type.endsWith("+xml")
                || type.equals("application/javascript")
                || type.equals("application/graphql");
    }

    private static String formDecode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    private static String domainName(String host) {
        if (host == null || host.isEmpty()) {
            return "localhost";
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static String domainPrefix(String domainName) {
        int dot = domainName.indexOf('.');
        boolean ipv4 = domainName.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        return dot < 0 || ipv4 ? domainName : domainName.substring(0, dot);
    }

    private static String traceId(Instant now) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format("Root=1-%08x-%012x%012x", now.getEpochSecond(), random.nextLong(1L << 48),
                random.nextLong(1L << 48));
    }
}
