package dev.lifeboat.store;

import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An expression with its names and values. For updates, {@code expression} is the update expression and
 * {@code condition} the condition expression; elsewhere only {@code expression} is used.
 */
record Condition(String expression, String condition, Map<String, String> names, Map<String, AttributeValue> values) {

    static Condition of(String expression) {
        return new Condition(expression, null, Map.of(), Map.of());
    }

    static Condition update(String update, String condition) {
        return new Condition(update, condition, Map.of(), Map.of());
    }

    Condition name(String placeholder, String attribute) {
        Map<String, String> n = new HashMap<>(names);
        n.put(placeholder, attribute);
        return new Condition(expression, condition, n, values);
    }

    Condition value(String placeholder, AttributeValue value) {
        Map<String, AttributeValue> v = new HashMap<>(values);
        v.put(placeholder, value);
        return new Condition(expression, condition, names, v);
    }

    static final Condition ITEM_ABSENT = of("attribute_not_exists(PK)");
    static final Condition ITEM_PRESENT = of("attribute_exists(PK)");

    static Condition versionIs(long version) {
        return of("#version = :expectedVersion").name("#version", "version").value(":expectedVersion", Attr.n(version));
    }
}
