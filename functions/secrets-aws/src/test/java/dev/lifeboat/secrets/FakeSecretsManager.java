package dev.lifeboat.secrets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Just enough of the Secrets Manager JSON protocol (awsJson1_1) for the real SDK client: CreateSecret,
 * PutSecretValue, GetSecretValue and DeleteSecret, with the service's token rule (a repeated ClientRequestToken
 * answers the version it already made) and its error shapes. Every request is recorded for the tests to inspect,
 * and faults can be planned to test retries and error handling.
 */
final class FakeSecretsManager implements AutoCloseable {
    static final String ACCOUNT = "123456789012";
    static final String NOT_FOUND = "Secrets Manager can't find the specified secret.";

    record Request(String operation, String contentType, String body, Map<String, Object> fields) {}

    /**
     * A planned failure of the next call of an operation. With {@code afterApplying} the call takes effect and only
     * its answer is lost, as when a connection drops on the way back.
     */
    record Fault(String operation, int status, String type, Function<Map<String, Object>, String> message,
                 boolean afterApplying) {}

    private static final class Version {
        final String id;
        final String value;
        final Instant created;

        Version(String id, String value, Instant created) {
            this.id = id;
            this.value = value;
            this.created = created;
        }
    }

    private static final class Entry {
        final String arn;
        final String name;
        final Map<String, Version> versions = new LinkedHashMap<>();
        String current;
        String previous;
        boolean scheduledForDeletion;

        Entry(String name) {
            this.name = name;
            this.arn = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + name + "-"
                    + UUID.randomUUID().toString().substring(0, 6);
        }
    }

    private static final class Failure extends RuntimeException {
        final int status;
        final String type;

        Failure(int status, String type, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
        }
    }

    private final HttpServer server;
    private final Map<String, Entry> secrets = new LinkedHashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Map<String, Runnable> before = new LinkedHashMap<>();

    FakeSecretsManager() {
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
    SecretsManagerClient client() {
        return SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized List<String> operations() {
        return requests.stream().map(Request::operation).toList();
    }

    synchronized void clearRequests() {
        requests.clear();
    }

    synchronized void fail(Fault fault) {
        faults.add(fault);
    }

    /** Runs once just before the next call of an operation is handled, to stage a race. */
    synchronized void beforeNext(String operation, Runnable action) {
        before.put(operation, action);
    }

    synchronized boolean exists(String name) {
        return secrets.containsKey(name);
    }

    synchronized int versionCount(String name) {
        Entry e = secrets.get(name);
        return e == null ? 0 : e.versions.size();
    }

    /** A secret made behind the adapter's back, as another writer would. */
    synchronized void createDirectly(String name, String value) {
        Entry e = new Entry(name);
        secrets.put(name, e);
        addVersion(e, UUID.randomUUID().toString(), value);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!"POST".equals(exchange.getRequestMethod()) || target == null || !target.startsWith("secretsmanager.")) {
                send(exchange, 400, "{\"__type\":\"UnknownOperationException\"}");
                return;
            }
            String operation = target.substring("secretsmanager.".length());
            Map<String, Object> fields = fields(body);
            Runnable staged;
            synchronized (this) {
                requests.add(new Request(operation, contentType, body, fields));
                staged = before.remove(operation);
            }
            if (staged != null) {
                staged.run();
            }
            String answer;
            try {
                answer = answer(operation, fields);
            } catch (Failure f) {
                send(exchange, f.status, error(f.type, f.getMessage()));
                return;
            }
            send(exchange, 200, answer);
        }
    }

    private synchronized String answer(String operation, Map<String, Object> in) {
        Fault fault = faults.stream().filter(f -> f.operation().equals(operation)).findFirst().orElse(null);
        if (fault != null) {
            faults.remove(fault);
            if (!fault.afterApplying()) {
                throw new Failure(fault.status(), fault.type(), fault.message().apply(in));
            }
        }
        String answer = switch (operation) {
            case "CreateSecret" -> createSecret(in);
            case "PutSecretValue" -> putSecretValue(in);
            case "GetSecretValue" -> getSecretValue(in);
            case "DeleteSecret" -> deleteSecret(in);
            default -> throw new Failure(400, "UnknownOperationException", "Unknown operation " + operation);
        };
        if (fault != null) {
            throw new Failure(fault.status(), fault.type(), fault.message().apply(in));
        }
        return answer;
    }

    private String createSecret(Map<String, Object> in) {
        String name = string(in, "Name");
        String token = tokenOf(in);
        Entry e = secrets.get(name);
        if (e != null) {
            // A retried create whose first answer was lost: same token, same value, same version.
            Version v = e.versions.get(token);
            if (v != null && v.value.equals(in.get("SecretString"))) {
                return json("ARN", e.arn, "Name", e.name, "VersionId", v.id);
            }
            throw new Failure(400, "ResourceExistsException", "The operation failed because the secret " + name
                    + " already exists.");
        }
        e = new Entry(name);
        secrets.put(name, e);
        addVersion(e, token, string(in, "SecretString"));
        return json("ARN", e.arn, "Name", e.name, "VersionId", token);
    }

