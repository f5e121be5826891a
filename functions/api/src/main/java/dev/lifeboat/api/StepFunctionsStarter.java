package dev.lifeboat.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.store.AwsClients;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

/**
 * StartExecution with a name derived from what the execution runs. Step Functions Standard refuses a second execution
 * of the same name for 90 days, so a start that is repeated (by the SDK's retries, or by a client sending the same
 * request again) runs once.
 */
final class StepFunctionsStarter {
    /** Step Functions execution names: at most 80 characters, without ':' and other separators (StartExecution API reference). */
    static final int MAX_NAME = 80;

    private static final Map<Map<String, String>, Supplier<SfnClient>> SFN = new ConcurrentHashMap<>();

    private final Supplier<SfnClient> sfn;

    /** @param sfn built on first use, so functions that never start a workflow never build the client */
    StepFunctionsStarter(Supplier<SfnClient> sfn) {
        this.sfn = sfn;
    }

    /** One Step Functions client per environment, shared by the schedule and lifecycle workflows, built on first use. */
    static Supplier<SfnClient> client(Map<String, String> env) {
        return SFN.computeIfAbsent(Map.copyOf(env), e -> AwsClients.lazy(() -> AwsClients.build(
                SfnClient.builder().httpClient(UrlConnectionHttpClient.create()), e, "SFN")));
    }

    /** Thrown when the execution could not be started; the message names the cause, never the input. */
    static final class NotStarted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotStarted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    void start(String stateMachineArn, String variable, String name, ObjectNode input) {
        if (stateMachineArn == null || stateMachineArn.isBlank()) {
            throw new NotStarted(variable + " is not set", null);
        }
        try {
            sfn.get().startExecution(b -> b.stateMachineArn(stateMachineArn).name(name).input(Json.write(input)));
        } catch (ExecutionAlreadyExistsException e) {
            // The same name means the same work: it was started before, which is all this call is for.
        } catch (SdkException e) {
            throw new NotStarted("StartExecution failed: " + e.getClass().getSimpleName(), e);
        }
    }
}
