package dev.lifeboat.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Every item a query matches, following DynamoDB's 1 MB pages; for bounded sets only (a VM's backups, the managers). */
final class Queries {
    private Queries() {
    }

    static List<Map<String, AttributeValue>> all(DynamoDbClient dynamo, QueryRequest query) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        QueryRequest next = query;
        while (true) {
            QueryResponse r = dynamo.query(next);
            out.addAll(r.items());
            if (!r.hasLastEvaluatedKey() || r.lastEvaluatedKey().isEmpty()) {
                return out;
            }
            next = next.toBuilder().exclusiveStartKey(r.lastEvaluatedKey()).build();
        }
    }

    /** How many items a query matches, counted by DynamoDB (Select COUNT: no items travel). */
    static long count(DynamoDbClient dynamo, QueryRequest query) {
        long total = 0;
        QueryRequest next = query.toBuilder().select(software.amazon.awssdk.services.dynamodb.model.Select.COUNT).build();
        while (true) {
            QueryResponse r = dynamo.query(next);
            total += r.count();
            if (!r.hasLastEvaluatedKey() || r.lastEvaluatedKey().isEmpty()) {
                return total;
            }
            next = next.toBuilder().exclusiveStartKey(r.lastEvaluatedKey()).build();
        }
    }
}
