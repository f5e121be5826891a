package dev.lifeboat.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lifeboat.json.JsonTrees;
import java.io.IOException;
import java.io.InputStream;

/**
 * JSON of the API: trees only, read and written without an ObjectMapper (see {@link JsonTrees}: its start-up was the
 * largest part of an API function's cold start). Write trees with {@link #write}, never {@code JsonNode.toString()}.
 */
public final class Json {
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    // A repeated key is ambiguous: refuse it rather than silently keep one of the values.
    private static final JsonTrees TREES = JsonTrees.strict(64);

    private Json() {}

    public static JsonNode read(InputStream in) throws IOException {
        return TREES.read(in);
    }

    public static JsonNode read(byte[] bytes) throws IOException {
        return TREES.read(bytes);
    }

    public static JsonNode read(String text) throws JsonProcessingException {
        return TREES.read(text);
    }

    public static String write(JsonNode node) {
        return TREES.write(node);
    }

    public static byte[] bytes(JsonNode node) {
        return TREES.bytes(node);
    }
}
