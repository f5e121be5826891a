package dev.lifeboat.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * Just enough of EventBridge's JSON protocol (awsJson1_1, {@code X-Amz-Target: AWSEvents.PutEvents}) for the real
 * SDK client: PutEvents with the service's rules (1..10 entries per request, one result per entry in request
 * order, {@code FailedEntryCount}), entry failures planned per event (by the {@code id} field of its detail), whole
 * request failures, and a record of every request.
 */
final class FakeEventBridge implements AutoCloseable {
    record Request(String method, String path, String target, String contentType, String rawBody, JsonNode body) {
        List<JsonNode> entries() {
            List<JsonNode> out = new ArrayList<>();
            body.path("Entries").forEach(out::add);
            return out;
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Deque<String>> entryFailures = new HashMap<>();
    private int okBeforeFailing = -1;
    private int failingStatus;

    FakeEventBridge() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The real SDK client, pointed here. */
    EventBridgeClient client() {
        return client(endpoint());
    }

    static EventBridgeClient client(URI endpoint) {
        return EventBridgeClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The event with this detail id fails with these error codes, one per attempt, then succeeds. */
    synchronized void failEntry(String id, String... errorCodes) {
        entryFailures.computeIfAbsent(id, k -> new ArrayDeque<>()).addAll(List.of(errorCodes));
    }

    /**
     * After {@code ok} more requests handled as usual, every request fails as a whole with this HTTP status (500
     * and above: InternalException, else ValidationException), however often the SDK retries.
     */
    synchronized void failRequests(int ok, int status) {
        okBeforeFailing = ok;
        failingStatus = status;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode body = raw.isBlank() ? Json.NODES.objectNode() : Json.TREES.read(raw);
            Integer failure;
            synchronized (this) {
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), target,
                        exchange.getRequestHeaders().getFirst("Content-Type"), raw, body));
                if (okBeforeFailing == 0) {
                    failure = failingStatus;
                } else {
                    failure = null;
                    if (okBeforeFailing > 0) {
                        okBeforeFailing--;
                    }
                }
            }
            if (!"POST".equals(exchange.getRequestMethod()) || !"AWSEvents.PutEvents".equals(target)) {
                send(exchange, 400, error("UnknownOperationException", "Unknown operation " + target));
                return;
            }
            if (failure != null) {
                send(exchange, failure, error(failure >= 500 ? "InternalException" : "ValidationException", "planned"));
                return;
            }
            JsonNode entries = body.path("Entries");
            if (!entries.isArray() || entries.size() < 1 || entries.size() > 10) {
                send(exchange, 400, error("ValidationException", "1 validation error detected: Value at 'entries' "
                        + "failed to satisfy constraint: Member must have length less than or equal to 10"));
                return;
            }
            send(exchange, 200, putEvents(entries));
        }
    }

    private synchronized String putEvents(JsonNode entries) throws IOException {
        ObjectNode answer = Json.NODES.objectNode();
        ArrayNode results = answer.putArray("Entries");
        int failed = 0;
        for (JsonNode entry : entries) {
            String id = Json.TREES.read(entry.path("Detail").asText("{}")).path("id").asText(null);
            Deque<String> planned = id == null ? null : entryFailures.get(id);
            String code = planned == null ? null : planned.poll();
            ObjectNode result = results.addObject();
            if (code != null) {
                failed++;
                result.put("ErrorCode", code).put("ErrorMessage", "planned failure of " + id);
            } else {
                result.put("EventId", UUID.randomUUID().toString());
            }
        }
        answer.put("FailedEntryCount", failed);
        return Json.write(answer);
    }

    private static String error(String type, String message) {
        return Json.write(Json.NODES.objectNode().put("__type", type).put("message", message));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
