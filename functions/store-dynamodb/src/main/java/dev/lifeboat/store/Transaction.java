package dev.lifeboat.store;

import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.common.StoreConflict.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * One TransactWriteItems call in which every condition knows which rule it stands for. When DynamoDB cancels the
 * transaction, the failed conditions (with the item as it was) become the {@link StoreConflict} that matters most
 * to the caller: a broken rule (409) before a missing item (404) before a stale version (412).
 */
final class Transaction {
    private static final List<Reason> PRIORITY = List.of(Reason.CODE_TAKEN, Reason.POLICY_IN_USE, Reason.DEFINED_HOUR_POLICIES_EXIST,
            Reason.VMS_CONFIGURED, Reason.MANAGER_IS_VEEAM, Reason.NOT_FOUND, Reason.ALREADY_EXISTS, Reason.VERSION_MISMATCH);

    private final String table;
    private final List<TransactWriteItem> items = new ArrayList<>();
    private final List<Function<Map<String, AttributeValue>, Reason>> reasons = new ArrayList<>();

    Transaction(String table) {
        this.table = table;
    }

    /** A condition-free write has no reason; a conditional one maps the item it found to the broken rule. */
    Transaction put(Map<String, AttributeValue> item, Condition condition, Function<Map<String, AttributeValue>, Reason> reason) {
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (condition != null) {
            put.conditionExpression(condition.expression()).returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            if (!condition.names().isEmpty()) put.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) put.expressionAttributeValues(condition.values());
        }
        return add(TransactWriteItem.builder().put(put.build()).build(), reason);
    }

    Transaction update(Map<String, AttributeValue> key, Condition update, Function<Map<String, AttributeValue>, Reason> reason) {
        Update.Builder b = Update.builder().tableName(table).key(key).updateExpression(update.expression())
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        if (update.condition() != null) b.conditionExpression(update.condition());
        if (!update.names().isEmpty()) b.expressionAttributeNames(update.names());
        if (!update.values().isEmpty()) b.expressionAttributeValues(update.values());
        return add(TransactWriteItem.builder().update(b.build()).build(), reason);
    }

    Transaction delete(Map<String, AttributeValue> key, Condition condition, Function<Map<String, AttributeValue>, Reason> reason) {
        Delete.Builder b = Delete.builder().tableName(table).key(key);
        if (condition != null) {
            b.conditionExpression(condition.expression()).returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            if (!condition.names().isEmpty()) b.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) b.expressionAttributeValues(condition.values());
        }
        return add(TransactWriteItem.builder().delete(b.build()).build(), reason);
    }

    Transaction check(Map<String, AttributeValue> key, Condition condition, Reason reason) {
        ConditionCheck.Builder b = ConditionCheck.builder().tableName(table).key(key).conditionExpression(condition.expression());
        if (!condition.names().isEmpty()) b.expressionAttributeNames(condition.names());
        if (!condition.values().isEmpty()) b.expressionAttributeValues(condition.values());
        return add(TransactWriteItem.builder().conditionCheck(b.build()).build(), old -> reason);
    }

    private Transaction add(TransactWriteItem item, Function<Map<String, AttributeValue>, Reason> reason) {
        items.add(item);
        reasons.add(reason);
        return this;
    }

    void commit(DynamoDbClient dynamo) {
        try {
            dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(items).build());
        } catch (TransactionCanceledException e) {
            throw conflict(e);
        }
    }

    private RuntimeException conflict(TransactionCanceledException e) {
        List<Reason> found = new ArrayList<>();
        List<CancellationReason> cancellation = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        for (int i = 0; i < cancellation.size() && i < reasons.size(); i++) {
            CancellationReason r = cancellation.get(i);
            if ("ConditionalCheckFailed".equals(r.code()) && reasons.get(i) != null) {
                found.add(reasons.get(i).apply(r.hasItem() ? r.item() : Map.of()));
            } else if ("TransactionConflict".equals(r.code())) {
                // Another transaction held the item: the caller lost a race, as with a stale version.
                found.add(Reason.VERSION_MISMATCH);
            }
        }
        Optional<Reason> first = found.stream().min(Comparator.comparingInt(PRIORITY::indexOf));
        return first.<RuntimeException>map(StoreConflict::new).orElse(e);
    }
}
