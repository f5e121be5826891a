package dev.lifeboat.api;

import dev.lifeboat.store.AwsClients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.domain.manager.ConnectionChecker;
import dev.lifeboat.domain.manager.ManagerType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;

/**
 * The connection check: invokes the manager type's plugin function synchronously with the plugin contract's
 * CHECK_CONNECTION command. The command names the password by reference only; the plugin reads it itself.
 */
public final class LambdaConnectionChecker implements ConnectionChecker {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final LambdaClient lambda;
    private final Map<ManagerType, String> functions;

    public LambdaConnectionChecker(LambdaClient lambda, Map<ManagerType, String> functions) {
        this(lambda, functions, Map.of());
    }

    public static LambdaConnectionChecker fromEnvironment(Map<String, String> env) {
        Map<ManagerType, String> functions = new EnumMap<>(ManagerType.class);
        for (ManagerType type : ManagerType.values()) {
            String name = env.get("PLUGIN_FUNCTION_" + type.name());
            if (name != null && !name.isBlank()) {
                functions.put(type, name);
            }
        }
        return new LambdaConnectionChecker(null, functions, env);
    }

    private final Map<String, String> env;
    private volatile LambdaClient lazy;

    private LambdaConnectionChecker(LambdaClient lambda, Map<ManagerType, String> functions, Map<String, String> env) {
        this.lambda = lambda;
        this.functions = functions;
        this.env = env;
    }

    /** Built on first use: most API functions never check a connection. */
    private LambdaClient client() {
        if (lambda != null) {
            return lambda;
        }
        if (lazy == null) {
            synchronized (this) {
                if (lazy == null) {
                    lazy = AwsClients.build(LambdaClient.builder()
                            .httpClient(UrlConnectionHttpClient.builder().socketTimeout(TIMEOUT).connectionTimeout(Duration.ofSeconds(3)).build())
                            .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(TIMEOUT).build()), env, "LAMBDA");
                }
            }
        }
        return lazy;
    }

    @Override
    public ConnectionCheck check(BackupManager manager) {
        String function = functions.get(manager.type());
        if (function == null) {
            throw new DomainException(Problem.SERVICE_UNAVAILABLE,
                    "No plugin for " + manager.type() + " is deployed, so the connection cannot be checked yet.");
        }
        ObjectNode command = Json.NODES.objectNode();
        command.put("operation", "CHECK_CONNECTION");
        ObjectNode m = command.putObject("manager");
        m.put("datacenter", manager.datacenter());
        m.put("type", manager.type().name());
        m.put("endpoint", manager.endpoint());
        m.put("user", manager.user());
        m.putObject("secretRef").put("secretId", manager.password().secretId()).put("versionId", manager.password().versionId());
        long started = System.nanoTime();
        try {
            InvokeResponse r = client().invoke(b -> b.functionName(function).payload(SdkBytes.fromByteArray(Json.bytes(command))));
            if (r.functionError() != null) {
                JsonNode error = readTree(r.payload());
                return new ConnectionCheck(false, false, null, "The plugin failed: " + error.path("errorType").asText("unknown error")
                        + (error.hasNonNull("errorMessage") ? ": " + error.get("errorMessage").asText() : ""));
            }
            JsonNode result = readTree(r.payload());
            Long latency = result.hasNonNull("latencyMs") ? result.get("latencyMs").asLong() : (System.nanoTime() - started) / 1_000_000;
            return new ConnectionCheck(result.path("reachable").asBoolean(false), result.path("authenticated").asBoolean(false),
                    latency, result.path("details").asText(""));
        } catch (LambdaException e) {
            throw new DomainException(Problem.SERVICE_UNAVAILABLE, "The plugin function " + function + " could not be invoked ("
                    + (e.awsErrorDetails() == null ? e.statusCode() : e.awsErrorDetails().errorCode()) + ").");
        } catch (ApiCallTimeoutException e) {
            return new ConnectionCheck(false, false, null, "The plugin gave no answer within " + TIMEOUT.toSeconds() + " s.");
        } catch (SdkClientException e) {
            // Not the backup system's fault: Lifeboat could not reach the Lambda service itself.
            throw new DomainException(Problem.SERVICE_UNAVAILABLE, "The plugin function " + function + " could not be reached ("
                    + (e.getCause() == null ? e.getClass().getSimpleName() : e.getCause().getClass().getSimpleName()) + ").");
        }
    }

    private static JsonNode readTree(SdkBytes bytes) {
        try {
            return Json.read(bytes.asByteArray());
        } catch (Exception e) {
            return Json.NODES.objectNode();
        }
    }
}
