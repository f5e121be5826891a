package dev.lifeboat.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.plugin.CommandJson;
import org.junit.jupiter.api.Test;

class FailuresTest {
    static ObjectNode failure(String error, String cause) {
        return JsonNodeFactory.instance.objectNode().put("Error", error).put("Cause", cause);
    }

    @Test
    void aPluginErrorAsAwsReportsItKeepsItsCode() {
        String cause = "{\"errorType\":\"dev.lifeboat.plugin.TerminalError\",\"errorMessage\":\"UNKNOWN_VM: no VM 4210 in vCenter\",\"stackTrace\":[]}";
        assertEquals(new ErrorInfo("UNKNOWN_VM", "no VM 4210 in vCenter"), Failures.of(failure("dev.lifeboat.plugin.TerminalError", cause)));
    }

    @Test
    void theLocalRuntimesTextFormGivesTheSameAnswer() {
        assertEquals(new ErrorInfo("UNREACHABLE", "could not connect"),
                Failures.of(failure("dev.lifeboat.plugin.RetryableError", "dev.lifeboat.plugin.RetryableError: UNREACHABLE: could not connect")));
    }

    @Test
    void otherErrorsAreNamedByTheirKind() {
        assertEquals("TIMEOUT", Failures.of(failure("States.Timeout", "")).code());
        assertEquals("UnknownManagerType", Failures.of(failure("UnknownManagerType", "No plugin serves this backup manager type.")).code());
        assertEquals("NullPointerException", Failures.of(failure("java.lang.NullPointerException", "{\\\"errorMessage\\\":\\\"x\\\"}")).code());
    }
}
