package dev.lifeboat.bench.sync;

import java.util.concurrent.atomic.DoubleAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Read and write capacity units of the workflow handler's DynamoDB requests, as dynalite reports them when asked
 * ({@code ReturnConsumedCapacity=TOTAL}, added to every request Lifeboat's stores send).
 */
final class CapacityCounter implements ExecutionInterceptor {
    final DoubleAdder reads = new DoubleAdder();
    final DoubleAdder writes = new DoubleAdder();
    /** Requests and their summed round-trip milliseconds, by operation (GetItem, Query, ...). */
    final java.util.Map<String, java.util.concurrent.atomic.LongAdder> requests = new java.util.concurrent.ConcurrentSkipListMap<>();
    final java.util.Map<String, java.util.concurrent.atomic.LongAdder> millis = new java.util.concurrent.ConcurrentHashMap<>();
    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Long> STARTED =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("bench-started");

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attributes.putAttribute(STARTED, System.nanoTime());
    }

    void reset() {
        reads.reset();
        writes.reset();
        requests.clear();
        millis.clear();
    }

    /** "Query 3,042 (1.9 s), PutItem 1,000 (0.8 s)": where the table's time went. */
    String summary() {
        StringBuilder out = new StringBuilder();
        requests.forEach((op, n) -> out.append(out.isEmpty() ? "" : ", ").append(String.format("%s %,d (%.1f s)", op, n.sum(),
                millis.get(op).sum() / 1000.0)));
        return out.toString();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest r = context.request();
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        if (r instanceof GetItemRequest g) return g.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof BatchGetItemRequest b) return b.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof QueryRequest q) return q.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof PutItemRequest p) return p.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof UpdateItemRequest u) return u.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof DeleteItemRequest d) return d.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof TransactWriteItemsRequest t) return t.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof BatchWriteItemRequest b) return b.toBuilder().returnConsumedCapacity(total).build();
        return r;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Object r = context.response();
        String op = context.request().getClass().getSimpleName().replace("Request", "");
        requests.computeIfAbsent(op, k -> new java.util.concurrent.atomic.LongAdder()).increment();
        Long started = attributes.getAttribute(STARTED);
        if (started != null) {
            millis.computeIfAbsent(op, k -> new java.util.concurrent.atomic.LongAdder()).add((System.nanoTime() - started) / 1_000_000);
        }
        if (r instanceof GetItemResponse g) read(g.consumedCapacity());
        // Every key asked is charged, found or not (dynalite as DynamoDB: a strongly consistent read of nothing is a unit).
        if (r instanceof BatchGetItemResponse b && b.hasConsumedCapacity()) b.consumedCapacity().forEach(this::read);
        if (r instanceof QueryResponse q) read(q.consumedCapacity());
        if (r instanceof PutItemResponse p) write(p.consumedCapacity());
        if (r instanceof UpdateItemResponse u) write(u.consumedCapacity());
        if (r instanceof DeleteItemResponse d) write(d.consumedCapacity());
        if (r instanceof TransactWriteItemsResponse t) {
            if (t.hasConsumedCapacity() && !t.consumedCapacity().isEmpty()) {
                t.consumedCapacity().forEach(this::write);
            } else if (context.request() instanceof TransactWriteItemsRequest q) {
                // dynalite reports no capacity for transactions: AWS charges two write units per item of up to 1 KB.
                writes.add(2.0 * q.transactItems().size());
            }
        }
        if (r instanceof BatchWriteItemResponse b) b.consumedCapacity().forEach(this::write);
    }

    private void read(ConsumedCapacity c) {
        if (c != null && c.capacityUnits() != null) reads.add(c.capacityUnits());
    }

    private void write(ConsumedCapacity c) {
        if (c != null && c.capacityUnits() != null) writes.add(c.capacityUnits());
    }
}
