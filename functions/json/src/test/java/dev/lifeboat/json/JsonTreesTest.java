package dev.lifeboat.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The functions swapped ObjectMapper for these trees: what they read and write must not change. */
class JsonTreesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> DOCUMENTS = List.of(
            "{}", "[]", "\"text with \\\"quotes\\\", \\u00e9 and \\n\"", "0", "-7", "2147483648", "123456789012345678901234567890",
            "1.5", "-0.25e3", "true", "false", "null",
            "{\"a\":[1,2,{\"b\":\"c\",\"d\":null}],\"e\":true,\"f\":{\"g\":[[]],\"h\":9007199254740993},\"ü\":\"ß\"}");

    @Test
    void readsAndWritesAsObjectMapperDoes() throws Exception {
        for (String document : DOCUMENTS) {
            JsonNode expected = MAPPER.readTree(document);
            JsonNode fromString = JsonTrees.DEFAULT.read(document);
            JsonNode fromBytes = JsonTrees.DEFAULT.read(document.getBytes(StandardCharsets.UTF_8));
            JsonNode fromStream = JsonTrees.DEFAULT.read(new ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, fromString, document);
            assertEquals(expected, fromBytes, document);
            assertEquals(expected, fromStream, document);
            assertEquals(expected.getClass(), fromString.getClass(), document);
            assertEquals(expected.toString(), JsonTrees.DEFAULT.write(expected), document);
        }
    }

    @Test
    void noContentIsAMissingNodeAsInObjectMapper() throws Exception {
        assertTrue(JsonTrees.DEFAULT.read("  ").isMissingNode());
        assertTrue(JsonTrees.DEFAULT.read(new byte[0]).isMissingNode());
    }

    @Test
    void strictRefusesRepeatedKeysAndDeepNesting() throws Exception {
        JsonTrees strict = JsonTrees.strict(4);
        assertThrows(JsonProcessingException.class, () -> strict.read("{\"a\":1,\"a\":2}"));
        assertThrows(JsonProcessingException.class, () -> strict.read("[[[[[1]]]]]"));
        assertEquals(MAPPER.readTree("[[[[1]]]]"), strict.read("[[[[1]]]]"));
        assertThrows(JsonProcessingException.class, () -> strict.read("{\"a\":"));
    }
}
