package dev.lifeboat.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;

class SecretsManagerSecretStoreTest {
    static final String ID = "lifeboat/test/manager/01JABCDEF0123456789ABCDEFG";
    static final String PASSWORD = "pa55-\"quoted\"\\ünïcødé\n-" + "x".repeat(40);

    FakeSecretsManager fake;
    SecretsManagerSecretStore store;

    @BeforeEach
    void start() {
        fake = new FakeSecretsManager();
        store = new SecretsManagerSecretStore(fake.client());
    }

    @AfterEach
    void stop() {
        store.close();
        fake.close();
    }

    @Test
    void putCreatesTheSecretThenAddsVersions() {
        SecretRef first = store.put(ID, new Secret(PASSWORD));

        assertEquals(ID, first.secretId());
        assertEquals(List.of("PutSecretValue", "CreateSecret"), fake.operations());
        List<FakeSecretsManager.Request> r = fake.requests();
        assertEquals("application/x-amz-json-1.1", r.get(0).contentType());
        String token = (String) r.get(0).fields().get("ClientRequestToken");
        assertEquals(36, token.length(), "a UUID");
        assertEquals(token, r.get(1).fields().get("ClientRequestToken"), "the create reuses the put's token");
        assertEquals(ID, r.get(1).fields().get("Name"));
        assertEquals(PASSWORD, r.get(1).fields().get("SecretString"));

        fake.clearRequests();
        SecretRef second = store.put(ID, new Secret("second"));

        assertEquals(List.of("PutSecretValue"), fake.operations());
        assertNotEquals(token, fake.requests().get(0).fields().get("ClientRequestToken"), "a fresh token per put");
        assertNotEquals(first.versionId(), second.versionId());
        assertEquals(2, fake.versionCount(ID));
        assertEquals(PASSWORD, store.read(first).reveal());
        assertEquals("second", store.read(second).reveal());
    }

    @Test
    void readByThePinnedVersionGivesTheOldValueAfterANewerPut() {
        SecretRef pinned = store.put(ID, new Secret("old"));
        store.put(ID, new Secret("newer, from a request that failed later"));

        assertEquals("old", store.read(pinned).reveal());
        FakeSecretsManager.Request get = fake.requests().get(fake.requests().size() - 1);
        assertEquals("GetSecretValue", get.operation());
        assertEquals(pinned.versionId(), get.fields().get("VersionId"));
    }

