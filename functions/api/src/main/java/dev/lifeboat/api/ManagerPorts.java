package dev.lifeboat.api;

import dev.lifeboat.domain.manager.ConnectionChecker;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.store.AwsClients;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The secret store and connection checker of {@link Services}, whose adapters ({@link ManagerAdapters}) are built on
 * first use, or at once by {@link #build()} in the manager function's SnapStart priming. Every other API function holds these
 * without ever calling them, so its jar needs neither the Secrets Manager nor the Lambda SDK.
 */
final class ManagerPorts {
    private final Supplier<SecretStore> secrets;
    private final Supplier<ConnectionChecker> checker;

    ManagerPorts(Map<String, String> env) {
        this.secrets = AwsClients.lazy(() -> ManagerAdapters.secrets(env));
        this.checker = AwsClients.lazy(() -> ManagerAdapters.checker(env));
    }

    SecretStore secretStore() {
        return new SecretStore() {
            @Override
            public SecretRef put(String secretId, Secret value) {
                return secrets.get().put(secretId, value);
            }

            @Override
            public Secret read(SecretRef ref) {
                return secrets.get().read(ref);
            }

            @Override
            public void delete(String secretId) {
                secrets.get().delete(secretId);
            }
        };
    }

    ConnectionChecker connectionChecker() {
        return manager -> checker.get().check(manager);
    }

    void build() {
        secrets.get();
        checker.get();
    }
}
