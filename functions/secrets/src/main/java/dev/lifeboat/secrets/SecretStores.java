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
        String choice = env.get(VARIABLE);
        if (choice == null || choice.isBlank() || choice.strip().equals(SECRETS_MANAGER)) {
            return SecretsManagerSecretStore.fromEnvironment();
        }
        choice = choice.strip();
        if (choice.startsWith(FILE_PREFIX) && !choice.substring(FILE_PREFIX.length()).isBlank()) {
            return new FileSecretStore(Path.of(choice.substring(FILE_PREFIX.length())));
        }
        throw new IllegalArgumentException(VARIABLE + " must be '" + SECRETS_MANAGER + "' or '" + FILE_PREFIX
                + "<folder>', not '" + choice + "'");
    }
}
