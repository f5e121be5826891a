package dev.lifeboat.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Runs both adapters through successes and failures with every log turned up, and checks that the password shows
 * nowhere: not on standard output or error, not in any log record (SDK included), not in any exception.
 */
class NoLeakTest {
    /** Plain characters only, so an escaped or re-encoded copy cannot hide from a substring search. */
    static final String PASSWORD = "correct-horse-battery-staple-4711";
    static final String ID = "lifeboat/test/manager/01JNOLEAK0000000000000000";

    @TempDir
    Path tmp;

    static void assertNoLeak(Capture capture) {
        assertNoLeak(capture.all());
    }

    static void assertNoLeak(String all) {
        assertFalse(all.contains(PASSWORD), () -> "the password leaked:\n" + excerpt(all));
        assertFalse(all.contains("battery-staple"), () -> "part of the password leaked:\n" + excerpt(all));
    }

    static String excerpt(String all) {
        int at = Math.max(0, all.indexOf("battery-staple") - 2000);
        return all.substring(at, Math.min(all.length(), at + 4000));
    }

    @Test
    void secretsManagerAdapter() {
        try (FakeSecretsManager fake = new FakeSecretsManager();
             Capture capture = new Capture();
             SecretsManagerSecretStore store = new SecretsManagerSecretStore(fake.client())) {
            Secret secret = new Secret(PASSWORD);
            SecretRef first = store.put(ID, secret);
            SecretRef second = store.put(ID, secret);
            assertEquals(PASSWORD, store.read(first).reveal());
            assertEquals(PASSWORD, store.read(second).reveal());
            // Failures: a refused value, a lost answer retried by the SDK, a version that does not exist, a deleted
            // secret, and a service that cannot be reached.
            fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 400, "InvalidParameterException",
                    in -> "You provided an invalid value for the SecretString parameter.", false));
            capture.attempt(() -> store.put(ID, secret));
            fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 500, "InternalServiceError",
                    in -> "We encountered an internal error. Please try again.", true));
            store.put(ID, secret);
            capture.attempt(() -> store.read(new SecretRef(ID, "00000000-0000-0000-0000-000000000000")));
            store.delete(ID);
            store.delete(ID);
            capture.attempt(() -> store.read(first));
            capture.attempt(() -> {
                try (SecretsManagerSecretStore down = unreachable()) {
                    down.put(ID, secret);
                }
            });
            System.out.println("a manager's secret " + secret + " was stored");

            assertTrue(fake.requests().stream().anyMatch(r -> r.body().contains(PASSWORD)),
                    "the password did travel, so its absence below means something");
            assertEquals(4, capture.exceptions().size());
            assertTrue(capture.records().stream().anyMatch(r -> r.startsWith("software.amazon.awssdk")),
                    "the SDK's own logging was captured");
            assertTrue(capture.streams().contains("[redacted]"));
            assertNoLeak(capture);
        }
    }

    /**
     * The worst case, a service error that echoes the value (Secrets Manager's do not), stays out of everything this
     * project controls and out of the SDK's logging at INFO. At DEBUG the SDK's retry strategy logs the service
     * exception with its message ("Request attempt 1 encountered non-retryable failure"), so SDK loggers must stay
     * above DEBUG in deployed functions.
     */
    @Test
    void anEchoingServiceErrorStaysOutOfExceptionsAndInfoLogs() {
        try (FakeSecretsManager fake = new FakeSecretsManager();
             Capture capture = new Capture();
             SecretsManagerSecretStore store = new SecretsManagerSecretStore(fake.client())) {
            fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 400, "InvalidParameterException",
                    in -> "You provided an invalid value " + in.get("SecretString"), false));
            capture.attempt(() -> store.put(ID, new Secret(PASSWORD)));
            fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 500, "InternalServiceError",
                    in -> "Failed on " + in.get("SecretString"), false));
            fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 500, "InternalServiceError",
                    in -> "Failed on " + in.get("SecretString"), false));
            fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 500, "InternalServiceError",
                    in -> "Failed on " + in.get("SecretString"), false));
            fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 500, "InternalServiceError",
                    in -> "Failed on " + in.get("SecretString"), false));
            capture.attempt(() -> store.put(ID, new Secret(PASSWORD)));

            assertEquals(2, capture.exceptions().size());
            assertTrue(fake.operations().size() >= 3, "the 500s were retried: " + fake.operations());
            assertNoLeak(capture.all(Level.INFO));
        }
    }

    @Test
    void fileAdapter() throws IOException {
        FileSecretStore store = new FileSecretStore(tmp.resolve("secrets"));
        try (Capture capture = new Capture()) {
            Secret secret = new Secret(PASSWORD);
            SecretRef ref = store.put(ID, secret);
            assertEquals(PASSWORD, store.read(ref).reveal());
            capture.attempt(() -> store.read(new SecretRef(ID, "00000000-0000-0000-0000-000000000000")));
            capture.attempt(() -> store.read(new SecretRef(ID, "../" + ref.versionId())));
            store.delete(ID);
            capture.attempt(() -> store.read(ref));
            Files.writeString(store.folder(ID), "in the way");
            capture.attempt(() -> store.put(ID, secret));
            System.err.println("a manager's secret " + secret + " was stored");

            assertEquals(4, capture.exceptions().size());
            assertNoLeak(capture);
        }
    }

    private static SecretsManagerSecretStore unreachable() {
        URI closed;
        try (FakeSecretsManager gone = new FakeSecretsManager()) {
            closed = gone.endpoint();
        }
        return new SecretsManagerSecretStore(SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(closed)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build());
    }
}
