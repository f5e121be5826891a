package dev.lifeboat.local.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** What the two AWS JSON protocols the local stand-ins speak have in common. */
final class JsonHttp {
    static {
        // As in LocalHttpApi: without TCP_NODELAY the JDK server's split writes cost ~40 ms per answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    static final ObjectMapper JSON = new ObjectMapper();
    /** awsJson1_1, the protocol of EventBridge (events). */
    static final String AWS_JSON_1_1 = "application/x-amz-json-1.1";

    private JsonHttp() {
    }

    /** A server on {@code host:port} (0: any free port) with daemon threads named {@code name-N}. */
    static HttpServer bind(String host, int port, String name) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (BindException e) {
            throw new BindException(name + " cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        server.setExecutor(daemonPool(name));
        return server;
    }

    static ExecutorService daemonPool(String name) {
        AtomicInteger threads = new AtomicInteger();
        return Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, name + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    static void stop(HttpServer server) {
        server.stop(0);
        if (server.getExecutor() instanceof ExecutorService executor) {
            executor.shutdownNow();
        }
    }

    static String body(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    static JsonNode parse(String body) throws IOException {
        return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    }

    static void send(HttpExchange exchange, int status, String contentType, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An awsJson error: the type in the body's {@code __type}, where the SDK's JSON protocol looks for it. */
    static void awsJsonError(HttpExchange exchange, int status, String type, String message) throws IOException {
        send(exchange, status, AWS_JSON_1_1, JSON.createObjectNode().put("__type", type).put("message", message));
    }

    /**
     * A REST-JSON error: the type in the {@code x-amzn-ErrorType} header (as the production adapters' tests saw
     * Scheduler answer), the text in the body's {@code Message}.
     */
    static void restJsonError(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        send(exchange, status, "application/json", JSON.createObjectNode().put("Message", message));
    }

    /** A timestamp as the JSON protocols write one by default: epoch seconds, with milliseconds as a fraction. */
    static BigDecimal epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3);
    }

    /** Epoch seconds (a number, possibly fractional) or an ISO-8601 text, as a request may carry; null if absent. */
    static Instant instant(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            BigDecimal seconds = node.decimalValue();
            return Instant.ofEpochSecond(0).plusNanos(seconds.movePointRight(9).longValue());
        }
        return Instant.parse(node.asText());
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Text of a JSON member, or null when it is absent, null or not text. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
