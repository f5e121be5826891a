package dev.lifeboat.api;

import dev.lifeboat.domain.manager.ConnectionChecker;
import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.secrets.SecretStores;
import dev.lifeboat.secrets.SecretsManagerSecretStore;
import dev.lifeboat.store.AwsClients;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The adapters only the backup manager function uses: passwords in Secrets Manager and the connection check through
 * Lambda. With {@link LambdaConnectionChecker} this is the only code of the module that touches those two SDKs, and
 * only the manager's jar ({@code api-manager-lambda.jar}) carries it; the other functions hold {@link ManagerPorts}
 * that would build these on first use and never do.
 */
final class ManagerAdapters {
    private ManagerAdapters() {}

    static SecretStore secrets(Map<String, String> env) {
        return SecretStores.fromEnvironment(env, () -> new SecretsManagerSecretStore(AwsClients.build(
                SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()), env, "SECRETS_MANAGER")));
    }

    static ConnectionChecker checker(Map<String, String> env) {
        return LambdaConnectionChecker.fromEnvironment(env);
    }
}
