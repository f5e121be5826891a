package dev.lifeboat.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.plugin.CommandJson;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error a Catch recorded ({@code {"Error","Cause"}}) as the {@code {code, message}} users see. For a Lambda
 * function error, Step Functions puts the function's error document in {@code Cause} as a JSON string
 * ({@code errorType}, {@code errorMessage}); plugin messages start with their code ({@code SERVER_ERROR: ...}).
 */
final class Failures {
    private static final Pattern CODED = Pattern.compile("([A-Z][A-Z0-9_]+): (.*)", Pattern.DOTALL);
    /** {@code <errorType>: <errorMessage>}, the form aws-local-stepfunctions gives a Catch instead of AWS's JSON. */
    private static final Pattern TYPED = Pattern.compile("[a-z][\\w$]*(?:\\.[\\w$]+)+: (.*)", Pattern.DOTALL);

    private Failures() {}

    static ErrorInfo of(JsonNode failure) {
        String error = failure.path("Error").asText("States.TaskFailed");
        String cause = failure.path("Cause").asText("");
        String message = cause;
        if (cause.startsWith("{")) {
            try {
                JsonNode document = CommandJson.TREES.read(cause);
                message = document.path("errorMessage").asText(cause);
            } catch (java.io.IOException e) {
                // not JSON after all: keep the text as it is
            }
        }
        Matcher typed = TYPED.matcher(message);
        if (typed.matches()) {
            message = typed.group(1);
        }
        Matcher m = CODED.matcher(message);
        if (m.matches()) {
            return new ErrorInfo(m.group(1), m.group(2));
        }
        String code = switch (error) {
            case "States.Timeout" -> "TIMEOUT";
            case "States.TaskFailed", "States.Runtime" -> "WORKFLOW_ERROR";
            default -> error.contains(".") ? error.substring(error.lastIndexOf('.') + 1) : error;
        };
        return new ErrorInfo(code, message.isBlank() ? error : abbreviate(message));
    }

    private static String abbreviate(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 1000) + "…";
    }
}