    private String putSecretValue(Map<String, Object> in) {
        Entry e = live(string(in, "SecretId"));
        String token = tokenOf(in);
        String value = string(in, "SecretString");
        Version existing = e.versions.get(token);
        if (existing != null) {
            // The service's idempotency rule: the token is the version id, and a version never changes.
            if (!existing.value.equals(value)) {
                throw new Failure(400, "ResourceExistsException", "You can't modify an existing version, you can "
                        + "only create a new version.");
            }
        } else {
            addVersion(e, token, value);
        }
        return "{" + pairs("ARN", e.arn, "Name", e.name, "VersionId", token) + ",\"VersionStages\":"
                + stages(e, token) + "}";
    }

    private String getSecretValue(Map<String, Object> in) {
        Entry e = live(string(in, "SecretId"));
        String versionId = in.get("VersionId") instanceof String s ? s : e.current;
        Version v = e.versions.get(versionId);
        if (v == null) {
            throw new Failure(400, "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
        }
        return "{" + pairs("ARN", e.arn, "Name", e.name, "VersionId", v.id, "SecretString", v.value)
                + ",\"VersionStages\":" + stages(e, v.id) + ",\"CreatedDate\":" + epochSeconds(v.created) + "}";
    }

    private String deleteSecret(Map<String, Object> in) {
        String id = string(in, "SecretId");
        Entry e = find(id);
        if (e == null) {
            throw new Failure(400, "ResourceNotFoundException", NOT_FOUND);
        }
        if (Boolean.TRUE.equals(in.get("ForceDeleteWithoutRecovery"))) {
            secrets.remove(e.name);
        } else {
            // The service keeps it for a recovery window: the name stays taken, reads fail.
            e.scheduledForDeletion = true;
        }
        return "{" + pairs("ARN", e.arn, "Name", e.name) + ",\"DeletionDate\":" + epochSeconds(Instant.now()) + "}";
    }

    private Entry find(String id) {
        Entry byName = secrets.get(id);
        if (byName != null) {
            return byName;
        }
        return secrets.values().stream().filter(e -> e.arn.equals(id)).findFirst().orElse(null);
    }

    private Entry live(String id) {
        Entry e = find(id);
        if (e == null) {
            throw new Failure(400, "ResourceNotFoundException", NOT_FOUND);
        }
        if (e.scheduledForDeletion) {
            throw new Failure(400, "InvalidRequestException", "You can't perform this operation on the secret "
                    + "because it was marked for deletion.");
        }
        return e;
    }

    private static void addVersion(Entry e, String id, String value) {
        e.versions.put(id, new Version(id, value, Instant.now()));
        e.previous = e.current;
        e.current = id;
    }

    private static String tokenOf(Map<String, Object> in) {
        // The SDK fills the token itself when the caller leaves it out; the fake does the same for raw callers.
        return in.get("ClientRequestToken") instanceof String s ? s : UUID.randomUUID().toString();
    }

    private static String stages(Entry e, String versionId) {
        if (versionId.equals(e.current)) {
            return "[\"AWSCURRENT\"]";
        }
        return versionId.equals(e.previous) ? "[\"AWSPREVIOUS\"]" : "[]";
    }

    private static String string(Map<String, Object> in, String field) {
        if (in.get(field) instanceof String s) {
            return s;
        }
        throw new Failure(400, "InvalidParameterException", "Missing required parameter " + field);
    }

    /** The flat fields of a request body: strings, booleans and numbers (as their text). */
    private static Map<String, Object> fields(String body) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (body.isBlank()) {
            return out;
        }
        JsonNode.parser().parse(body).asObject().forEach((k, v) -> {
            if (v.isString()) {
                out.put(k, v.asString());
            } else if (v.isBoolean()) {
                out.put(k, v.asBoolean());
            } else if (v.isNumber()) {
                out.put(k, v.asNumber());
            } else if (!v.isNull()) {
                out.put(k, v.toString());
            }
        });
        return out;
    }

    private static String epochSeconds(Instant t) {
        // awsJson timestamps are epoch seconds as a JSON number, with a fraction.
        return t.getEpochSecond() + "." + String.format("%03d", t.getNano() / 1_000_000);
    }

    private static String error(String type, String message) {
        return json("__type", type, "message", message);
    }

    private static String json(String... keyValues) {
        return "{" + pairs(keyValues) + "}";
    }

    private static String pairs(String... keyValues) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(quote(keyValues[i])).append(':').append(quote(keyValues[i + 1]));
        }
        return b.toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
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