    @Test
    void deleteForcesRemovalThenReadFails() {
        SecretRef ref = store.put(ID, new Secret(PASSWORD));

        store.delete(ID);

        FakeSecretsManager.Request delete = fake.requests().get(fake.requests().size() - 1);
        assertEquals(Boolean.TRUE, delete.fields().get("ForceDeleteWithoutRecovery"));
        assertNull(delete.fields().get("RecoveryWindowInDays"));
        assertFalse(fake.exists(ID));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.read(ref));
        assertEquals("secret store: read " + ID + " at version " + ref.versionId()
                + " failed: ResourceNotFoundException (HTTP 400)", e.getMessage());
        // Created again at once, as when a datacenter's manager is replaced.
        assertEquals("again", store.read(store.put(ID, new Secret("again"))).reveal());
    }

    @Test
    void deleteOfAMissingSecretIsFine() {
        store.delete(ID);

        assertEquals(List.of("DeleteSecret"), fake.operations());
    }

    @Test
    void readOfAVersionThatNeverExistedFails() {
        store.put(ID, new Secret(PASSWORD));
        SecretRef unknown = new SecretRef(ID, "00000000-0000-0000-0000-000000000000");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.read(unknown));

        assertTrue(e.getMessage().contains(unknown.versionId()), e.getMessage());
    }

    @Test
    void aFailedOperationsExceptionCarriesNoSecretValue() {
        // Worst case: an error message that echoes the request, as a proxy or a future service change might.
        fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 400, "InvalidParameterException",
                in -> "bad value " + in.get("SecretString"), false));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.put(ID, new Secret(PASSWORD)));

        assertEquals("secret store: put " + ID + " failed: InvalidParameterException (HTTP 400)", e.getMessage());
        assertNull(e.getCause(), "the SDK exception, whose message echoed the value, is left out");
        StringWriter printed = new StringWriter();
        e.printStackTrace(new PrintWriter(printed));
        assertFalse(printed.toString().contains(PASSWORD));
        assertFalse(printed.toString().contains("pa55"));
        assertEquals(0, fake.versionCount(ID));
    }

    @Test
    void aPutWhoseAnswerIsLostIsRetriedWithTheSameTokenAndWritesOneVersion() {
        store.put(ID, new Secret("first"));
        fake.clearRequests();
        fake.fail(new FakeSecretsManager.Fault("PutSecretValue", 500, "InternalServiceError",
                in -> "We encountered an internal error. Please try again.", true));

        SecretRef ref = store.put(ID, new Secret(PASSWORD));

        List<FakeSecretsManager.Request> r = fake.requests();
        assertEquals(List.of("PutSecretValue", "PutSecretValue"), fake.operations(), "the SDK retried");
        assertEquals(r.get(0).fields().get("ClientRequestToken"), r.get(1).fields().get("ClientRequestToken"));
        assertEquals(2, fake.versionCount(ID), "the retry wrote nothing new");
        assertEquals(PASSWORD, store.read(ref).reveal());
    }

    @Test
    void aSecretCreatedByAnotherWriterBetweenPutAndCreateIsStillWritten() {
        fake.beforeNext("CreateSecret", () -> fake.createDirectly(ID, "the other writer's"));

        SecretRef ref = store.put(ID, new Secret(PASSWORD));

        assertEquals(List.of("PutSecretValue", "CreateSecret", "PutSecretValue"), fake.operations());
        assertEquals(PASSWORD, store.read(ref).reveal());
        assertEquals(2, fake.versionCount(ID));
    }

    @Test
    void anUnreachableServiceFailsWithoutDetails() throws Exception {
        URI closed;
        try (FakeSecretsManager gone = new FakeSecretsManager()) {
            closed = gone.endpoint();
        }
        try (SecretsManagerSecretStore unreachable = new SecretsManagerSecretStore(SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(closed)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> unreachable.put(ID, new Secret(PASSWORD)));

            assertTrue(e.getMessage().startsWith("secret store: put " + ID + " failed: SdkClientException"), e.getMessage());
            assertFalse(e.getMessage().contains(PASSWORD));
        }
    }

    /** Checks the fake against the service's documented token rule, through the real client. */
    @Test
    void theFakeAnswersARepeatedTokenWithTheSameVersion() {
        try (SecretsManagerClient client = fake.client()) {
            String token = "11111111-2222-3333-4444-555555555555";
            client.createSecret(r -> r.name(ID).secretString("v1"));
            String a = client.putSecretValue(r -> r.secretId(ID).secretString("v2").clientRequestToken(token)).versionId();
            String b = client.putSecretValue(r -> r.secretId(ID).secretString("v2").clientRequestToken(token)).versionId();

            assertEquals(a, b);
            assertEquals(2, fake.versionCount(ID));
            assertThrows(ResourceExistsException.class,
                    () -> client.putSecretValue(r -> r.secretId(ID).secretString("v3").clientRequestToken(token)));
            assertThrows(ResourceExistsException.class, () -> client.createSecret(r -> r.name(ID).secretString("v1")));
            assertEquals("v2", client.getSecretValue(r -> r.secretId(ID)).secretString());
            assertEquals(List.of("AWSCURRENT"), client.getSecretValue(r -> r.secretId(ID)).versionStages());
            assertTrue(client.getSecretValue(r -> r.secretId(ID)).createdDate() != null);
        }
    }
}
