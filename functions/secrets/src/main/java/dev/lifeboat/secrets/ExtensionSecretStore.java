package dev.lifeboat.secrets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.domain.secret.SecretStore;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Reads passwords through the AWS Parameters and Secrets Lambda Extension, which serves Secrets Manager's
 * GetSecretValue answer on localhost and caches it: {@code GET /secretsmanager/get?secretId=..&versionId=..} with the
 * function's session token in {@code X-Aws-Parameters-Secrets-Token} (AWS Lambda Developer Guide, "Use Secrets Manager
 * secrets in Lambda functions"). Plugins only read, so they need neither the AWS SDK nor its weight in their jar.
 * Versions are immutable, so the extension's cache never serves a stale password for a pinned version.
 */
public final class ExtensionSecretStore implements SecretStore {
    static final String PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT";
    static final int DEFAULT_PORT = 2773;
    private static final JsonFactory JSON = new JsonFactory();

    private final URI base;
    private final String token;
    private final HttpClient http;

    public ExtensionSecretStore(URI base, String token) {
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    public static ExtensionSecretStore fromEnvironment(Map<String, String> env) {
        int port = Integer.parseInt(env.getOrDefault(PORT_VARIABLE, Integer.toString(DEFAULT_PORT)));
        String token = env.get("AWS_SESSION_TOKEN");
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("secret store: the secrets extension needs AWS_SESSION_TOKEN, which Lambda sets for the function");
        }
        return new ExtensionSecretStore(URI.create("http://localhost:" + port + "/"), token);
    }

    @Override
    public Secret read(SecretRef ref) {
        URI uri = base.resolve("secretsmanager/get?secretId=" + URLEncoder.encode(ref.secretId(), StandardCharsets.UTF_8)
                + "&versionId=" + URLEncoder.encode(ref.versionId(), StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("X-Aws-Parameters-Secrets-Token", token).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new IllegalStateException("secret store: the Parameters and Secrets extension is not running on " + base
                    + " (is its layer added to the function?)");
        } catch (IOException e) {
            throw new IllegalStateException("secret store: reading " + ref.secretId() + " at version " + ref.versionId()
                    + " through the extension failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("secret store: interrupted");
        }
        if (response.statusCode() != 200) {
            // The body may repeat the request; only the status goes into the message.
            throw new IllegalStateException("secret store: no secret " + ref.secretId() + " at version " + ref.versionId()
                    + " (extension answered HTTP " + response.statusCode() + ")");
        }
        return new Secret(secretString(response.body(), ref));
    }

    private static String secretString(byte[] body, SecretRef ref) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("SecretString") && value == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            // fall through: the message must not quote the body
        }
        throw new IllegalStateException("secret store: " + ref.secretId() + " at version " + ref.versionId() + " has no SecretString");
    }

    @Override
    public SecretRef put(String secretId, Secret value) {
        throw new UnsupportedOperationException("the secrets extension only reads; passwords are written by the API through Secrets Manager");
    }

    @Override
    public void delete(String secretId) {
        throw new UnsupportedOperationException("the secrets extension only reads; passwords are deleted by the API through Secrets Manager");
    }
}
