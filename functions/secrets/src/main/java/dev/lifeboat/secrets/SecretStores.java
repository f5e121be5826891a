package dev.lifeboat.secrets;

import dev.lifeboat.domain.secret.SecretStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Picks the secret store from {@code SECRET_STORE}, so the same function code runs in AWS and locally:
 * <ul>
 *   <li>{@code secretsmanager} (also when unset): AWS Secrets Manager through the SDK, for functions that write
 *       passwords (the API); the SDK adapter lives in the secrets-aws module and is handed in by the caller</li>
 *   <li>{@code secretsmanager-extension}: read-only, through the AWS Parameters and Secrets Lambda Extension on
 *       localhost, for plugins, which only read and so need no SDK in their jar</li>
 *   <li>{@code file:<dir>}: a local folder, for the local runtime and tests</li>
 * </ul>
 * Anything else fails at start-up rather than falling back, so a typo never sends passwords somewhere unexpected.
 */
public final class SecretStores {
    public static final String VARIABLE = "SECRET_STORE";
    public static final String SECRETS_MANAGER = "secretsmanager";
    public static final String EXTENSION = "secretsmanager-extension";
    public static final String FILE_PREFIX = "file:";

    private SecretStores() {}

    /** For functions that only read secrets (no SDK on their classpath). */
    public static SecretStore fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, () -> {
            throw new IllegalArgumentException(VARIABLE + "=" + SECRETS_MANAGER + " needs the AWS SDK adapter (module secrets-aws);"
                    + " a function that only reads secrets uses " + EXTENSION);
        });
    }

    /** @param secretsManager builds the SDK adapter when {@code SECRET_STORE} asks for it */
    public static SecretStore fromEnvironment(Map<String, String> env, Supplier<SecretStore> secretsManager) {
        String choice = env.get(VARIABLE);
        if (choice == null || choice.isBlank() || choice.strip().equals(SECRETS_MANAGER)) {
            return secretsManager.get();
        }
        choice = choice.strip();
        if (choice.equals(EXTENSION)) {
            return ExtensionSecretStore.fromEnvironment(env);
        }
        if (choice.startsWith(FILE_PREFIX) && !choice.substring(FILE_PREFIX.length()).isBlank()) {
            return new FileSecretStore(Path.of(choice.substring(FILE_PREFIX.length())));
        }
        throw new IllegalArgumentException(VARIABLE + " must be '" + SECRETS_MANAGER + "', '" + EXTENSION + "' or '" + FILE_PREFIX
                + "<folder>', not '" + choice + "'");
    }
}
