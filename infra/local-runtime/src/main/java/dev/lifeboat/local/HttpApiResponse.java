package dev.lifeboat.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** An HTTP response as API Gateway derives it from a Lambda answer in payload format 2.0. */
record HttpApiResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static HttpApiResponse json(int status, String body) {
        return new HttpApiResponse(status, List.of(header("content-type", "application/json")),
                body.getBytes(StandardCharsets.UTF_8));
    }

    static Map.Entry<String, String> header(String name, String value) {
        return new SimpleImmutableEntry<>(name, value);
    }

    /**
     * An object with {@code statusCode} is a structured response; any other valid JSON is the body of a 200
     * {@code application/json} response (API Gateway's rule for format 2.0).
     *
     * @throws InvalidResponseException when API Gateway would answer 500 instead
     */
    static HttpApiResponse fromLambda(byte[] output) throws InvalidResponseException {
        JsonNode answer;
        try {
            answer = output.length == 0 ? null : JSON.readTree(output);
        } catch (IOException e) {
            throw new InvalidResponseException("the answer is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (answer == null || answer.isMissingNode()) {
            throw new InvalidResponseException("the answer is empty");
        }
        if (!answer.isObject() || !answer.has("statusCode")) {
            return new HttpApiResponse(200, List.of(header("content-type", "application/json")), output);
        }
        JsonNode statusNode = answer.get("statusCode");
        int status;
        if (statusNode.isIntegralNumber()) {
            status = statusNode.intValue();
        } else if (statusNode.isTextual() && statusNode.asText().matches("\\d{3}")) {
            status = Integer.parseInt(statusNode.asText());
        } else {
            throw new InvalidResponseException("statusCode is not a number: " + statusNode);
        }
        if (status < 100 || status > 599) {
            throw new InvalidResponseException("statusCode " + status + " is not an HTTP status");
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        JsonNode single = answer.path("headers");
        if (single.isObject()) {
            for (Map.Entry<String, JsonNode> field : single.properties()) {
                headers.add(header(field.getKey(), scalar(field.getValue(), "headers." + field.getKey())));
            }
        }
        JsonNode multi = answer.path("multiValueHeaders");
        if (multi.isObject()) {
            for (Map.Entry<String, JsonNode> field : multi.properties()) {
                if (!field.getValue().isArray()) {
                    throw new InvalidResponseException("multiValueHeaders." + field.getKey() + " is not an array");
                }
                for (JsonNode value : field.getValue()) {
                    headers.add(header(field.getKey(), scalar(value, "multiValueHeaders." + field.getKey())));
                }
            }
        }
        JsonNode cookies = answer.path("cookies");
        if (cookies.isArray()) {
            for (JsonNode cookie : cookies) {
                headers.add(header("set-cookie", scalar(cookie, "cookies")));
            }
        }
        JsonNode bodyNode = answer.path("body");
        byte[] body;
        if (bodyNode.isMissingNode() || bodyNode.isNull()) {
            body = new byte[0];
        } else if (!bodyNode.isTextual()) {
            throw new InvalidResponseException("body must be a string (serialise JSON bodies), got " + bodyNode.getNodeType());
        } else if (answer.path("isBase64Encoded").asBoolean(false)) {
            try {
                body = Base64.getDecoder().decode(bodyNode.asText());
            } catch (IllegalArgumentException e) {
                throw new InvalidResponseException("isBase64Encoded is true but body is not base64");
            }
        } else {
            body = bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        }
        return new HttpApiResponse(status, headers, body);
    }

    private static String scalar(JsonNode value, String where) throws InvalidResponseException {
        if (value.isValueNode() && !value.isNull()) {
            return value.asText();
        }
        throw new InvalidResponseException(where + " must be a string, number or boolean, got " + value);
    }

    /** A Lambda answer that API Gateway would turn into a 500. */
    static final class InvalidResponseException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidResponseException(String message) {
            super(message);
        }
    }
}
