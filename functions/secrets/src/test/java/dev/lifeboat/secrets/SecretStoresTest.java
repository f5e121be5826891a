package dev.lifeboat.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.secret.SecretStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretStoresTest {
    static final SecretStore SDK = new FileSecretStore(Path.of("/tmp/stands-for-the-sdk-adapter"));

    @Test
    void secretsManagerIsTheDefaultAndComesFromTheCaller() {
        assertSame(SDK, SecretStores.fromEnvironment(Map.of(), () -> SDK));
        assertSame(SDK, SecretStores.fromEnvironment(Map.of("SECRET_STORE", "secretsmanager"), () -> SDK));
    }

    @Test
    void aReadOnlyFunctionWithoutTheSdkSaysWhatToUse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretStores.fromEnvironment(Map.of()));
        assertTrue(e.getMessage().contains("secretsmanager-extension"), e.getMessage());
    }

    @Test
    void theExtensionNeedsTheSessionToken() {
        assertInstanceOf(ExtensionSecretStore.class, SecretStores.fromEnvironment(
                Map.of("SECRET_STORE", "secretsmanager-extension", "AWS_SESSION_TOKEN", "t")));
        assertThrows(IllegalStateException.class, () -> SecretStores.fromEnvironment(Map.of("SECRET_STORE", "secretsmanager-extension")));
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
                    () -> SecretStores.fromEnvironment(Map.of("SECRET_STORE", bad), () -> SDK), bad);
            assertEquals("SECRET_STORE must be 'secretsmanager', 'secretsmanager-extension' or 'file:<folder>', not '" + bad.strip() + "'",
                    e.getMessage());
        }
    }
}
