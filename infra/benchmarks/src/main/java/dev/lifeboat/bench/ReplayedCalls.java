package dev.lifeboat.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The raw DynamoDB side of a handler that writes: the exact requests the handler just sent (recorded by an interceptor
 * on the benchmark's client), sent again to a shadow table that holds the same items. The shadow starts as a copy of
 * the handler's table and receives every write the handler made, in the same order, so each replayed condition and
 * transaction meets the state the handler's met and succeeds as it did; a replay that fails stops the benchmark.
 */
final class ReplayedCalls implements ExecutionInterceptor {
    private final List<SdkRequest> recorded = new ArrayList<>();
    private volatile boolean recording;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (recording) {
            synchronized (recorded) {
                recorded.add(context.request());
            }
        }
    }

    /** Runs {@code handler} and keeps the DynamoDB requests it sent (and only those). */
    void record(Runnable handler) {
        synchronized (recorded) {
            recorded.clear();
        }
        recording = true;
        try {
            handler.run();
        } finally {
            recording = false;
        }
    }

    /** What the last recorded run sent, e.g. {@code GetItem×2 TransactWriteItems×1}. */
    String summary() {
        Map<String, Integer> counts = new TreeMap<>();
        synchronized (recorded) {
            recorded.forEach(r -> counts.merge(r.getClass().getSimpleName().replace("Request", ""), 1, Integer::sum));
        }
        StringBuilder out = new StringBuilder();
        counts.forEach((op, n) -> out.append(out.length() == 0 ? "" : " ").append(op).append('×').append(n));
        return out.toString();
    }

    /** Sends the last recorded requests to {@code shadow} with {@code dynamo}. */
    void replay(DynamoDbClient dynamo, String shadow) {
        List<SdkRequest> requests;
        synchronized (recorded) {
            requests = List.copyOf(recorded);
        }
        for (SdkRequest r : requests) {
            if (r instanceof GetItemRequest g) {
                dynamo.getItem(g.toBuilder().tableName(shadow).build());
            } else if (r instanceof QueryRequest q) {
                dynamo.query(q.toBuilder().tableName(shadow).build());
            } else if (r instanceof PutItemRequest p) {
                dynamo.putItem(p.toBuilder().tableName(shadow).build());
            } else if (r instanceof UpdateItemRequest u) {
                dynamo.updateItem(u.toBuilder().tableName(shadow).build());
            } else if (r instanceof DeleteItemRequest d) {
                dynamo.deleteItem(d.toBuilder().tableName(shadow).build());
            } else if (r instanceof TransactWriteItemsRequest t) {
                List<TransactWriteItem> items = new ArrayList<>();
                for (TransactWriteItem i : t.transactItems()) {
                    TransactWriteItem.Builder b = i.toBuilder();
                    if (i.put() != null) b.put(i.put().toBuilder().tableName(shadow).build());
                    if (i.update() != null) b.update(i.update().toBuilder().tableName(shadow).build());
                    if (i.delete() != null) b.delete(i.delete().toBuilder().tableName(shadow).build());
                    if (i.conditionCheck() != null) b.conditionCheck(i.conditionCheck().toBuilder().tableName(shadow).build());
                    items.add(b.build());
                }
                // The handler's token already names the handler's transaction; the replay is another one.
                dynamo.transactWriteItems(t.toBuilder().transactItems(items).clientRequestToken(null).build());
            } else if (r instanceof BatchGetItemRequest b) {
                Map<String, software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes> items = new LinkedHashMap<>();
                b.requestItems().values().forEach(keys -> items.put(shadow, keys));
                dynamo.batchGetItem(b.toBuilder().requestItems(items).build());
            } else if (r instanceof BatchWriteItemRequest b) {
                Map<String, List<WriteRequest>> items = new LinkedHashMap<>();
                b.requestItems().values().forEach(writes -> items.computeIfAbsent(shadow, k -> new ArrayList<>()).addAll(writes));
                write(dynamo, shadow, items.get(shadow));
            } else if (r instanceof TransactGetItemsRequest t) {
                List<TransactGetItem> items = new ArrayList<>();
                for (TransactGetItem i : t.transactItems()) {
                    items.add(i.toBuilder().get(i.get().toBuilder().tableName(shadow).build()).build());
                }
                dynamo.transactGetItems(t.toBuilder().transactItems(items).build());
            } else {
                throw new IllegalStateException("no replay for " + r.getClass().getSimpleName() + ": add it here");
            }
        }
    }

    /** Copies every item of {@code table} into {@code shadow} (same key schema and indexes, created by the caller). */
    static void copy(DynamoDbClient dynamo, String table, String shadow) {
        Map<String, AttributeValue> start = null;
        do {
            ScanResponse page = dynamo.scan(ScanRequest.builder().tableName(table).exclusiveStartKey(start).build());
            List<WriteRequest> writes = new ArrayList<>();
            for (Map<String, AttributeValue> item : page.items()) {
                writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
                if (writes.size() == 25) {
                    write(dynamo, shadow, writes);
                    writes = new ArrayList<>();
                }
            }
            if (!writes.isEmpty()) write(dynamo, shadow, writes);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    private static void write(DynamoDbClient dynamo, String shadow, List<WriteRequest> writes) {
        Map<String, List<WriteRequest>> pending = new LinkedHashMap<>(Map.of(shadow, writes));
        while (!pending.isEmpty()) {
            var answer = dynamo.batchWriteItem(BatchWriteItemRequest.builder().requestItems(pending).build());
            pending = answer.hasUnprocessedItems() ? new LinkedHashMap<>(answer.unprocessedItems()) : Map.of();
        }
    }
}
