package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.template.SamTemplate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class LocalTablesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SamTemplate template;

    @BeforeAll
    static void load() throws Exception {
        template = SamTemplate.load(TestFiles.resource("test-template.yaml"));
    }

    @Test
    void createsTablesFromTheTemplate() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FakeDynamoDb dynamo = new FakeDynamoDb("unrelated");
                DynamoDbClient client = LocalTables.client(dynamo.endpoint())) {
            List<LocalTables.Outcome> outcomes = new LocalTables(client,
                    new PrintStream(log, true, StandardCharsets.UTF_8)).createAll(template, template.defaultRefs());

            assertEquals(List.of(new LocalTables.Outcome("LifeboatTable", "lifeboat-local-table", true)), outcomes);
            assertEquals(1, dynamo.createTableRequests.size());
            JsonNode request = dynamo.createTableRequests.get(0);
            assertEquals("lifeboat-local-table", request.get("TableName").asText());
            assertEquals("PAY_PER_REQUEST", request.get("BillingMode").asText());
            assertEquals(JSON.readTree("[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
                    + "{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}]"), request.get("KeySchema"));
            assertEquals(JSON.readTree("[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},"
                    + "{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"},"
                    + "{\"AttributeName\":\"GSI1PK\",\"AttributeType\":\"S\"}]"), request.get("AttributeDefinitions"));
            JsonNode index = request.get("GlobalSecondaryIndexes").get(0);
            assertEquals("GSI1", index.get("IndexName").asText());
            assertEquals(JSON.readTree("{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"status\",\"version\"]}"),
                    index.get("Projection"));
            assertFalse(index.has("ProvisionedThroughput"));
            assertFalse(request.has("SSESpecification"));
            assertFalse(request.has("StreamSpecification"));
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("TimeToLiveSpecification, PointInTimeRecoverySpecification, SSESpecification "
                + "ignored locally"), logged);
    }

    @Test
    void existingTableIsKept() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FakeDynamoDb dynamo = new FakeDynamoDb("lifeboat-local-table");
                DynamoDbClient client = LocalTables.client(dynamo.endpoint())) {
            List<LocalTables.Outcome> outcomes = new LocalTables(client,
                    new PrintStream(log, true, StandardCharsets.UTF_8)).createAll(template, template.defaultRefs());
            assertEquals(List.of(new LocalTables.Outcome("LifeboatTable", "lifeboat-local-table", false)), outcomes);
            assertTrue(dynamo.createTableRequests.isEmpty());
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("exists, data kept"));
    }

    @Test
    void tableNameDefaultsToTheLogicalId() {
        SamTemplate unnamed = SamTemplate.parse("""
                Resources:
                  Things:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
                      KeySchema: [{AttributeName: id, KeyType: HASH}]
                """);
        assertEquals("Things", LocalTables.tableName(unnamed.tables().get(0), unnamed.defaultRefs()));
    }
}
