package dev.lifeboat.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * BatchGetItem over any number of keys: chunks of its limit, consistent reads. DynamoDB leaves keys unprocessed when a
 * partition is throttled or an answer passes 16 MB; AWS asks for a growing pause before they are asked again (API
 * reference, BatchGetItem: "we strongly recommend that you use an exponential backoff algorithm"). After five attempts
 * the read fails as the table not answering (an SdkClientException), which a workflow task retries as any other of the
 * table's failures. Before, the keys were asked again at once and without end: a throttled partition was hammered.
 */
final class BatchReads {
    private static final int LIMIT = 100;

    private BatchReads() {}

    /** {@code each} is called on the caller's thread, with the items of every chunk; the chunks are read at once. */
    static void get(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys, Consumer<Map<String, AttributeValue>> each) {
        get(dynamo, table, keys, each, millis -> Backoff.sleep(millis, e -> SdkClientException.create("interrupted while reading from DynamoDB", e)));
    }

    static void get(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys, Consumer<Map<String, AttributeValue>> each,
                    LongConsumer pause) {
        List<Map<String, AttributeValue>> distinct = keys.stream().distinct().toList();
        List<List<Map<String, AttributeValue>>> chunks = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += LIMIT) chunks.add(distinct.subList(from, Math.min(distinct.size(), from + LIMIT)));
        for (List<Map<String, AttributeValue>> items : RoundTrips.each(chunks, chunk -> read(dynamo, table, chunk, pause))) items.forEach(each);
    }

    private static List<Map<String, AttributeValue>> read(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> chunk,
                                                          LongConsumer pause) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(chunk).consistentRead(true).build());
        for (int attempt = 0; !request.isEmpty(); attempt++) {
            if (attempt == Backoff.ATTEMPTS) {
                throw SdkClientException.create("DynamoDB left " + request.get(table).keys().size() + " of " + chunk.size()
                        + " keys of table " + table + " unprocessed " + Backoff.ATTEMPTS + " times (throttled)");
            }
            if (attempt > 0) pause.accept(Backoff.before(attempt));
            BatchGetItemResponse r = dynamo.batchGetItem(BatchGetItemRequest.builder().requestItems(request).build());
            items.addAll(r.responses().getOrDefault(table, List.of()));
            request = r.hasUnprocessedKeys() && !r.unprocessedKeys().isEmpty() ? r.unprocessedKeys() : Map.of();
        }
        return items;
    }
}
