package dev.lifeboat.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.scheduler.SchedulerClient;

/**
 * Just enough of EventBridge Scheduler's REST-JSON protocol for the real SDK client, in the form the SDK was seen
 * to send it: CreateSchedule {@code POST /schedules/{Name}} and UpdateSchedule {@code PUT /schedules/{Name}} with
 * {@code GroupName} and {@code ClientToken} in the JSON body; DeleteSchedule {@code DELETE /schedules/{Name}} with
 * {@code groupName} and {@code clientToken} in the query. The service's rules it keeps: names of 1..64 characters
 * of {@code [0-9a-zA-Z-_.]} (ValidationException, 400), a second create of a name answers ConflictException (409),
 * update and delete of a missing schedule answer ResourceNotFoundException (404); errors carry their type in the
 * {@code x-amzn-ErrorType} header. Faults can be planned per method, and every request is recorded.
 */
final class FakeScheduler implements AutoCloseable {
    static final String ACCOUNT = "123456789012";

    record Request(String method, String path, String name, Map<String, String> query, String contentType,
                   String rawBody, JsonNode body) {}

    /** A planned answer to the next {@code times} requests of a method, instead of what the state would give. */
    record Fault(String method, int status, String type, int times) {
        Fault(String method, int status, String type) {
            this(method, status, type, 1);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    /** group/name to the last body that created or updated it */
    private final Map<String, JsonNode> schedules = new LinkedHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();

    FakeScheduler() {
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

    SchedulerClient client() {
        return client(endpoint());
    }

    static SchedulerClient client(URI endpoint) {
        return SchedulerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized List<String> methods() {
        return requests.stream().map(Request::method).toList();
    }

    synchronized void clearRequests() {
        requests.clear();
    }

    synchronized void fail(Fault fault) {
        faults.add(fault);
    }

    /** The definition a schedule has now (the body of the call that last wrote it), or null. */
    synchronized JsonNode schedule(String group, String name) {
        return schedules.get(group + "/" + name);
    }

    synchronized int count() {
        return schedules.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode body = raw.isBlank() ? Json.NODES.objectNode() : Json.TREES.read(raw);
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String name = path.startsWith("/schedules/")
                    ? URLDecoder.decode(path.substring("/schedules/".length()), StandardCharsets.UTF_8) : null;
            Fault fault;
            synchronized (this) {
                requests.add(new Request(method, path, name, query, exchange.getRequestHeaders().getFirst("Content-Type"),
                        raw, body));
                fault = faults.stream().filter(f -> f.method().equals(method)).findFirst().orElse(null);
                if (fault != null) {
                    faults.remove(fault);
                    if (fault.times() > 1) {
                        faults.addFirst(new Fault(method, fault.status(), fault.type(), fault.times() - 1));
                    }
                }
            }
            if (fault != null) {
                error(exchange, fault.status(), fault.type(), "planned");
                return;
            }
            if (name == null) {
                error(exchange, 404, "UnknownOperationException", "no route for " + method + " " + path);
                return;
            }
            if (!name.matches("[0-9a-zA-Z-_.]{1,64}")) {
                error(exchange, 400, "ValidationException", "1 validation error detected: Value '" + name
                        + "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                        + "[0-9a-zA-Z-_.]+ and have length less than or equal to 64");
                return;
            }
            switch (method) {
                case "POST" -> create(exchange, name, body);
                case "PUT" -> update(exchange, name, body);
                case "DELETE" -> delete(exchange, name, query.getOrDefault("groupName", "default"));
                default -> error(exchange, 405, "UnknownOperationException", method);
            }
        }
    }

    private void create(HttpExchange exchange, String name, JsonNode body) throws IOException {
        String group = body.path("GroupName").asText("default");
        synchronized (this) {
            if (schedules.containsKey(group + "/" + name)) {
                error(exchange, 409, "ConflictException", "Schedule " + name + " already exists.");
                return;
            }
            schedules.put(group + "/" + name, body);
        }
        send(exchange, 200, "{\"ScheduleArn\":\"" + arn(group, name) + "\"}");
    }

    private void update(HttpExchange exchange, String name, JsonNode body) throws IOException {
        String group = body.path("GroupName").asText("default");
        synchronized (this) {
            if (!schedules.containsKey(group + "/" + name)) {
                error(exchange, 404, "ResourceNotFoundException", "Schedule " + name + " does not exist.");
                return;
            }
            schedules.put(group + "/" + name, body);
        }
        send(exchange, 200, "{\"ScheduleArn\":\"" + arn(group, name) + "\"}");
    }

    private void delete(HttpExchange exchange, String name, String group) throws IOException {
        synchronized (this) {
            if (schedules.remove(group + "/" + name) == null) {
                error(exchange, 404, "ResourceNotFoundException", "Schedule " + name + " does not exist.");
                return;
            }
        }
        send(exchange, 200, "{}");
    }

    private static String arn(String group, String name) {
        return "arn:aws:scheduler:us-east-1:" + ACCOUNT + ":schedule/" + group + "/" + name;
    }

    private static Map<String, String> query(String raw) {
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

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        send(exchange, status, Json.write(Json.NODES.objectNode().put("Message", message)));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
