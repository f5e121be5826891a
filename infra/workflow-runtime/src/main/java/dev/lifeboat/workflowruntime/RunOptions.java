package dev.lifeboat.workflowruntime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link StepFunctionsLocal} runs one execution.
 *
 * @param waitOverrides   milliseconds a Wait state pauses instead of its Seconds/Timestamp, by state name, or
 *                        {@code "*"} for every Wait state not named; a name that is no Wait state is refused
 * @param retryOverrides  milliseconds a state's retriers wait before each retry, by state name or {@code "*"}
 * @param substitutions   {@code ${Name}} placeholders of the definition and their values, as SAM's
 *                        DefinitionSubstitutions fill them in (Lambda ARNs)
 * @param name            {@code $$.Execution.Name}; null for a random UUID
 * @param timeout         how long the execution may take before it is aborted and the run fails
 * @param payloads        whether the events keep the states' and invocations' inputs and outputs (the limits are
 *                        enforced and the largest payload measured either way)
 */
public record RunOptions(Map<String, Long> waitOverrides, Map<String, Long> retryOverrides,
                         Map<String, String> substitutions, String name, Duration timeout, boolean payloads) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public RunOptions {
        waitOverrides = Map.copyOf(waitOverrides);
        retryOverrides = Map.copyOf(retryOverrides);
        substitutions = Map.copyOf(substitutions);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** Waits and retry intervals as the definition says them; 60 s timeout. */
    public static RunOptions defaults() {
        return new RunOptions(Map.of(), Map.of(), Map.of(), null, DEFAULT_TIMEOUT, true);
    }

    /** Every Wait state and every retry interval takes 0 ms: what most workflow tests want. */
    public static RunOptions fast() {
        return defaults().withWait("*", 0).withRetryInterval("*", 0);
    }

    public RunOptions withWait(String stateName, long millis) {
        return new RunOptions(put(waitOverrides, stateName, millis), retryOverrides, substitutions, name, timeout, payloads);
    }

    public RunOptions withRetryInterval(String stateName, long millis) {
        return new RunOptions(waitOverrides, put(retryOverrides, stateName, millis), substitutions, name, timeout, payloads);
    }

    public RunOptions withSubstitution(String placeholder, String value) {
        return new RunOptions(waitOverrides, retryOverrides, put(substitutions, placeholder, value), name, timeout, payloads);
    }

    public RunOptions withSubstitutions(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(substitutions);
        all.putAll(more);
        return new RunOptions(waitOverrides, retryOverrides, all, name, timeout, payloads);
    }

    public RunOptions withName(String executionName) {
        return new RunOptions(waitOverrides, retryOverrides, substitutions, executionName, timeout, payloads);
    }

    public RunOptions withTimeout(Duration executionTimeout) {
        return new RunOptions(waitOverrides, retryOverrides, substitutions, name, executionTimeout, payloads);
    }

    /**
     * Events without the states' and invocations' inputs and outputs: for timing a workflow whose pages would otherwise
     * be copied into the event log and read back by the JVM, work that AWS does in its own history, not in the workflow.
     */
    public RunOptions withoutPayloads() {
        return new RunOptions(waitOverrides, retryOverrides, substitutions, name, timeout, false);
    }

    private static <V> Map<String, V> put(Map<String, V> map, String key, V value) {
        Map<String, V> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return copy;
    }
}
