package dev.lifeboat.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.store.DynamoIdempotencyStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} on the requests that start work: scoped to the caller ({@code sub}) and the path, the same key
 * with a JSON-equal body replays the first 2xx answer and starts nothing; with another body it answers 422; while the
 * first request still runs, 409. Errors are not remembered. Records live 24 hours.
 */
final class Idempotency {
    static final Duration LIFETIME = Duration.ofHours(24);
    /**
     * How long a key stays reserved for a first request that has not answered: longer than an API function may run
     * (its timeout is 15 s), short enough that a request whose function was stopped does not block its key for a day.
     */
    static final Duration RESERVATION = Duration.ofMinutes(2);
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

    private final DynamoIdempotencyStore store;
    private final Clock clock;

    Idempotency(DynamoIdempotencyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    HttpResponse around(HttpRequest request, Caller caller, Supplier<HttpResponse> route) {
        String key = request.header("idempotency-key");
        if (key == null) {
            return route.get();
        }
        if (!KEY.matcher(key).matches()) {
            throw DomainException.badRequest("Idempotency-Key", "must have 1 to 255 visible ASCII characters");
        }
        String scope = caller.subject() + "|" + request.rawPath();
        String hash = hash(request.body());
        for (int attempt = 0; attempt < 3; attempt++) {
            Instant now = clock.instant();
            var existing = store.find(scope, key, now);
            if (existing.isPresent()) {
                var e = existing.get();
                if (!e.bodyHash().equals(hash)) {
                    throw DomainException.invalid("Idempotency-Key", "was used within 24 hours for a request with another body; use a new key");
                }
                if (!e.answered()) {
                    throw DomainException.conflict("A request with this Idempotency-Key is still being processed; send it again in a moment.");
                }
                return replay(e);
            }
            if (store.reserve(scope, key, hash, now, now.plus(RESERVATION))) {
                HttpResponse response;
                try {
                    response = route.get();
                } catch (RuntimeException failure) {
                    store.release(scope, key);
                    throw failure;
                }
                if (response.status() >= 200 && response.status() < 300) {
                    ObjectNode headers = Json.NODES.objectNode();
                    response.headers().forEach(headers::put);
                    store.complete(scope, key, response.status(), Json.write(headers), response.body() == null ? "" : Json.write(response.body()),
                            now.plus(LIFETIME));
                } else {
                    store.release(scope, key);
                }
                return response;
            }
        }
        throw DomainException.conflict("A request with this Idempotency-Key is still being processed; send it again in a moment.");
    }

    private static HttpResponse replay(DynamoIdempotencyStore.Entry e) {
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            Json.read(e.headers()).fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
            headers.put("idempotent-replayed", "true");
            JsonNode body = e.body().isEmpty() ? null : Json.read(e.body());
            return new HttpResponse(e.status(), headers, body);
        } catch (IOException broken) {
            throw new IllegalStateException("stored answer is not JSON", broken);
        }
    }

    /** SHA-256 of the body's canonical JSON (object keys sorted), so JSON-equal bodies match; other bytes as they are. */
    static String hash(byte[] body) {
        byte[] canonical = body;
        try {
            JsonNode tree = body.length == 0 ? null : Json.read(body);
            if (tree != null) {
                canonical = Json.bytes(canonical(tree));
            }
        } catch (IOException notJson) {
            // hashed as it is: the route answers 400, which is not remembered
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                sorted.put(f.getKey(), canonical(f.getValue()));
            }
            ObjectNode out = Json.NODES.objectNode();
            sorted.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            var out = Json.NODES.arrayNode();
            node.forEach(n -> out.add(canonical(n)));
            return out;
        }
        return node;
    }
}
