package dev.lifeboat.secrets;

import dev.lifeboat.domain.secret.SecretStore;
import java.nio.file.Path;
import java.util.Map;

/** Picks the secret store from the environment, so the same function code runs in AWS and locally. */
public final class SecretStores {
    public static final String VARIABLE = "SECRET_STORE";
    public static final String SECRETS_MANAGER = "secretsmanager";
    public static final String FILE_PREFIX = "file:";

    private SecretStores() {}

    /**
     * {@code SECRET_STORE} = {@code secretsmanager} (also when unset) or {@code file:<dir>}. Anything else fails at
     * start-up rather than falling back, so a typo never sends passwords somewhere unexpected.
     */
    public static SecretStore fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, null);
    }

    /** As above, with the Secrets Manager client to use (null: one configured by the process environment). */
    public static SecretStore fromEnvironment(Map<String, String> env, java.util.function.Supplier<software.amazon.awssdk.services.secretsmanager.SecretsManagerClient> client) {
        String choice = env.get(VARIABLE);
        if (choice == null || choice.isBlank() || choice.strip().equals(SECRETS_MANAGER)) {
            return client == null ? SecretsManagerSecretStore.fromEnvironment() : new SecretsManagerSecretStore(client.get());
        }
        choice = choice.strip();
        if (choice.startsWith(FILE_PREFIX) && !choice.substring(FILE_PREFIX.length()).isBlank()) {
            return new FileSecretStore(Path.of(choice.substring(FILE_PREFIX.length())));
        }
        throw new IllegalArgumentException(VARIABLE + " must be '" + SECRETS_MANAGER + "' or '" + FILE_PREFIX
                + "<folder>', not '" + choice + "'");
    }
}
