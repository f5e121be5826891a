package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.template.SamTemplate;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's files and the development sign-in, through the local HTTP API beside the template's routes. */
class LocalConsoleTest {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final LocalTokens TOKENS = new LocalTokens(LocalTokens.DEFAULT_KEY);

    @Test
    void servesTheBuiltFilesAndMintsATokenForWhoeverIsPicked(@TempDir Path dist) throws Exception {
        Files.writeString(dist.resolve("index.html"), "<!doctype html><title>console</title>");
        Files.writeString(dist.resolve("app.js"), "console.log(1)");
        SamTemplate template = SamTemplate.load(TestFiles.resource("test-template.yaml"));
        try (LocalHttpApi api = new LocalHttpApi(template, Map.of(), "127.0.0.1", 0)
                .withConsole(new LocalConsole(dist, TOKENS)).start()) {
            URI base = api.baseUri();
            assertEquals(303, get(base, "/console").statusCode());
            HttpResponse<String> index = get(base, "/console/");
            assertEquals(200, index.statusCode());
            assertTrue(index.body().contains("<title>console</title>"));
            assertTrue(index.headers().firstValue("content-security-policy").orElseThrow().contains("default-src 'self'"));
            assertEquals("text/javascript; charset=utf-8", get(base, "/console/app.js").headers().firstValue("content-type").orElseThrow());
            assertEquals(404, get(base, "/console/..%2Ftemplate.yaml").statusCode(), "nothing outside the built folder");
            assertEquals(404, get(base, "/console/missing.js").statusCode());

            HttpResponse<String> page = get(base, "/console/dev-signin");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<label for=\"sub\">User</label>"));
            HttpResponse<String> signedIn = CLIENT.send(HttpRequest.newBuilder(base.resolve("/console/dev-signin"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("sub=alice&ent=ent-7&priv=VAPP_RESTORE_BACKUP&priv=NOT_A_PRIVILEGE")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(303, signedIn.statusCode());
            String location = signedIn.headers().firstValue("location").orElseThrow();
            assertTrue(location.startsWith("/console/#token="), location);
            Map<String, Object> claims = TOKENS.verify(URLDecoder.decode(location.substring("/console/#token=".length()), StandardCharsets.UTF_8));
            assertEquals("alice", claims.get("sub"));
            assertEquals("ent-7", claims.get("ent"));
            assertEquals(List.of("VAPP_RESTORE_BACKUP"), claims.get("priv"), "only privileges of the contract");

            HttpResponse<String> bad = CLIENT.send(HttpRequest.newBuilder(base.resolve("/console/dev-signin"))
                    .POST(HttpRequest.BodyPublishers.ofString("sub=a%20b&ent=ent-1")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("role=\"alert\""));
            assertEquals(401, get(base, "/datacenters/dc1/backup-policies/summary").statusCode(), "the API's routes are unchanged beside the console");
        }
    }

    @Test
    void theSignInAnswersLoopbackClientsOnlyAndAMissingBuildSaysHowToMakeIt(@TempDir Path dir) throws Exception {
        LocalConsole console = new LocalConsole(dir.resolve("dist"), TOKENS);
        assertEquals(403, console.handle("GET", "/console/dev-signin", new byte[0], InetAddress.getByName("192.0.2.10")).status());
        HttpApiResponse unbuilt = console.handle("GET", "/console/", new byte[0], InetAddress.getLoopbackAddress());
        assertEquals(404, unbuilt.status());
        assertTrue(new String(unbuilt.body(), StandardCharsets.UTF_8).contains("infra/console/build.sh"));
    }

    static HttpResponse<String> get(URI base, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
