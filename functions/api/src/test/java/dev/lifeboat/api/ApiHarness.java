package dev.lifeboat.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.handlers.AllowedPoliciesHandler;
import dev.lifeboat.api.handlers.BackupManagerHandler;
import dev.lifeboat.api.handlers.BackupPoliciesHandler;
import dev.lifeboat.api.handlers.BackupPropertiesHandler;
import dev.lifeboat.api.handlers.VirtualMachinesHandler;
import dev.lifeboat.api.handlers.VmBackupHandler;
import dev.lifeboat.domain.fakes.RecordingLifecycleWorkflows;
import dev.lifeboat.domain.fakes.RecordingWorkflow;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.manager.ConnectionChecker;
import dev.lifeboat.store.DynamoClients;
import dev.lifeboat.store.LifeboatTable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Real handlers over the real store in dynalite, driven by API Gateway payload 2.0 events that start from the
 * fixtures in src/test/resources/events.
 */
final class ApiHarness implements AutoCloseable {
    static final AtomicInteger TABLES = new AtomicInteger();
    static final String ADMIN_PRIVS = "[PHYS_DC_RETRIEVE_DETAILS PHYS_DC_ALLOW_BACKUP_CONFIG]";

    final DynamoDbClient dynamo;
    final String table;
    final InMemorySecretStore secrets = new InMemorySecretStore();
    final List<ApiHandler> handlers = new ArrayList<>();
    final RecordingWorkflow workflow = new RecordingWorkflow();
    final RecordingLifecycleWorkflows lifecycles = new RecordingLifecycleWorkflows();
    final Services services;

    ApiHarness(URI endpoint, ConnectionChecker checker) {
        this(endpoint, checker, Fixtures.CLOCK);
    }

    ApiHarness(URI endpoint, ConnectionChecker checker, Clock clock) {
        dynamo = DynamoClients.forEndpoint(endpoint);
        table = "api-" + TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        Services services = new Services(dynamo, secrets, checker, workflow, lifecycles, Map.of("TABLE_NAME", table), clock);
        this.services = services;
        handlers.add(new BackupManagerHandler(services, false));
        handlers.add(new BackupPropertiesHandler(services, false));
        handlers.add(new BackupPoliciesHandler(services, false));
        handlers.add(new AllowedPoliciesHandler(services, false));
        handlers.add(new VirtualMachinesHandler(services, false));
        handlers.add(new VmBackupHandler(services, false));
        handlers.add(new dev.lifeboat.api.handlers.BackupsHandler(services, false));
        handlers.add(new dev.lifeboat.api.handlers.RestoresHandler(services, false));
        handlers.add(new dev.lifeboat.api.handlers.AuditLogHandler(services, false));
        handlers.add(new dev.lifeboat.api.handlers.DatacentersHandler(services, false));
    }

    static ObjectNode fixture(String name) {
        try (InputStream in = ApiHarness.class.getResourceAsStream("/events/" + name)) {
            return (ObjectNode) Json.read(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An event for a route, made from the manager fixture with the route, path, body and claims replaced. */
    static ObjectNode event(String method, String routePath, Map<String, String> params, String body, String priv) {
        ObjectNode event = fixture("put-backup-manager.json");
        String rawPath = routePath;
        ObjectNode p = event.putObject("pathParameters");
        for (var e : params.entrySet()) {
            rawPath = rawPath.replace("{" + e.getKey() + "}", e.getValue());
            p.put(e.getKey(), e.getValue());
        }
        event.put("routeKey", method + " " + routePath);
        event.put("rawPath", rawPath);
        ((ObjectNode) event.path("requestContext")).put("routeKey", method + " " + routePath);
        ((ObjectNode) event.path("requestContext").path("http")).put("method", method).put("path", rawPath);
        if (body == null) event.remove("body"); else event.put("body", body);
        ObjectNode claims = (ObjectNode) event.path("requestContext").path("authorizer").path("jwt").path("claims");
        if (priv == null) {
            ((ObjectNode) event.path("requestContext")).remove("authorizer");
        } else {
            claims.put("priv", priv);
        }
        return event;
    }

    /** As {@link #event}, for a caller of enterprise {@code ent}, with query parameters. */
    static ObjectNode event(String method, String routePath, Map<String, String> params, String body, String priv, String ent,
                            Map<String, String> query) {
        ObjectNode event = event(method, routePath, params, body, priv);
        if (priv != null) {
            ObjectNode claims = (ObjectNode) event.path("requestContext").path("authorizer").path("jwt").path("claims");
            if (ent == null) claims.remove("ent"); else claims.put("ent", ent);
        }
        ObjectNode q = event.putObject("queryStringParameters");
        query.forEach(q::put);
        return event;
    }

    HttpResponse send(ObjectNode event) {
        String routeKey = event.path("routeKey").asText();
        for (ApiHandler h : handlers) {
            if (h.routes().contains(routeKey)) {
                // Through the stream interface, as Lambda calls it.
                try {
                    var out = new java.io.ByteArrayOutputStream();
                    h.handleRequest(new java.io.ByteArrayInputStream(event.toString().getBytes(StandardCharsets.UTF_8)), out, null);
                    JsonNode r = Json.read(out.toByteArray());
                    Map<String, String> headers = new java.util.LinkedHashMap<>();
                    r.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
                    JsonNode body = r.hasNonNull("body") ? Json.read(r.get("body").asText()) : null;
                    return new HttpResponse(r.path("statusCode").asInt(), headers, body);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new AssertionError("no handler serves " + routeKey);
    }

    HttpResponse send(String method, String routePath, Map<String, String> params, String body, String priv) {
        return send(event(method, routePath, params, body, priv));
    }

    /** Every item in the table, for asserting that a refused request wrote nothing. */
    List<Map<String, AttributeValue>> items() {
        return dynamo.scan(ScanRequest.builder().tableName(table).consistentRead(true).build()).items();
    }

    @Override
    public void close() {
        dynamo.close();
    }
}
