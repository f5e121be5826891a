package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** A payload format 2.0 response. */
public record HttpResponse(int status, Map<String, String> headers, JsonNode body) {

    public static HttpResponse json(int status, JsonNode body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        return new HttpResponse(status, headers, body);
    }

    public static HttpResponse noContent() {
        return new HttpResponse(204, new LinkedHashMap<>(), null);
    }

    public HttpResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpResponse(status, h, body);
    }

    public HttpResponse withVersion(long version) {
        return withHeader("etag", "\"" + version + "\"");
    }

    public ObjectNode toEvent() {
        ObjectNode out = Json.NODES.objectNode();
        out.put("statusCode", status);
        ObjectNode h = out.putObject("headers");
        headers.forEach(h::put);
        if (body != null) {
            out.put("body", Json.write(body));
        }
        out.put("isBase64Encoded", false);
        return out;
    }
}
