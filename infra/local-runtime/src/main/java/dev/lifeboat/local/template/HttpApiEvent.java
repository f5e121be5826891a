package dev.lifeboat.local.template;

/**
 * An {@code HttpApi} event of a function.
 *
 * @param path                 the path template, or {@code null} for the API's {@code $default} route
 * @param method               as written ({@code get}, {@code ANY}, ...), or {@code null} for {@code $default}
 * @param apiId                the logical id in {@code ApiId: !Ref X}, or {@code null} for SAM's implicit API
 * @param authorizer           {@code Auth.Authorizer} of the event ({@code NONE}, a name), or {@code null} for the
 *                             API's default authorizer
 * @param payloadFormatVersion {@code PayloadFormatVersion}, {@code 2.0} unless the event says otherwise
 */
public record HttpApiEvent(String name, String path, String method, String apiId, String authorizer,
        String payloadFormatVersion) {
}
