package dev.lifeboat.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading a request body: size, JSON syntax, and the JSON kind of each field (400). Values are judged by the domain
 * (422). Every wrong kind is reported at once.
 */
public final class Body {
    public static final int MAX_BYTES = 64 * 1024;

    private final JsonNode root;
    private final Violations malformed = new Violations();

    private Body(JsonNode root) {
        this.root = root;
    }

    public static Body parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new DomainException(Problem.PAYLOAD_TOO_LARGE, "The request body is larger than 64 KiB.");
        }
        if (bytes.length == 0) {
            throw DomainException.badRequest("The request needs a JSON object body.");
        }
        JsonNode root;
        try {
            root = Json.read(bytes);
        } catch (JsonProcessingException e) {
            throw DomainException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw DomainException.badRequest("The request body could not be read.");
        }
        if (root == null || !root.isObject()) {
            throw DomainException.badRequest("The request body must be a JSON object.");
        }
        return new Body(root);
    }

    public JsonNode root() {
        return root;
    }

    /** A string field; null when absent or JSON null. */
    public String string(String field) {
        return string(root, field, field);
    }

    public String string(JsonNode object, String field, String path) {
        JsonNode n = object.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            malformed.add(path, "must be a string");
            return null;
        }
        return n.asText();
    }

    public Boolean bool(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            malformed.add(field, "must be true or false");
            return null;
        }
        return n.asBoolean();
    }

    /** An array of strings; null when absent or JSON null. */
    public List<String> strings(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            malformed.add(field, "must be an array of strings");
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                malformed.add(field + "[" + i + "]", "must be a string");
            } else {
                out.add(n.get(i).asText());
            }
        }
        return out;
    }

    /** An array of objects; null when absent or JSON null. */
    public List<JsonNode> objects(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            malformed.add(field, "must be an array of objects");
            return null;
        }
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isObject()) {
                malformed.add(field + "[" + i + "]", "must be an object");
            } else {
                out.add(n.get(i));
            }
        }
        return out;
    }

    /** An object field of {@code parent}; null when absent or JSON null. */
    public JsonNode object(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            malformed.add(path, "must be an object");
            return null;
        }
        return n;
    }

    /** A schedule value: a string, a whole number, an array of strings, or null. */
    public Object scheduleValue(JsonNode value, String path) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isArray()) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                if (!value.get(i).isTextual()) {
                    malformed.add(path + "[" + i + "]", "must be a string");
                } else {
                    out.add(value.get(i).asText());
                }
            }
            return out;
        }
        malformed.add(path, "must be a string, a whole number or an array of strings");
        return null;
    }

    /** Call after reading every field: any wrong kind makes the request malformed. */
    public void requireWellFormed() {
        malformed.throwIfAny(Problem.BAD_REQUEST);
    }
}
