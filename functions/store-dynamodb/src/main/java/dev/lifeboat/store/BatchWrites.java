package dev.lifeboat.store;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Plain puts of any number of items: BatchWriteItem in chunks of its limit. DynamoDB leaves items unprocessed when a
 * partition is throttled; they are written again after a growing pause, five attempts at most.
 */
final class BatchWrites {
    private static final int LIMIT = 25;

    private BatchWrites() {}

    /** @param what what the items are, for the error when DynamoDB keeps leaving some unprocessed */
    static void put(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> items, String what) {
        for (int from = 0; from < items.size(); from += LIMIT) {
            Map<String, List<WriteRequest>> pending = Map.of(table, items.subList(from, Math.min(items.size(), from + LIMIT)).stream()
                    .map(i -> WriteRequest.builder().putRequest(PutRequest.builder().item(i).build()).build()).toList());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt == Backoff.ATTEMPTS) {
                    throw new IllegalStateException("DynamoDB left " + what + " unprocessed " + Backoff.ATTEMPTS + " times");
                }
                if (attempt > 0) Backoff.sleep(Backoff.before(attempt), e -> new IllegalStateException("interrupted while writing to DynamoDB", e));
                final Map<String, List<WriteRequest>> request = pending;
                var r = dynamo.batchWriteItem(b -> b.requestItems(request));
                pending = r.hasUnprocessedItems() && !r.unprocessedItems().isEmpty() ? r.unprocessedItems() : Map.of();
            }
        }
    }
}
