package dev.lifeboat.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a stand-in of the Parameters and Secrets extension's HTTP interface. */
class ExtensionSecretStoreTest {
    static final String PASSWORD = "ext-Pa55-\"quoted\"-\u00e9";
    HttpServer server;
    final List<String> queries = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/secretsmanager/get", exchange -> {
            queries.add(exchange.getRequestURI().getRawQuery());
            String token = exchange.getRequestHeaders().getFirst("X-Aws-Parameters-Secrets-Token");
            int status;
            String body;
            if (!"session-token".equals(token)) {
                status = 401;
                body = "not authorized";
            } else if (exchange.getRequestURI().getQuery().contains("versionId=v-1")) {
                status = 200;
                body = "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:1:secret:x\",\"Name\":\"lifeboat/manager/01J\",\"VersionId\":\"v-1\","
                        + "\"VersionStages\":[\"AWSCURRENT\"],\"SecretString\":\"ext-Pa55-\\\"quoted\\\"-\\u00e9\",\"CreatedDate\":\"2026-11-27T08:00:00Z\"}";
            } else {
                status = 400;
                body = "{\"__type\":\"ResourceNotFoundException\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Test
    void readsThePinnedVersionWithTheSessionToken() {
        Secret s = new ExtensionSecretStore(base(), "session-token").read(new SecretRef("lifeboat/manager/01J", "v-1"));
        assertEquals(PASSWORD, s.reveal());
        assertEquals("secretId=lifeboat%2Fmanager%2F01J&versionId=v-1", queries.get(0));
    }

    @Test
    void failuresNameTheSecretButNeverTheBody() {
        var e = assertThrows(IllegalStateException.class,
                () -> new ExtensionSecretStore(base(), "session-token").read(new SecretRef("lifeboat/manager/01J", "v-2")));
        assertTrue(e.getMessage().contains("lifeboat/manager/01J") && e.getMessage().contains("HTTP 400"), e.getMessage());
        var unauthorized = assertThrows(IllegalStateException.class,
                () -> new ExtensionSecretStore(base(), "wrong").read(new SecretRef("lifeboat/manager/01J", "v-1")));
        assertFalse(unauthorized.getMessage().contains(PASSWORD));
    }

    @Test
    void aMissingExtensionIsExplained() {
        server.stop(0);
        var e = assertThrows(IllegalStateException.class, () -> new ExtensionSecretStore(base(), "t").read(new SecretRef("s", "v")));
        assertTrue(e.getMessage().contains("extension is not running"), e.getMessage());
    }

    @Test
    void itOnlyReads() {
        ExtensionSecretStore store = new ExtensionSecretStore(base(), "t");
        assertThrows(UnsupportedOperationException.class, () -> store.put("s", new Secret("x")));
        assertThrows(UnsupportedOperationException.class, () -> store.delete("s"));
    }
}
