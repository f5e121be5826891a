package dev.lifeboat.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns the event log of a local run ({@code Execution.events()}, see {@code infra/stepfunctions/README.md}) into
 * the service's history events (shape {@code HistoryEvent} of the Step Functions API), without ids: the execution's
 * own events (ExecutionStarted, and the one that ends it) are written by {@link LocalExecution} from what
 * DescribeExecution reports, so both always agree.
 *
 * <table>
 *   <tr><th>local event</th><th>history events</th></tr>
 *   <tr><td>StateEntered / StateExited of a state of type T</td><td>{@code <T>StateEntered} with
 *       {@code stateEnteredEventDetails {name, input}} / {@code <T>StateExited} with
 *       {@code stateExitedEventDetails {name, output}} (a Fail state has no Exited event, as in AWS)</td></tr>
 *   <tr><td>LambdaInvoked</td><td>LambdaFunctionScheduled {resource, input}, LambdaFunctionStarted, then
 *       LambdaFunctionSucceeded {output}, LambdaFunctionFailed {error = the payload's errorType, cause = the payload}
 *       when the function threw, or LambdaFunctionStartFailed {cause} when the Invoke call itself failed (unknown
 *       function, unreachable endpoint). All three carry the time of the answer: the log has no earlier one.</td></tr>
 *   <tr><td>StateFailed of a Task with States.Timeout</td><td>LambdaFunctionTimedOut {error, cause}; other Task
 *       failures are already told by the Lambda events</td></tr>
 *   <tr><td>StateFailed of a Map / Parallel</td><td>MapStateFailed / ParallelStateFailed</td></tr>
 *   <tr><td>MapIterationStarted/Succeeded/Failed</td><td>the same, with {@code mapIteration...EventDetails
 *       {name: the Map state, index}}</td></tr>
 *   <tr><td>StateRetried, StateCaught, ParallelBranch*, StateFailed of other states</td><td>nothing: the service's
 *       history has no such events (a retry shows as another LambdaFunctionScheduled)</td></tr>
 * </table>
 *
 * Not reproduced: MapStateStarted/MapStateSucceeded and ParallelStateStarted/Succeeded (the log does not give the
 * item count), TaskScheduled/TaskSucceeded of optimized integrations (not run locally), and the service's
 * {@code previousEventId} links, which point at the causing event; here each event points at the one before it.
 */
final class HistoryEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** State types with a {@code <Type>StateEntered} event in the service's HistoryEventType enum. */
    private static final Set<String> STATE_TYPES = Set.of("Task", "Choice", "Wait", "Pass", "Succeed", "Fail", "Map",
            "Parallel");

    private HistoryEvents() {
    }

    /** One history event without id: {@code timestamp} in epoch milliseconds, {@code type}, and its details. */
    static ObjectNode event(long timestampMillis, String type) {
        ObjectNode event = JSON.createObjectNode();
        event.put("timestamp", timestampMillis);
        event.put("type", type);
        return event;
    }

    static List<ObjectNode> fromLog(List<JsonNode> log) {
        List<ObjectNode> history = new ArrayList<>();
        for (JsonNode entry : log) {
            long timestamp = entry.path("timestamp").asLong();
            JsonNode state = entry.path("state");
            String stateType = state.path("type").asText();
            switch (entry.path("type").asText()) {
                case "StateEntered" -> {
                    if (STATE_TYPES.contains(stateType)) {
                        ObjectNode details = history(history, timestamp, stateType + "StateEntered")
                                .putObject("stateEnteredEventDetails");
                        details.put("name", state.path("name").asText());
                        data(details, "input", state.path("input"));
                    }
                }
                case "StateExited" -> {
                    if (STATE_TYPES.contains(stateType) && !"Fail".equals(stateType)) {
                        ObjectNode details = history(history, timestamp, stateType + "StateExited")
                                .putObject("stateExitedEventDetails");
                        details.put("name", state.path("name").asText());
                        data(details, "output", state.path("output"));
                    }
                }
                case "LambdaInvoked" -> lambda(history, timestamp, entry);
                case "StateFailed" -> {
                    String error = text(entry.path("Error"));
                    if ("Task".equals(stateType) && "States.Timeout".equals(error)) {
                        ObjectNode details = history(history, timestamp, "LambdaFunctionTimedOut")
                                .putObject("lambdaFunctionTimedOutEventDetails");
                        errorAndCause(details, error, text(entry.path("Cause")));
                    } else if ("Map".equals(stateType) || "Parallel".equals(stateType)) {
                        history(history, timestamp, stateType + "StateFailed");
                    }
                }
                case "MapIterationStarted" -> mapIteration(history, timestamp, entry, "MapIterationStarted",
                        "mapIterationStartedEventDetails");
                case "MapIterationSucceeded" -> mapIteration(history, timestamp, entry, "MapIterationSucceeded",
                        "mapIterationSucceededEventDetails");
                case "MapIterationFailed" -> mapIteration(history, timestamp, entry, "MapIterationFailed",
                        "mapIterationFailedEventDetails");
                default -> {
                    // Execution* are written by LocalExecution; the rest has no counterpart (see the class comment).
                }
            }
        }
        return history;
    }

    private static void lambda(List<ObjectNode> history, long timestamp, JsonNode entry) {
        if (!"RequestResponse".equals(entry.path("invocationType").asText("RequestResponse"))) {
            return;
        }
        ObjectNode scheduled = history(history, timestamp, "LambdaFunctionScheduled")
                .putObject("lambdaFunctionScheduledEventDetails");
        scheduled.put("resource", entry.path("functionName").asText());
        data(scheduled, "input", entry.path("input"));
        JsonNode output = entry.path("output");
        int status = entry.path("statusCode").asInt();
        if (status != 200) {
            // The Invoke call failed before the function ran: unknown function (404), unreachable endpoint (502).
            ObjectNode details = history(history, timestamp, "LambdaFunctionStartFailed")
                    .putObject("lambdaFunctionStartFailedEventDetails");
            errorAndCause(details, null, output.isTextual() ? output.asText() : output.toString());
            return;
        }
        history(history, timestamp, "LambdaFunctionStarted");
        if (entry.hasNonNull("functionError")) {
            // As in AWS: the error is the payload's errorType (a Java exception's full class name), the cause the
            // whole error payload as JSON text.
            ObjectNode details = history(history, timestamp, "LambdaFunctionFailed")
                    .putObject("lambdaFunctionFailedEventDetails");
            errorAndCause(details, text(output.path("errorType")), output.toString());
        } else {
            data(history(history, timestamp, "LambdaFunctionSucceeded").putObject("lambdaFunctionSucceededEventDetails"),
                    "output", output);
        }
    }

    private static void mapIteration(List<ObjectNode> history, long timestamp, JsonNode entry, String type,
            String detailsField) {
        ObjectNode details = history(history, timestamp, type).putObject(detailsField);
        details.put("name", entry.path("parentState").path("name").asText());
        details.put("index", entry.path("index").asInt());
    }

    private static ObjectNode history(List<ObjectNode> history, long timestamp, String type) {
        ObjectNode event = event(timestamp, type);
        history.add(event);
        return event;
    }

    /** Input and output travel as JSON text, with {@code <field>Details.truncated} (never, locally). */
    static void data(ObjectNode details, String field, JsonNode value) {
        details.put(field, value.isMissingNode() ? "null" : value.toString());
        details.putObject(field + "Details").put("truncated", false);
    }

    static void errorAndCause(ObjectNode details, String error, String cause) {
        if (error != null) {
            details.put("error", error);
        }
        if (cause != null) {
            details.put("cause", cause);
        }
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
    }
}
