package dev.lifeboat.local.template;

import java.util.Map;
import java.util.Set;

/**
 * An {@code AWS::Serverless::HttpApi} (or SAM's implicit one) and its authorizers.
 *
 * @param defaultAuthorizer {@code Auth.DefaultAuthorizer}, {@code null} when routes are open by default
 * @param jwtAuthorizers    the authorizers with a {@code JwtConfiguration}, by name
 * @param otherAuthorizers  names of authorizers of another kind (Lambda, IAM), which run nowhere locally
 * @param implicit          true for the API that SAM creates for events without {@code ApiId}
 */
public record HttpApiDef(String logicalId, String defaultAuthorizer, Map<String, JwtAuthorizer> jwtAuthorizers,
        Set<String> otherAuthorizers, boolean implicit) {
}
