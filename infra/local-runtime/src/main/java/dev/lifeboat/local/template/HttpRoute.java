package dev.lifeboat.local.template;

/**
 * A route of an HTTP API as API Gateway would create it from a function's {@code HttpApi} event.
 *
 * @param method     upper case ({@code GET}, {@code PUT}, ..., {@code ANY}), or {@code null} for {@code $default}
 * @param path       the path template, e.g. {@code /datacenters/{dc}/backup-policies/{policyId}}, or {@code null}
 *                   for {@code $default}
 * @param apiId      logical id of the {@code AWS::Serverless::HttpApi}, {@link SamTemplate#IMPLICIT_HTTP_API} when
 *                   the event names none
 * @param authorizer the event's own {@code Auth.Authorizer}, {@code null} when it uses the API's default
 */
public record HttpRoute(String method, String path, String functionLogicalId, String apiId, String authorizer,
        String eventName) {

    /** The route key as API Gateway writes it in events: {@code "PUT /datacenters/{dc}/backup-manager"}. */
    public String routeKey() {
        return isDefault() ? "$default" : method + " " + path;
    }

    public boolean isDefault() {
        return path == null;
    }
}
