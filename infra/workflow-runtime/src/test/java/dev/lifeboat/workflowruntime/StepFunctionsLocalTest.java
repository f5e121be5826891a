package dev.lifeboat.workflowruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code workflows/backup-like.asl.json} through aws-local-stepfunctions against Java handlers behind a
 * {@link LambdaInvokeServer}: what the workflow tests of the real definitions will do.
 */
@Timeout(120)
class StepFunctionsLocalTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEFINITION = resource("workflows/backup-like.asl.json");
    private static final String PACKAGE = "dev.lifeboat.workflowruntime.";
    /** Every form of FunctionName the Lambda endpoint takes, one per Task. */
    private static final Map<String, String> FUNCTIONS = Map.of(
            "PrepareFunctionArn", "arn:aws:lambda:us-east-1:123456789012:function:prepare:live",
            "PollFunctionArn", "arn:aws:lambda:us-east-1:123456789012:function:poll",
            "CopyFunctionArn", "arn:aws:lambda:eu-west-1:123456789012:function:copy:$LATEST",
            "RecordFailureFunctionArn", LambdaInvokeServer.functionArn("record-failure"));

    private LambdaInvokeServer lambdas;
    private StepFunctionsLocal stepFunctions;
    private final Map<String, AtomicInteger> prepareCalls = new ConcurrentHashMap<>();
    private final AtomicInteger copiesInFlight = new AtomicInteger();
    private final AtomicInteger mostCopiesInFlight = new AtomicInteger();
    private final List<JsonNode> recordedFailures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        lambdas = LambdaInvokeServer.start()
                .register("prepare", JsonHandler.of((input, context) -> prepare(input)))
                .register("poll", JsonHandler.of((input, context) ->
                        Map.of("ready", true, "jobId", input.path("jobId").asText())))
                .register("copy", JsonHandler.of((input, context) -> copy(input)))
                .register("record-failure", JsonHandler.of((input, context) -> {
                    recordedFailures.add(input);
                    return Map.of("recorded", true);
                }));
        stepFunctions = StepFunctionsLocal.fromRepository(lambdas);
    }

    @AfterEach
    void stop() {
        lambdas.close();
    }

    /** By VM: vm-1 fails twice with SomethingTransient then answers; the others fail as their names say. */
    private Object prepare(JsonNode input) {
        String vm = input.path("vm").asText();
        int call = prepareCalls.computeIfAbsent(vm, v -> new AtomicInteger()).incrementAndGet();
        return switch (vm) {
            case "vm-refused" -> throw new SomethingTerminal("VM " + vm + " is not protected");
            case "vm-broken" -> throw new IllegalStateException("no datacenter for " + vm);
            case "vm-always-busy" -> throw new SomethingTransient("busy, call " + call);
            default -> {
                if (call <= 2) {
                    throw new SomethingTransient("busy, call " + call);
                }
                // The session token is dropped by the state's ResultSelector: it lives only in the Lambda's answer.
                yield Map.of("ready", false, "jobId", "job-" + vm, "sessionToken", "session-token-of-" + vm);
            }
        };
    }

    /** Holds the first disk until a second copy runs beside it, so the Map's concurrency shows every time. */
    private Object copy(JsonNode input) throws InterruptedException {
        int now = copiesInFlight.incrementAndGet();
        mostCopiesInFlight.accumulateAndGet(now, Math::max);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (input.path("index").asInt() == 0 && copiesInFlight.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(20);
            return Map.of("disk", input.path("disk").asText(), "copied", true);
        } finally {
            copiesInFlight.decrementAndGet();
        }
    }

    private static ObjectNode input(String vm) {
        ObjectNode input = JSON.createObjectNode().put("vm", vm).put("secretRef", "lifeboat/dc1/manager");
        input.putArray("disks").add("disk-0").add("disk-1").add("disk-2").add("disk-3").add("disk-4");
        return input;
    }

    private Execution run(ObjectNode input, RunOptions options) throws IOException {
        return stepFunctions.run(DEFINITION, input, options);
    }

    /** Waits and retry intervals of 0 ms, and the test's functions for the definition's placeholders. */
    private static RunOptions fast() {
        return RunOptions.fast().withSubstitutions(FUNCTIONS);
    }

    @Test
    void retriesOnTheJavaExceptionClassNameThenPollsAndCopiesEveryDiskTwoAtATime() throws IOException {
        long started = System.nanoTime();
        Execution execution = run(input("vm-1"), fast().withName("backup-vm-1"));
        long wallMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("StepFunctionsLocalTest: one execution (9 Lambda calls, 2 retries, a 5-item Map) took "
                + wallMillis + " ms wall time");

        assertTrue(execution.succeeded(), execution.describe());
        assertNull(execution.error());
        assertEquals(2, execution.retries("Prepare"), execution.describe());
        assertEquals(3, prepareCalls.get("vm-1").get());
        assertEquals(List.of(PACKAGE + "SomethingTransient", PACKAGE + "SomethingTransient"),
                execution.stateEvents("StateFailed", "Prepare").stream().map(e -> e.path("Error").asText()).toList());
        assertEquals(2, mostCopiesInFlight.get(), "MaxConcurrency 2 runs two copies at once, never more");

        JsonNode output = execution.output();
        assertEquals(JSON.readTree("{\"ready\":true,\"jobId\":\"job-vm-1\"}"), output.path("job"));
        assertEquals(5, output.path("copies").size());
        for (int i = 0; i < 5; i++) {
            assertEquals(JSON.readTree("{\"disk\":\"disk-" + i + "\",\"copied\":true}"), output.path("copies").path(i));
        }

        // Each state's input and output is in the log: Choice twice (not ready, then ready), the Map's Task per item.
        Map<String, Integer> visits = Map.of("Prepare", 1, "IsReady", 2, "WaitForJob", 1, "PollJob", 1,
                "CopyDisks", 1, "CopyDisk", 5, "Done", 1);
        visits.forEach((state, times) -> {
            List<JsonNode> entered = execution.stateEvents("StateEntered", state);
            List<JsonNode> exited = execution.stateEvents("StateExited", state);
            assertEquals(times, entered.size(), state + " entered\n" + execution.describe());
            assertEquals(times, exited.size(), state + " exited");
            entered.forEach(e -> assertTrue(e.path("state").path("input").isObject(), state + " input"));
            exited.forEach(e -> assertFalse(e.path("state").path("output").isMissingNode(), state + " output"));
        });
        assertEquals(List.of(0, 1, 2, 3, 4), execution.stateEvents("StateEntered", "CopyDisk").stream()
                .map(e -> e.path("index").asInt()).sorted().toList());
        assertEquals("job-vm-1", execution.stateEvents("StateExited", "PollJob").get(0)
                .path("state").path("output").path("job").path("jobId").asText());
        assertEquals(5, execution.events("MapIterationSucceeded").size());

        // Every Lambda call with its payload and answer, including what ResultSelector dropped from the state.
        assertEquals(3, execution.invocations("prepare").size());
        assertEquals(1, execution.invocations("poll").size());
        assertEquals(5, execution.invocations("copy").size());
        JsonNode lastPrepare = execution.invocations("prepare").get(2);
        assertEquals(JSON.readTree("{\"vm\":\"vm-1\",\"secretRef\":\"lifeboat/dc1/manager\"}"), lastPrepare.path("input"));
        assertEquals("session-token-of-vm-1", lastPrepare.path("output").path("sessionToken").asText());
        assertTrue(execution.events().toString().contains("session-token-of-vm-1"));
        assertFalse(output.toString().contains("session-token"));

        assertTrue(wallMillis < 30_000, "Wait 3600 s and retry intervals 2 s + 4 s are overridden: " + wallMillis + " ms");
    }

    @Test
    void aCatchOnAnotherExceptionRecordsTheFailureAndEndsInTheFailState() throws IOException {
        Execution execution = run(input("vm-refused"), fast());

        assertEquals(Execution.Status.FAILED, execution.status(), execution.describe());
        assertEquals("BackupFailed", execution.error());
        assertEquals("the backup system refused the VM", execution.cause());
        assertEquals(0, execution.retries("Prepare"), "SomethingTerminal is not in the Retry");
        assertEquals(1, execution.stateEvents("StateCaught", "Prepare").size());
        assertEquals(1, recordedFailures.size());
        JsonNode recorded = recordedFailures.get(0);
        assertEquals("vm-refused", recorded.path("vm").asText());
        assertEquals(PACKAGE + "SomethingTerminal", recorded.path("error").asText());
        // aws-local-stepfunctions: "<errorType>: <errorMessage>" (AWS would pass the error document's JSON).
        assertEquals(PACKAGE + "SomethingTerminal: VM vm-refused is not protected", recorded.path("cause").asText());
        assertTrue(execution.stateEvents("StateEntered", "CopyDisks").isEmpty());
    }

    @Test
    void anUncaughtExceptionFailsTheExecutionWithItsClassNameAndErrorDocument() throws IOException {
        Execution execution = run(input("vm-broken"), fast());

        assertEquals(Execution.Status.FAILED, execution.status(), execution.describe());
        assertEquals("java.lang.IllegalStateException", execution.error());
        JsonNode cause = JSON.readTree(execution.cause());
        assertEquals("java.lang.IllegalStateException", cause.path("errorType").asText());
        assertEquals("no datacenter for vm-broken", cause.path("errorMessage").asText());
        assertEquals(0, execution.retries("Prepare"));
        assertTrue(recordedFailures.isEmpty(), "IllegalStateException is not caught");
    }

    @Test
    void aHandlerAnswering300KbFailsTheExecutionWithDataLimitExceededThoughTheStateCatchesEverything() throws IOException {
        LambdaInvokeServer big = LambdaInvokeServer.start()
                .register("list", JsonHandler.of((input, context) -> Map.of("page", "x".repeat(300 * 1024))))
                .register("report", JsonHandler.of((input, context) -> Map.of("reported", true)));
        try {
            String definition = """
                    {"StartAt": "List", "States": {
                      "List": {"Type": "Task", "Resource": "${List}", "ResultPath": "$.page",
                               "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                               "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Report"}],
                               "End": true},
                      "Report": {"Type": "Task", "Resource": "${Report}", "End": true}}}
                    """;
            Execution execution = StepFunctionsLocal.fromRepository(big).run(definition, JSON.createObjectNode(),
                    RunOptions.fast().withSubstitution("List", LambdaInvokeServer.functionArn("list"))
                            .withSubstitution("Report", LambdaInvokeServer.functionArn("report")));

            assertEquals(Execution.Status.FAILED, execution.status(), execution.describe());
            assertEquals("States.DataLimitExceeded", execution.error(), "as AWS: terminal, and States.ALL does not catch it");
            assertEquals(1, execution.invocations("list").size(), "never retried");
            assertTrue(execution.invocations("report").isEmpty(), "never caught");
            assertTrue(execution.largestPayloadBytes() > 300 * 1024, execution.limits().toString());
        } finally {
            big.close();
        }
    }

    @Test
    void retriesStopAtMaxAttempts() throws IOException {
        Execution execution = run(input("vm-always-busy"), fast());

        assertEquals(Execution.Status.FAILED, execution.status(), execution.describe());
        assertEquals(PACKAGE + "SomethingTransient", execution.error());
        assertEquals(3, execution.retries("Prepare"));
        assertEquals(4, prepareCalls.get("vm-always-busy").get(), "the first call and three retries");
    }

    @Test
    void anUnregisteredFunctionFailsWithResourceNotFoundException() throws IOException {
        Execution execution = run(input("vm-1"), fast()
                .withSubstitution("PrepareFunctionArn", LambdaInvokeServer.functionArn("not-deployed")));

        assertEquals(Execution.Status.FAILED, execution.status(), execution.describe());
        assertEquals("ResourceNotFoundException", execution.error(), "AWS would say Lambda.ResourceNotFoundException");
        assertTrue(execution.cause().contains("Function not found: arn:aws:lambda:us-east-1:123456789012:function:not-deployed"),
                execution.cause());
    }

    @Test
    void anExecutionOverItsTimeoutIsAbortedWithItsEventsSoFar() {
        RunOptions hourLongWait = RunOptions.defaults().withRetryInterval("*", 0).withTimeout(Duration.ofSeconds(5))
                .withSubstitutions(FUNCTIONS);
        long started = System.nanoTime();
        StepFunctionsLocal.ExecutionTimeoutException e = assertThrows(StepFunctionsLocal.ExecutionTimeoutException.class,
                () -> stepFunctions.run(DEFINITION, input("vm-1"), hourLongWait));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 15, "aborted promptly");
        Execution partial = e.partial().orElseThrow(() -> new AssertionError(e.getMessage()));
        assertEquals(Execution.Status.ABORTED, partial.status());
        assertEquals(1, partial.stateEvents("StateEntered", "WaitForJob").size(), partial.describe());
        assertEquals("ExecutionAborted", partial.events().get(partial.events().size() - 1).path("type").asText());
        assertTrue(e.getMessage().contains("did not end within 5000 ms"), e.getMessage());
    }

    @Test
    void aRefusedRequestSaysWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(input("vm-1"), fast().withWait("WaitForJbo", 0)));
        assertTrue(e.getMessage().contains("waitOverrides names WaitForJbo, which is not a Wait state"), e.getMessage());

        IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class, () -> stepFunctions.run(
                "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"}}}", null, fast()));
        assertTrue(invalid.getMessage().contains("Missing 'StartAt'|'Next'|'Default' target: B"), invalid.getMessage());
    }

    @Test
    void substitutionsAreJsonEscaped() {
        assertEquals("{\"Resource\":\"a\\\"b\"}",
                StepFunctionsLocal.substitute("{\"Resource\":\"${X}\"}", Map.of("X", "a\"b")));
    }

    @Test
    void missingPackagesSayWhatToRun(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("run-execution.mjs"), "");
        IOException e = assertThrows(IOException.class, () -> StepFunctionsLocal.of(folder, lambdas.endpoint()));
        assertTrue(e.getMessage().contains("run npm ci in infra/stepfunctions"), e.getMessage());
        assertTrue(e.getMessage().contains("aws-local-stepfunctions"), e.getMessage());
    }

    static Path resource(String name) {
        try {
            return Path.of(StepFunctionsLocalTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }
}
