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
    /** Sparse index of VMs per enterprise (GSI1PK {@code ENT#<ent>}, GSI1SK {@code DC#<dc>#VM#<vm>}). */
    public static final String GSI1 = "GSI1";
    public static final String GSI1PK = "GSI1PK";
    public static final String GSI1SK = "GSI1SK";
    /**
     * Sparse index of every VM under one partition key ({@link #ALL_VMS}), for administrators who list across
     * enterprises. One partition carries every VM write; a private cloud's VM churn stays far below a partition's
     * limit (about 1,000 writes a second), and the key could be sharded if it ever did not.
     */
    public static final String GSI2 = "GSI2";
    public static final String GSI2PK = "GSI2PK";
    public static final String GSI2SK = "GSI2SK";
    public static final String ALL_VMS = "VM";
    /**
     * Sparse index of VMs by their identity in the hypervisor (GSI3PK {@code HV#<dc>#<vcenter>#<moref>}, or
     * {@code HVUUID#<dc>#<uuid>} for a VM known by uuid only; GSI3SK {@code VM#<vm>}): results sync finds the VM of a
     * restore point the backup system names, in one read. Overloaded for backups the backup system should still hold
     * (GSI3PK {@code HELD#<dc>}, GSI3SK {@code VM#<vm>#<backup>}, SUCCESS ones with a restore point reference): results
     * sync's expiry slice reads consecutive VMs' backups by one range Query. A backup leaves it when it is written
     * in another state.
     */
    public static final String GSI3 = "GSI3";
    public static final String GSI3PK = "GSI3PK";
    public static final String GSI3SK = "GSI3SK";
    /**
     * Sparse index of what a workflow should end in time: backups and restores Lifeboat started that are QUEUED or
     * running, and backup configurations that are PENDING (GSI4PK {@code DUE#<kind>#<state>}, GSI4SK the time it
     * began, as 13-digit epoch milliseconds, {@code #<vm>#<id>}). The backstop Queries only those begun before its
     * bound. Items leave the index when they end (their whole item is written without the keys).
     */
    public static final String GSI4 = "GSI4";
    public static final String GSI4PK = "GSI4PK";
    public static final String GSI4SK = "GSI4SK";
    /** Expiry of idempotency records, in epoch seconds. */
    public static final String TTL = "expiresAt";

    private LifeboatTable() {}

    public static void create(DynamoDbClient dynamo, String tableName) {
        dynamo.createTable(CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute(PK), attribute(SK), attribute(GSI1PK), attribute(GSI1SK), attribute(GSI2PK), attribute(GSI2SK),
                        attribute(GSI3PK), attribute(GSI3SK), attribute(GSI4PK), attribute(GSI4SK))
                .keySchema(key(PK, KeyType.HASH), key(SK, KeyType.RANGE))
                .globalSecondaryIndexes(index(GSI1, GSI1PK, GSI1SK), index(GSI2, GSI2PK, GSI2SK), index(GSI3, GSI3PK, GSI3SK),
                        index(GSI4, GSI4PK, GSI4SK))
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

    private static GlobalSecondaryIndex index(String name, String pk, String sk) {
        return GlobalSecondaryIndex.builder()
                .indexName(name)
                .keySchema(key(pk, KeyType.HASH), key(sk, KeyType.RANGE))
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                .build();
    }

    private static AttributeDefinition attribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    public static List<String> keyAttributes() {
        return List.of(PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, GSI4PK, GSI4SK);
    }
}
