package dev.lifeboat.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and writes Jackson trees with jackson-core alone. An {@code ObjectMapper} (and {@code JsonNode.toString()},
 * which builds one internally) loads some 400 classes of data binding on its first use; the functions only ever need
 * trees, so they read and write them here and keep that out of their cold start.
 *
 * <p>Reading matches {@code ObjectMapper.readTree}: integers become int, long or big-integer nodes by size, other
 * numbers double nodes, no content is a {@link MissingNode}, content after the first value is ignored.
 */
public final class JsonTrees {
    /** Jackson's defaults. */
    public static final JsonTrees DEFAULT = new JsonTrees(new JsonFactory());

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonFactory factory;

    public JsonTrees(JsonFactory factory) {
        this.factory = factory;
    }

    /** For request bodies: a repeated key is refused (ambiguous), nesting is limited to {@code maxDepth}. */
    public static JsonTrees strict(int maxDepth) {
        JsonFactory factory = new JsonFactory();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        factory.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build());
        return new JsonTrees(factory);
    }

    public JsonNode read(InputStream in) throws IOException {
        try (JsonParser parser = factory.createParser(in)) {
            return read(parser);
        }
    }

    public JsonNode read(byte[] bytes) throws IOException {
        try (JsonParser parser = factory.createParser(bytes)) {
            return read(parser);
        }
    }

    public JsonNode read(String text) throws JsonProcessingException {
        try (JsonParser parser = factory.createParser(text)) {
            return read(parser);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string", e);
        }
    }

    private static JsonNode read(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        return first == null ? MissingNode.getInstance() : value(parser, first);
    }

    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    object.set(name, value(parser, parser.nextToken()));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(value(parser, t));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT:
                return switch (parser.getNumberType()) {
                    case INT -> NODES.numberNode(parser.getIntValue());
                    case LONG -> NODES.numberNode(parser.getLongValue());
                    default -> NODES.numberNode(parser.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonProcessingException("unexpected " + token, parser.currentLocation()) {};
        }
    }

    /** The tree as compact JSON, as {@code JsonNode.toString()} writes it. */
    public String write(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }

    public byte[] bytes(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = factory.createGenerator(out)) {
            write(generator, node);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator out, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    if (!field.getValue().isMissingNode()) {
                        out.writeFieldName(field.getKey());
                        write(out, field.getValue());
                    }
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (JsonNode item : node) {
                    write(out, item);
                }
                out.writeEndArray();
            }
            case STRING -> out.writeString(node.textValue());
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> out.writeNumber(node.intValue());
                    case LONG -> out.writeNumber(node.longValue());
                    case BIG_INTEGER -> out.writeNumber(node.bigIntegerValue());
                    case FLOAT -> out.writeNumber(node.floatValue());
                    case DOUBLE -> out.writeNumber(node.doubleValue());
                    default -> out.writeNumber(node.decimalValue());
                }
            }
            case BOOLEAN -> out.writeBoolean(node.booleanValue());
            case NULL -> out.writeNull();
            case BINARY -> out.writeBinary(node.binaryValue());
            case MISSING -> { }
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }
}
