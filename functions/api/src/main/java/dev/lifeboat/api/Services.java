package dev.lifeboat.api;

import dev.lifeboat.domain.allowance.AllowanceService;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ConnectionChecker;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.secrets.SecretStores;
import dev.lifeboat.secrets.SecretsManagerSecretStore;
import dev.lifeboat.store.DynamoConfigStore;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The domain services of the API, wired once per environment. Configuration comes only from environment variables,
 * read here once:
 * <ul>
 *   <li>{@code TABLE_NAME}: the DynamoDB table (required)</li>
 *   <li>{@code SECRET_STORE}: {@code secretsmanager} (default) or {@code file:<dir>} for local runs</li>
 *   <li>{@code SECRET_PREFIX}: the secret name prefix (default {@code lifeboat})</li>
 *   <li>{@code CREDENTIAL_SEPARATOR}: joins the two parts of NETWORKER and VEEAM_SNAPSHOT credentials (default {@code #})</li>
 *   <li>{@code PLUGIN_FUNCTION_<TYPE>}: the plugin function of each manager type, for the connection check</li>
 * </ul>
 */
public final class Services {
    private static final Map<Map<String, String>, Services> SHARED = new ConcurrentHashMap<>();

    public final BackupManagerService managers;
    public final BackupPropertiesService properties;
    public final BackupPolicyService policies;
    public final AllowanceService allowances;

    public Services(DynamoDbClient dynamo, SecretStore secrets, ConnectionChecker checker, Map<String, String> env, Clock clock) {
        String table = require(env, "TABLE_NAME");
        DynamoConfigStore store = new DynamoConfigStore(dynamo, table);
        Ids ids = new Ids(clock);
        this.managers = new BackupManagerService(store, secrets, checker, clock, ids,
                env.getOrDefault("CREDENTIAL_SEPARATOR", "#"), env.getOrDefault("SECRET_PREFIX", "lifeboat"));
        this.properties = new BackupPropertiesService(store, clock);
        this.policies = new BackupPolicyService(store, store, clock, ids);
        this.allowances = new AllowanceService(store, store);
    }

    /**
     * One set per distinct environment, shared by the handlers of a JVM: in Lambda that is one function's handler;
     * in the local runtime, every function with the same environment reuses the same clients.
     */
    public static Services forEnvironment(Map<String, String> env) {
        return SHARED.computeIfAbsent(Map.copyOf(env), e -> new Services(
                AwsClients.build(DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()), env, "DYNAMODB"),
                SecretStores.fromEnvironment(e, () -> new SecretsManagerSecretStore(AwsClients.build(
                        SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()), env, "SECRETS_MANAGER"))),
                LambdaConnectionChecker.fromEnvironment(e), e, Clock.systemUTC()));
    }

    static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }
}
