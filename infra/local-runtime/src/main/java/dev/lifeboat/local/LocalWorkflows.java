package dev.lifeboat.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.sfn.ExecutionOptions;
import dev.lifeboat.local.sfn.LocalStateMachine;
import dev.lifeboat.workflowruntime.RunOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the local Step Functions endpoint runs the template's workflows: every Wait state (the 15 s to 2 min waits
 * between polls of a backup job) lasts {@code waitMillis}, and a retried task waits {@code retryMillis}, so a backup of
 * the simulators, whose jobs take seconds, ends in seconds too. Executions may run for hours, as in AWS.
 */
final class LocalWorkflows {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalWorkflows() {
    }

    static ExecutionOptions options(long waitMillis, long retryMillis) {
        return (machine, name) -> {
            RunOptions options = RunOptions.defaults().withTimeout(Duration.ofHours(6)).withRetryInterval("*", retryMillis);
            for (String wait : waitStates(machine)) {
                options = options.withWait(wait, waitMillis);
            }
            return options;
        };
    }

    /** The names of the definition's Wait states, inside Map and Parallel states too (the runner refuses others). */
    static List<String> waitStates(LocalStateMachine machine) {
        try {
            List<String> out = new ArrayList<>();
            collect(JSON.readTree(machine.definition()).path("States"), out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("state machine " + machine.name() + " is not JSON", e);
        }
    }

    private static void collect(JsonNode states, List<String> out) {
        for (Map.Entry<String, JsonNode> state : (Iterable<Map.Entry<String, JsonNode>>) states::fields) {
            JsonNode s = state.getValue();
            if ("Wait".equals(s.path("Type").asText())) {
                out.add(state.getKey());
            }
            collect(s.path("ItemProcessor").path("States"), out);
            collect(s.path("Iterator").path("States"), out);
            for (JsonNode branch : s.path("Branches")) {
                collect(branch.path("States"), out);
            }
        }
    }
}
