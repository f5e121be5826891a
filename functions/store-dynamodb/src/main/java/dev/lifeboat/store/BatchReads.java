package dev.lifeboat.store;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/** BatchGetItem over any number of keys: chunks of its limit, unprocessed keys followed, consistent reads. */
final class BatchReads {
    private static final int LIMIT = 100;

    private BatchReads() {}

    static void get(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys, Consumer<Map<String, AttributeValue>> each) {
        List<Map<String, AttributeValue>> distinct = keys.stream().distinct().toList();
        for (int from = 0; from < distinct.size(); from += LIMIT) {
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                    .keys(distinct.subList(from, Math.min(distinct.size(), from + LIMIT))).consistentRead(true).build());
            while (!request.isEmpty()) {
                BatchGetItemResponse r = dynamo.batchGetItem(BatchGetItemRequest.builder().requestItems(request).build());
                r.responses().getOrDefault(table, List.of()).forEach(each);
                request = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
            }
        }
    }
}
