package dev.lifeboat.workflowruntime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs Step Functions definitions locally: each execution is one {@code run-execution.mjs} process of
 * {@code infra/stepfunctions} (aws-local-stepfunctions on the pinned Node 22), whose Lambda Tasks call
 * {@code lambdaEndpoint}, normally a {@link LambdaInvokeServer} with the real handlers. Thread-safe; executions may run
 * concurrently.
 *
 * <pre>{@code
 * try (LambdaInvokeServer lambdas = LambdaInvokeServer.start().register("start-backup", new StartBackup())) {
 *     Execution run = StepFunctionsLocal.fromRepository(lambdas).run(
 *             Path.of("statemachines/backup-lifecycle.asl.json"), input, RunOptions.fast()
 *                     .withSubstitution("StartBackupFunctionArn", LambdaInvokeServer.functionArn("start-backup")));
 *     assertTrue(run.succeeded(), run.describe());
 * }
 * }</pre>
 */
public final class StepFunctionsLocal {

    static final String SCRIPT = "run-execution.mjs";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodePackage nodePackage;
    private final URI lambdaEndpoint;

    private StepFunctionsLocal(NodePackage nodePackage, URI lambdaEndpoint) {
        this.nodePackage = nodePackage;
        this.lambdaEndpoint = lambdaEndpoint;
    }

    /** The repository's {@code infra/stepfunctions}, Tasks calling {@code lambdas}. */
    public static StepFunctionsLocal fromRepository(LambdaInvokeServer lambdas) throws IOException {
        return fromRepository(lambdas.endpoint());
    }

    /** The repository's {@code infra/stepfunctions}, Tasks calling the Lambda Invoke API at {@code lambdaEndpoint}. */
    public static StepFunctionsLocal fromRepository(URI lambdaEndpoint) throws IOException {
        return of(NodePackage.fromRepository().directory(), lambdaEndpoint);
    }

    /**
     * @param packageDirectory a folder like {@code infra/stepfunctions}, with its npm packages installed
     * @throws IOException when the script, Node 22 or the packages are missing, saying to run {@code npm ci}
     */
    public static StepFunctionsLocal of(Path packageDirectory, URI lambdaEndpoint) throws IOException {
        NodePackage nodePackage = new NodePackage(packageDirectory);
        nodePackage.check(SCRIPT, "aws-local-stepfunctions");
        return new StepFunctionsLocal(nodePackage, lambdaEndpoint);
    }

    public Execution run(Path definitionFile, JsonNode input, RunOptions options) throws IOException {
        return run(Files.readString(definitionFile), input, options);
    }

    public Execution run(JsonNode definition, JsonNode input, RunOptions options) throws IOException {
        return run(JSON.writeValueAsString(definition), input, options);
    }

    /**
     * Runs one execution to its end.
     *
     * @return the execution, whatever its status
     * @throws IllegalArgumentException  when the request is refused: an invalid definition, an override of no such
     *                                   state (the message is the script's)
     * @throws ExecutionTimeoutException when it has not ended within {@code options.timeout()}; it is then aborted
     * @throws IOException               when Node cannot run the script
     */
    public Execution run(String definitionJson, JsonNode input, RunOptions options) throws IOException {
        ObjectNode request = JSON.createObjectNode();
        request.set("definition", parse(substitute(definitionJson, options.substitutions()), "the definition"));
        request.set("input", input == null ? JSON.createObjectNode() : input);
        request.set("waitOverrides", JSON.valueToTree(options.waitOverrides()));
        request.set("retryOverrides", JSON.valueToTree(options.retryOverrides()));
        if (options.name() != null) {
            request.put("name", options.name());
        }
        if (!options.payloads()) {
            request.put("recordPayloads", false);
        }
        Map<String, String> env = Map.of(
                "AWS_ENDPOINT_URL_LAMBDA", lambdaEndpoint.toString(),
                "AWS_REGION", LambdaInvokeServer.REGION,
                "AWS_ACCESS_KEY_ID", "local",
                "AWS_SECRET_ACCESS_KEY", "local");
        NodePackage.Outcome outcome = nodePackage.run(SCRIPT, List.of(), env, JSON.writeValueAsBytes(request),
                options.timeout());
        if (outcome.exitCode() == 2 && !outcome.timedOut()) {
            throw new IllegalArgumentException("run-execution.mjs refused the request: " + outcome.stderr().strip());
        }
        Execution execution = outcome.exitCode() == 0 ? parseResult(outcome.lastLine()) : null;
        if (outcome.timedOut()) {
            throw new ExecutionTimeoutException(options.timeout(), execution, outcome);
        }
        if (execution == null) {
            throw new IOException("run-execution.mjs exited with status " + outcome.exitCode() + " and no result"
                    + (outcome.stderr().isBlank() ? "" : "; its stderr:\n" + outcome.stderr().strip()));
        }
        return execution;
    }

    /** SAM-style {@code ${Name}} placeholders; values are JSON-escaped, since they land inside JSON strings. */
    static String substitute(String definition, Map<String, String> substitutions) {
        String result = definition;
        for (Map.Entry<String, String> s : substitutions.entrySet()) {
            String escaped;
            try {
                String quoted = JSON.writeValueAsString(s.getValue());
                escaped = quoted.substring(1, quoted.length() - 1);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            result = result.replace("${" + s.getKey() + "}", escaped);
        }
        return result;
    }

    private static Execution parseResult(String line) throws IOException {
        if (line == null) {
            return null;
        }
        JsonNode result = parse(line, "run-execution.mjs's result");
        List<JsonNode> events = new ArrayList<>();
        result.path("events").forEach(events::add);
        JsonNode output = result.path("output");
        return new Execution(Execution.Status.valueOf(result.path("status").asText()),
                output.isMissingNode() || output.isNull() ? null : output,
                textOrNull(result.path("error")), textOrNull(result.path("cause")), events, result.path("limits"));
    }

    private static String textOrNull(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
    }

    private static JsonNode parse(String text, String what) throws IOException {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IOException(what + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** An execution that did not end in time; it was aborted, and {@link #partial()} has its events so far. */
    public static final class ExecutionTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Execution partial;

        ExecutionTimeoutException(Duration timeout, Execution partial, NodePackage.Outcome outcome) {
            super("the execution did not end within " + timeout.toMillis() + " ms; " + (partial != null
                    ? "it was aborted: " + partial.describe()
                    : "the script printed no result after SIGTERM (exit " + outcome.exitCode() + ")"
                            + (outcome.stderr().isBlank() ? "" : "; its stderr:\n" + outcome.stderr().strip())));
            this.partial = partial;
        }

        public Optional<Execution> partial() {
            return Optional.ofNullable(partial);
        }
    }
}
