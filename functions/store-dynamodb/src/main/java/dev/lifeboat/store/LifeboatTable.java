package dev.lifeboat.store;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The table's key schema, the same as in template.yaml (a check in infra/checks compares them). Tests and the
 * local runtime create tables from it.
 */
public final class LifeboatTable {
    public static final String PK = "PK";
    public static final String SK = "SK";
    /** Sparse index for lists that cross partitions (the VM registry lists VMs per enterprise through it). */
    public static final String GSI1 = "GSI1";
    public static final String GSI1PK = "GSI1PK";
    public static final String GSI1SK = "GSI1SK";
    /** Expiry of idempotency records, in epoch seconds. */
    public static final String TTL = "expiresAt";

    private LifeboatTable() {}

    public static void create(DynamoDbClient dynamo, String tableName) {
        dynamo.createTable(CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute(PK), attribute(SK), attribute(GSI1PK), attribute(GSI1SK))
                .keySchema(key(PK, KeyType.HASH), key(SK, KeyType.RANGE))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                        .indexName(GSI1)
                        .keySchema(key(GSI1PK, KeyType.HASH), key(GSI1SK, KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                        .build())
                .build());
        awaitActive(dynamo, tableName);
    }

    /** DynamoDB (and dynalite, even with createTableMs=0) creates tables asynchronously; use one only once ACTIVE. */
    static void awaitActive(DynamoDbClient dynamo, String tableName) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (dynamo.describeTable(b -> b.tableName(tableName)).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("table " + tableName + " did not become ACTIVE within 30 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static AttributeDefinition attribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    public static List<String> keyAttributes() {
        return List.of(PK, SK, GSI1PK, GSI1SK);
    }
}
