package dev.lifeboat.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lifeboat.domain.secret.SecretStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Region and credentials for the Secrets Manager choice come from the surefire environment (AWS_REGION etc.). */
class SecretStoresTest {
    @Test
    void secretsManagerIsTheDefault() {
        SecretStore store = SecretStores.fromEnvironment(Map.of());
        assertInstanceOf(SecretsManagerSecretStore.class, store);
        ((SecretsManagerSecretStore) store).close();
    }

    @Test
    void secretsManagerByName() {
        SecretStore store = SecretStores.fromEnvironment(Map.of("SECRET_STORE", "secretsmanager"));
        assertInstanceOf(SecretsManagerSecretStore.class, store);
        ((SecretsManagerSecretStore) store).close();
    }

    @Test
    void aFolder() {
        SecretStore store = SecretStores.fromEnvironment(Map.of("SECRET_STORE", "file:/tmp/lifeboat-secrets"));
        assertEquals(Path.of("/tmp/lifeboat-secrets"), assertInstanceOf(FileSecretStore.class, store).dir());
    }

    @Test
    void aRelativeFolderIsResolvedOnce() {
        SecretStore store = SecretStores.fromEnvironment(Map.of("SECRET_STORE", "file:.lifeboat/secrets"));
        assertEquals(Path.of(".lifeboat/secrets").toAbsolutePath().normalize(), ((FileSecretStore) store).dir());
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : new String[] {"file:", "file:  ", "vault", "SecretsManager", "ssm"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SecretStores.fromEnvironment(Map.of("SECRET_STORE", bad)), bad);
            assertEquals("SECRET_STORE must be 'secretsmanager' or 'file:<folder>', not '" + bad.strip() + "'",
                    e.getMessage());
        }
    }
}
