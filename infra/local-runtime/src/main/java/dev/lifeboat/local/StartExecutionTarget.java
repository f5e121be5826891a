package dev.lifeboat.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.local.events.ScheduleTarget;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What a local schedule starts: an execution of the target state machine, asked of the local Step Functions endpoint
 * through its own API, as EventBridge Scheduler asks the real service.
 */
final class StartExecutionTarget implements ScheduleTarget {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI stepFunctions;

    StartExecutionTarget(URI stepFunctions) {
        this.stepFunctions = stepFunctions;
    }

    @Override
    public void invoke(String targetArn, String input) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("stateMachineArn", targetArn).put("input", input == null ? "{}" : input);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(stepFunctions).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/x-amz-json-1.0").header("x-amz-target", "AWSStepFunctions.StartExecution")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("StartExecution of " + targetArn + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
