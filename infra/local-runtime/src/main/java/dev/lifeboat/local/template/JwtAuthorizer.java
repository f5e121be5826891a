package dev.lifeboat.local.template;

import java.util.List;

/**
 * A JWT authorizer of an HTTP API ({@code Auth.Authorizers.<name>.JwtConfiguration}). Issuer and audience are the
 * deployed values (raw template values); the local runtime checks its own issuer and audience instead.
 */
public record JwtAuthorizer(String name, String identitySource, Object issuer, List<Object> audience) {
}
