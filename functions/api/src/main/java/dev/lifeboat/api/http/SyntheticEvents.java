package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Payload 2.0 events made in code, for SnapStart priming and benchmarks: only the fields handlers read, with the
 * claims in API Gateway's string form.
 */
public final class SyntheticEvents {
    private SyntheticEvents() {}

    public static ObjectNode of(String routeKey, String rawPath, Map<String, String> pathParameters, Map<String, String> claims, String body) {
        ObjectNode event = Json.NODES.objectNode();
        event.put("version", "2.0");
        event.put("routeKey", routeKey);
        event.put("rawPath", rawPath);
        ObjectNode params = event.putObject("pathParameters");
        pathParameters.forEach(params::put);
        event.putObject("headers").put("content-type", "application/json");
        ObjectNode c = event.putObject("requestContext").putObject("authorizer").putObject("jwt").putObject("claims");
        claims.forEach(c::put);
        if (body != null) {
            event.put("body", body);
        }
        return event;
    }
}
