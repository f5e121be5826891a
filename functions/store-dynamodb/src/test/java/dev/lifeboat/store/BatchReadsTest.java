package dev.lifeboat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Unprocessed keys, which dynalite never leaves: a client that answers part of each request, as a throttled DynamoDB
 * does. (Every other read of BatchReads runs against dynalite in the store tests.)
 */
class BatchReadsTest {
    private static final String TABLE = "t";

    /** Answers the first {@code answered.apply(call)} keys of each request as items, and leaves the rest unprocessed. */
    private static DynamoDbClient throttled(Function<Integer, Integer> answered, List<Integer> requestSizes) {
        return new DynamoDbClient() {
            private int calls;

            @Override
            public synchronized BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
                List<Map<String, AttributeValue>> keys = request.requestItems().get(TABLE).keys();
                requestSizes.add(keys.size());
                int n = Math.min(keys.size(), answered.apply(calls++));
                BatchGetItemResponse.Builder out = BatchGetItemResponse.builder().responses(Map.of(TABLE, keys.subList(0, n)));
                if (n < keys.size()) {
                    out.unprocessedKeys(Map.of(TABLE, KeysAndAttributes.builder().keys(keys.subList(n, keys.size())).consistentRead(true).build()));
                }
                return out.build();
            }

            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {}
        };
    }

    private static List<Map<String, AttributeValue>> keys(int n) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Map.of("PK", AttributeValue.fromS("k" + i)));
        return out;
    }

    @Test
    void unprocessedKeysAreAskedAgainAfterAGrowingPauseUntilEveryItemIsRead() {
        List<Integer> sizes = new ArrayList<>();
        List<Long> pauses = new CopyOnWriteArrayList<>();
        List<Map<String, AttributeValue>> read = new ArrayList<>();

        BatchReads.get(throttled(call -> 30, sizes), TABLE, keys(80), read::add, pauses::add);

        assertEquals(80, read.size(), "every key read once");
        assertEquals(80, read.stream().distinct().count());
        assertEquals(List.of(80, 50, 20), sizes, "only the unprocessed keys asked again");
        assertEquals(List.of(50L, 100L), pauses, "a pause before each repeat, growing");
    }

    @Test
    void keysLeftUnprocessedFiveTimesFailAsTheTableNotAnswering() {
        List<Integer> sizes = new ArrayList<>();
        List<Long> pauses = new CopyOnWriteArrayList<>();

        SdkClientException e = assertThrows(SdkClientException.class,
                () -> BatchReads.get(throttled(call -> 0, sizes), TABLE, keys(10), item -> { }, pauses::add));

        assertTrue(e.getMessage().contains("left 10 of 10 keys of table t unprocessed 5 times"), e.getMessage());
        assertEquals(Backoff.ATTEMPTS, sizes.size(), "five attempts, no more");
        assertEquals(List.of(50L, 100L, 200L, 400L), pauses);
    }
}
