package dev.lifeboat.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.SecretRef;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** The check through the real Lambda SDK client against a local endpoint that speaks the Invoke API. */
class LambdaConnectionCheckerTest {
    static final BackupManager MANAGER = new BackupManager("dc1", "01J00000000000000000000001", "m", ManagerType.VEEAM,
            "https://v/api/", "svc", new SecretRef("lifeboat/manager/01J00000000000000000000001", "v1"), 1, Instant.EPOCH, Instant.EPOCH);

    HttpServer server;
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> payloads = new CopyOnWriteArrayList<>();
    volatile int status = 200;
    volatile String functionError;
    volatile String answer = "{\"reachable\":true,\"authenticated\":true,\"latencyMs\":7,\"details\":\"Veeam 12.1\"}";
    LambdaClient lambda;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            payloads.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            if (functionError != null) exchange.getResponseHeaders().add("X-Amz-Function-Error", functionError);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        lambda = LambdaClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort())).build();
    }

    @AfterEach
    void stop() {
        lambda.close();
        server.stop(0);
    }

    @Test
    void invokesThePluginOfTheTypeWithTheSecretByReferenceOnly() throws Exception {
        ConnectionCheck check = new LambdaConnectionChecker(lambda, Map.of(ManagerType.VEEAM, "lifeboat-veeam-plugin")).check(MANAGER);
        assertTrue(check.reachable() && check.authenticated());
        assertEquals(7L, check.latencyMs());
        assertEquals("Veeam 12.1", check.details());
        assertEquals("/2015-03-31/functions/lifeboat-veeam-plugin/invocations", paths.get(0));
        JsonNode command = Json.read(payloads.get(0));
        assertEquals("CHECK_CONNECTION", command.path("operation").asText());
        assertEquals("v1", command.path("manager").path("secretRef").path("versionId").asText());
        assertFalse(command.path("manager").has("password"));
    }

    @Test
    void aFailingPluginIsReportedNotThrown() {
        functionError = "Unhandled";
        answer = "{\"errorType\":\"dev.lifeboat.plugin.TerminalError\",\"errorMessage\":\"bad credentials\"}";
        ConnectionCheck check = new LambdaConnectionChecker(lambda, Map.of(ManagerType.VEEAM, "p")).check(MANAGER);
        assertFalse(check.reachable());
        assertTrue(check.details().contains("bad credentials"), check.details());
    }

    @Test
    void noPluginForTheTypeIs503() {
        var e = assertThrows(DomainException.class, () -> LambdaConnectionChecker.fromEnvironment(Map.of()).check(MANAGER));
        assertEquals(Problem.SERVICE_UNAVAILABLE, e.problem());
    }

    @Test
    void anUnreachableLambdaServiceIs503() {
        LambdaClient closed = LambdaClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:1")).build();
        var e = assertThrows(DomainException.class, () -> new LambdaConnectionChecker(closed, Map.of(ManagerType.VEEAM, "p")).check(MANAGER));
        assertEquals(Problem.SERVICE_UNAVAILABLE, e.problem());
        assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
    }

    @Test
    void unknownFunctionIs503() {
        status = 404;
        answer = "{\"Type\":\"User\",\"message\":\"Function not found: p\"}";
        var e = assertThrows(DomainException.class, () -> new LambdaConnectionChecker(lambda, Map.of(ManagerType.VEEAM, "p")).check(MANAGER));
        assertEquals(Problem.SERVICE_UNAVAILABLE, e.problem());
    }
}
