package dev.lifeboat.secrets;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.domain.secret.SecretStore;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * The secret store in AWS. Every put writes a new version and answers its id, so a manager item can pin the exact
 * password it was saved with.
 *
 * <p>Failures become {@link IllegalStateException}s that name the operation, the secret and the service's error code,
 * and carry no cause: an SDK exception's message and cause chain come from outside this class and, through a proxy or
 * a future SDK change, could echo the request, and with it the password.
 */
public final class SecretsManagerSecretStore implements SecretStore, AutoCloseable {
    private final SecretsManagerClient client;

    public SecretsManagerSecretStore(SecretsManagerClient client) {
        this.client = Objects.requireNonNull(client);
    }

    /**
     * The client the functions use. Region, credentials and a local endpoint come only from the standard environment
     * ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}, ...), which the SDK reads itself, so nothing here
     * can point production at a test endpoint.
     */
    public static SecretsManagerSecretStore fromEnvironment() {
        return new SecretsManagerSecretStore(SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .build());
    }

    @Override
    public SecretRef put(String secretId, Secret value) {
        Objects.requireNonNull(value);
        // One token for every call of this put: the SDK resends it on retries, and Secrets Manager turns a repeated
        // token into the version it already wrote instead of a second one.
        String token = UUID.randomUUID().toString();
        String versionId = guard("put", secretId, () -> {
            try {
                return putValue(secretId, value, token);
            } catch (ResourceNotFoundException absent) {
                try {
                    return create(secretId, value, token);
                } catch (ResourceExistsException raced) {
                    // Another writer created the secret between our two calls; the token is still ours alone.
                    return putValue(secretId, value, token);
                }
            }
        });
        if (versionId == null) {
            throw new IllegalStateException("secret store: put " + secretId + " failed: no version id in the answer");
        }
        return new SecretRef(secretId, versionId);
    }

    private String putValue(String secretId, Secret value, String token) {
        return client.putSecretValue(r -> r.secretId(secretId).secretString(value.reveal()).clientRequestToken(token))
                .versionId();
    }

    private String create(String secretId, Secret value, String token) {
        return client.createSecret(r -> r.name(secretId).secretString(value.reveal()).clientRequestToken(token))
                .versionId();
    }

    @Override
    public Secret read(SecretRef ref) {
        String what = ref.secretId() + " at version " + ref.versionId();
        GetSecretValueResponse answer = guard("read", what,
                () -> client.getSecretValue(r -> r.secretId(ref.secretId()).versionId(ref.versionId())));
        if (answer.secretString() == null) {
            throw new IllegalStateException("secret store: read " + what + " failed: not a string secret");
        }
        return new Secret(answer.secretString());
    }

    @Override
    public void delete(String secretId) {
        guard("delete", secretId, () -> {
            try {
                // Without recovery: the default 7-day window keeps the name taken and the password readable.
                client.deleteSecret(r -> r.secretId(secretId).forceDeleteWithoutRecovery(true));
            } catch (ResourceNotFoundException alreadyGone) {
                // The port promises that deleting a missing secret is not an error.
            }
            return null;
        });
    }

    @Override
    public void close() {
        client.close();
    }

    private static <T> T guard(String operation, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw new IllegalStateException("secret store: " + operation + " " + what + " failed: " + errorCode(e));
        }
    }

    /** The service's error code, or for a failure before any answer the exception types, never a message. */
    static String errorCode(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode() + " (HTTP " + service.statusCode() + ")";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + " caused by " + root.getClass().getSimpleName();
    }
}
