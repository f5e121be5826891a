package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The parts of an API Gateway HTTP API (payload format 2.0) event that handlers use. */
public record HttpRequest(
        String routeKey,
        String rawPath,
        String requestId,
        Map<String, String> pathParameters,
        Map<String, String> queryParameters,
        Map<String, String> headers,
        JsonNode claims,
        byte[] body) {

    public static HttpRequest fromEvent(JsonNode event) {
        JsonNode context = event.path("requestContext");
        String body = event.path("body").isTextual() ? event.path("body").asText() : null;
        byte[] bytes = body == null ? new byte[0]
                : event.path("isBase64Encoded").asBoolean(false) ? decode(body) : body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>();
        event.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText()));
        return new HttpRequest(
                event.path("routeKey").asText(""),
                event.path("rawPath").asText(""),
                context.path("requestId").asText(""),
                strings(event.path("pathParameters")),
                strings(event.path("queryStringParameters")),
                headers,
                context.path("authorizer").path("jwt").path("claims"),
                bytes);
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new HashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    public String path(String name) {
        return pathParameters.get(name);
    }

    public String query(String name) {
        return queryParameters.get(name);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
