package dev.lifeboat.workflowruntime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of one local execution (see {@code infra/stepfunctions/README.md} for the event types).
 *
 * @param output the execution's output when it succeeded, else null
 * @param error  the error name when it failed: a Fail state's Error, a Java exception's full class name, States.*
 * @param cause  the cause: a Fail state's Cause, or a function's error document as JSON text
 * @param events the event log, in order: state entered/exited (with inputs and outputs), failures, retries,
 *               catches, Map iterations, Parallel branches, and every Lambda invocation with its payload and answer
 * @param limits what AWS would count against its quotas (256 KB payloads, 25,000 history events, which the local
 *               runner enforces: {@code largestPayloadBytes}, {@code largestPayloadState}, {@code historyEvents},
 *               {@code transitions}); an empty object when the runner gave none
 */
public record Execution(Status status, JsonNode output, String error, String cause, List<JsonNode> events, JsonNode limits) {

    public enum Status { SUCCEEDED, FAILED, TIMED_OUT, ABORTED }

    public Execution {
        events = List.copyOf(events);
        limits = limits == null || limits.isMissingNode() ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : limits;
    }

    public Execution(Status status, JsonNode output, String error, String cause, List<JsonNode> events) {
        this(status, output, error, cause, events, null);
    }

    /** State transitions, as Step Functions bills them (one per state entered, in Map iterations too). */
    public long transitions() {
        return limits.path("transitions").asLong();
    }

    /** The largest input, output or task result of the execution, in UTF-8 bytes. */
    public long largestPayloadBytes() {
        return limits.path("largestPayloadBytes").asLong();
    }

    public boolean succeeded() {
        return status == Status.SUCCEEDED;
    }

    /** Events of one type, e.g. {@code StateRetried} or {@code LambdaInvoked}. */
    public List<JsonNode> events(String type) {
        return events.stream().filter(e -> type.equals(e.path("type").asText())).toList();
    }

    /** Events of one type about one state (by name; states of all Map iterations and Parallel branches). */
    public List<JsonNode> stateEvents(String type, String stateName) {
        return events(type).stream().filter(e -> stateName.equals(e.path("state").path("name").asText())).toList();
    }

    /** How often the state was retried. */
    public int retries(String stateName) {
        return stateEvents("StateRetried", stateName).size();
    }

    /** The Lambda invocations of one function, however the Task named it (name, name:qualifier, ARN). */
    public List<JsonNode> invocations(String functionName) {
        return events("LambdaInvoked").stream()
                .filter(e -> functionName.equals(LambdaInvokeServer.functionName(e.path("functionName").asText())))
                .toList();
    }

    /** Status, error, cause and the path through the states: for assertion messages. */
    public String describe() {
        String path = events.stream()
                .map(e -> e.path("type").asText() + (e.has("state") ? ":" + e.path("state").path("name").asText() : "")
                        + (e.has("Error") ? "(" + e.path("Error").asText() + ")" : ""))
                .collect(Collectors.joining(" "));
        return status + (error == null ? "" : " " + error) + (cause == null ? "" : " (" + cause + ")")
                + (output == null ? "" : " output " + output) + "\n  " + path;
    }
}
