package dev.lifeboat.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.json.JsonTrees;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** JSON of this module: Jackson trees only, written without an ObjectMapper (see {@link JsonTrees}). */
final class Json {
    static final JsonTrees TREES = JsonTrees.DEFAULT;
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    static String write(JsonNode node) {
        return TREES.write(node);
    }

    /**
     * The tree of an event detail. The port's record has already checked every value (String, Number, Boolean,
     * null, Map with String keys, List), so anything else here is a bug.
     */
    static ObjectNode object(Map<String, Object> map) {
        ObjectNode node = NODES.objectNode();
        map.forEach((key, value) -> node.set(key, value(value)));
        return node;
    }

    private static JsonNode value(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return NODES.numberNode(((Number) value).longValue());
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (value instanceof BigInteger i) {
            return NODES.numberNode(i);
        }
        if (value instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Number n) {
            // AtomicLong, LongAdder and the like: their text is a plain decimal number.
            return NODES.numberNode(new BigDecimal(n.toString()));
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = NODES.objectNode();
            map.forEach((key, v) -> node.set((String) key, value(v)));
            return node;
        }
        if (value instanceof List<?> list) {
            ArrayNode node = NODES.arrayNode(list.size());
            list.forEach(v -> node.add(value(v)));
            return node;
        }
        throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
}
