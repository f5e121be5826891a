package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.FieldError;
import dev.lifeboat.domain.error.Problem;

/** RFC 9457 problem documents for every refusal. */
public final class Problems {
    public static final String TYPE_BASE = "https://lifeboat.dev/problems/";

    private Problems() {}

    public static int status(Problem problem) {
        return switch (problem) {
            case BAD_REQUEST -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case PRECONDITION_FAILED -> 412;
            case PAYLOAD_TOO_LARGE -> 413;
            case VALIDATION_FAILED -> 422;
            case SERVICE_UNAVAILABLE -> 503;
        };
    }

    private static String slug(Problem problem) {
        return switch (problem) {
            case BAD_REQUEST -> "bad-request";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "not-found";
            case CONFLICT -> "conflict";
            case PRECONDITION_FAILED -> "precondition-failed";
            case PAYLOAD_TOO_LARGE -> "payload-too-large";
            case VALIDATION_FAILED -> "validation-failed";
            case SERVICE_UNAVAILABLE -> "service-unavailable";
        };
    }

    private static String title(Problem problem) {
        return switch (problem) {
            case BAD_REQUEST -> "Bad request";
            case UNAUTHORIZED -> "Unauthorized";
            case FORBIDDEN -> "Forbidden";
            case NOT_FOUND -> "Not found";
            case CONFLICT -> "Conflict";
            case PRECONDITION_FAILED -> "Precondition failed";
            case PAYLOAD_TOO_LARGE -> "Payload too large";
            case VALIDATION_FAILED -> "Validation failed";
            case SERVICE_UNAVAILABLE -> "Service unavailable";
        };
    }

    public static HttpResponse of(DomainException e, String instance) {
        ObjectNode body = Json.NODES.objectNode();
        body.put("type", TYPE_BASE + slug(e.problem()));
        body.put("title", title(e.problem()));
        body.put("status", status(e.problem()));
        body.put("detail", e.getMessage());
        body.put("instance", instance);
        if (!e.errors().isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            for (FieldError f : e.errors()) {
                errors.addObject().put("field", f.field()).put("message", f.message());
            }
        }
        HttpResponse r = HttpResponse.json(status(e.problem()), body).withHeader("content-type", "application/problem+json");
        return e.problem() == Problem.UNAUTHORIZED ? r.withHeader("www-authenticate", "Bearer") : r;
    }

    public static HttpResponse internalError(String instance, String requestId) {
        ObjectNode body = Json.NODES.objectNode();
        body.put("type", TYPE_BASE + "internal-error");
        body.put("title", "Internal error");
        body.put("status", 500);
        body.put("detail", "Lifeboat could not complete the request. Quote request id " + requestId + " to your operator.");
        body.put("instance", instance);
        return HttpResponse.json(500, body).withHeader("content-type", "application/problem+json");
    }
}
