package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.LocalApiMain;
import dev.lifeboat.local.LocalTokens;
import dev.lifeboat.processes.RepositoryRoot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `./lifeboat local` runs, end to end: the real template, dynalite on disk, the real handlers, tokens checked as
 * the JWT authorizer does. Data survives a restart on the same folder.
 */
class LocalApiEndToEndTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theLocalApiServesTheTemplateWithRealHandlersAndKeepsData(@TempDir Path data) throws Exception {
        String admin = new LocalTokens(LocalTokens.DEFAULT_KEY).create("alice", "ent-1",
                List.of("PHYS_DC_RETRIEVE_DETAILS", "PHYS_DC_ALLOW_BACKUP_CONFIG"), Duration.ofMinutes(5));
        String policyId;
        try (LocalApiMain.Running running = start(data)) {
            URI base = running.api().baseUri();
            HttpResponse<String> noToken = send("GET", base, "/datacenters/dc1/backup-properties", null, null);
            assertEquals(401, noToken.statusCode());
            assertEquals("{\"message\":\"Unauthorized\"}", noToken.body());

            HttpResponse<String> manager = send("PUT", base, "/datacenters/dc1/backup-manager", admin,
                    "{\"name\":\"Madrid\",\"type\":\"VEEAM\",\"endpoint\":\"https://veeam.example.com:9398/api\",\"user\":\"svc\",\"password\":\"local-s3cret\"}");
            assertEquals(201, manager.statusCode(), manager.body());
            assertTrue(manager.body().contains("\"endpoint\":\"https://veeam.example.com:9398/api/\""));
            assertFalse(manager.body().contains("local-s3cret"));
            assertEquals("\"1\"", manager.headers().firstValue("etag").orElseThrow());

            HttpResponse<String> policy = send("POST", base, "/datacenters/dc1/backup-policies", admin,
                    "{\"name\":\"Gold\",\"code\":\"GOLD\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:02:03 +0400\"}]}");
            assertEquals(201, policy.statusCode(), policy.body());
            policyId = policy.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");

            HttpResponse<String> definedHour = send("POST", base, "/datacenters/dc1/backup-policies", admin,
                    "{\"name\":\"Once\",\"code\":\"ONCE\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DEFINED_HOUR\",\"dateTime\":\"2099/12/24 22:30:00 +0100\"}]}");
            assertEquals(422, definedHour.statusCode(), "DEFINED_HOUR is refused under a VEEAM manager");
            assertEquals("application/problem+json", definedHour.headers().firstValue("content-type").orElseThrow());

            String reader = new LocalTokens(LocalTokens.DEFAULT_KEY).create("bob", "ent-1", List.of(), Duration.ofMinutes(5));
            assertEquals(403, send("GET", base, "/datacenters/dc1/backup-policies", reader, null).statusCode());
            assertEquals(200, send("GET", base, "/enterprises/ent-1/datacenters/dc1/allowed-backup-policies", reader, null).statusCode());
        }
        assertTrue(Files.list(data.resolve("secrets")).findAny().isPresent(), "the password went to the local secret store");
        try (LocalApiMain.Running again = start(data)) {
            HttpResponse<String> read = send("GET", again.api().baseUri(), "/datacenters/dc1/backup-policies/" + policyId, admin, null);
            assertEquals(200, read.statusCode(), "data kept on disk across restarts: " + read.body());
        }
    }

    private LocalApiMain.Running start(Path data) throws Exception {
        Path root = RepositoryRoot.find();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(log, true, StandardCharsets.UTF_8);
        return LocalApiMain.start(new String[] {
                "--template", root.resolve("template.yaml").toString(), "--port", "0", "--lambda-port", "0", "--sfn-port", "0", "--veeam-port", "0", "--networker-port", "0", "--data", data.resolve("dynamodb").toString(),
                "--param", "JwtIssuer=lifeboat-local", "--param", "SecretStore=file:" + data.resolve("secrets"),
                "--param", "PluginSecretStore=file:" + data.resolve("secrets"), "--param", "SecretsExtensionLayerArn=local-none"}, sink, sink);
    }

    private HttpResponse<String> send(String method, URI base, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
