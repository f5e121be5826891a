package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.n;
import static dev.lifeboat.store.Attr.s;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The first answer to a request sent with an {@code Idempotency-Key}, kept 24 hours (the table's TTL attribute). A key
 * is reserved before the work starts, so two copies of one request racing each other start the work once.
 */
public final class DynamoIdempotencyStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoIdempotencyStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * A key's record: the request's body hash, and the answer once there is one ({@code status} 0 while the first
     * request still runs).
     */
    public record Entry(String bodyHash, int status, String headers, String body, Instant expiresAt) {
        public boolean answered() {
            return status != 0;
        }
    }

    private static Map<String, AttributeValue> key(String scope, String idempotencyKey) {
        return Keys.key("IDEMPOTENCY#" + scope, "KEY#" + idempotencyKey);
    }

    /** The live record of the key (an expired one that DynamoDB has not yet removed counts as none). */
    public Optional<Entry> find(String scope, String idempotencyKey, Instant now) {
        var r = dynamo.getItem(b -> b.tableName(table).key(key(scope, idempotencyKey)).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> i = r.item();
        Instant expires = Instant.ofEpochSecond(n(i, LifeboatTable.TTL));
        if (!expires.isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(new Entry(s(i, "bodyHash"), (int) n(i, "status"), s(i, "headers"), s(i, "body"), expires));
    }

    /** Reserves the key for a first request; false when another request holds it (live). */
    public boolean reserve(String scope, String idempotencyKey, String bodyHash, Instant now, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(key(scope, idempotencyKey));
        item.put("bodyHash", s(bodyHash));
        item.put("status", n(0));
        item.put(LifeboatTable.TTL, n(expiresAt.getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(PK) OR #expires <= :now")
                    .expressionAttributeNames(Map.of("#expires", LifeboatTable.TTL))
                    .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Keeps the first answer until {@code expiresAt}. */
    public void complete(String scope, String idempotencyKey, int status, String headers, String body, Instant expiresAt) {
        dynamo.updateItem(b -> b.tableName(table).key(key(scope, idempotencyKey))
                .updateExpression("SET #status = :status, headers = :headers, body = :body, #expires = :expires")
                .conditionExpression("attribute_exists(PK)")
                .expressionAttributeNames(Map.of("#status", "status", "#expires", LifeboatTable.TTL))
                .expressionAttributeValues(Map.of(":status", n(status), ":headers", s(headers), ":body", s(body),
                        ":expires", n(expiresAt.getEpochSecond()))));
    }

    /** Frees the key: errors are not remembered, so the same key may be sent again. */
    public void release(String scope, String idempotencyKey) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(scope, idempotencyKey)));
    }
}
