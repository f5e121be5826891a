package dev.lifeboat.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Just enough of the DynamoDB JSON protocol for LocalTables: ListTables, CreateTable, DescribeTable. */
final class FakeDynamoDb implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<JsonNode> createTableRequests = new CopyOnWriteArrayList<>();
    final Map<String, Boolean> tables = new ConcurrentHashMap<>();
    private final HttpServer server;

    FakeDynamoDb(String... existingTables) throws IOException {
        for (String table : existingTables) {
            tables.put(table, true);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String answer;
            if (target.endsWith(".ListTables")) {
                answer = JSON.writeValueAsString(Map.of("TableNames", List.copyOf(tables.keySet())));
            } else if (target.endsWith(".CreateTable")) {
                createTableRequests.add(body);
                tables.put(body.get("TableName").asText(), true);
                answer = "{\"TableDescription\":{\"TableName\":\"" + body.get("TableName").asText()
                        + "\",\"TableStatus\":\"CREATING\"}}";
            } else if (target.endsWith(".DescribeTable")) {
                answer = "{\"Table\":{\"TableName\":\"" + body.get("TableName").asText()
                        + "\",\"TableStatus\":\"ACTIVE\"}}";
            } else {
                answer = "{}";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
