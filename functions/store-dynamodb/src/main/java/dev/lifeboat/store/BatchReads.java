package dev.lifeboat.store;

import java.util.ArrayList;
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

    /** {@code each} is called on the caller's thread, with the items of every chunk; the chunks are read at once. */
    static void get(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys, Consumer<Map<String, AttributeValue>> each) {
        List<Map<String, AttributeValue>> distinct = keys.stream().distinct().toList();
        List<List<Map<String, AttributeValue>>> chunks = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += LIMIT) chunks.add(distinct.subList(from, Math.min(distinct.size(), from + LIMIT)));
        for (List<Map<String, AttributeValue>> items : RoundTrips.each(chunks, chunk -> read(dynamo, table, chunk))) items.forEach(each);
    }

    private static List<Map<String, AttributeValue>> read(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> chunk) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(chunk).consistentRead(true).build());
        while (!request.isEmpty()) {
            BatchGetItemResponse r = dynamo.batchGetItem(BatchGetItemRequest.builder().requestItems(request).build());
            items.addAll(r.responses().getOrDefault(table, List.of()));
            request = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
        }
        return items;
    }
}
