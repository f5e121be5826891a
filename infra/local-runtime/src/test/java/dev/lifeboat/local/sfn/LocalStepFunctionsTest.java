package dev.lifeboat.local.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.LocalEnvironment;
import dev.lifeboat.local.TestFiles;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.workflowruntime.LambdaInvokeServer;
import dev.lifeboat.workflowruntime.RunOptions;
import dev.lifeboat.workflowruntime.StepFunctionsLocal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidArnException;
import software.amazon.awssdk.services.sfn.model.InvalidExecutionInputException;
import software.amazon.awssdk.services.sfn.model.InvalidNameException;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StopExecutionResponse;

/**
 * The real SDK client against {@link LocalStepFunctions}, running {@code sfn/statemachines/count.asl.json} (a Lambda
 * Task, a Choice and a Wait polling loop, read through {@link LocalStateMachine#fromTemplate} from
 * {@code sfn/template.yaml}) against {@link Counter} behind a {@link LambdaInvokeServer}, plus a "slow" state machine
 * whose 30 s Wait is not overridden, for what needs a RUNNING execution.
 */
class LocalStepFunctionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    static LambdaInvokeServer lambdas;
    static LocalStepFunctions sfn;
    static SfnClient client;
    static String countArn;
    static String slowArn;

    @BeforeAll
    static void start() throws IOException {
        lambdas = LambdaInvokeServer.start().register("CounterFunction", new Counter());
        SamTemplate template = SamTemplate.load(TestFiles.resource("sfn/template.yaml"));
        List<LocalStateMachine> machines = new java.util.ArrayList<>(
                LocalStateMachine.fromTemplate(template, LocalEnvironment.refs(template, Map.of())));
        machines.add(new LocalStateMachine("slow", """
                {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 30, "End": true}}}"""));
        // What the local runtime will do: shorten the polls of the workflows, keep the rest as written.
        ExecutionOptions options = (machine, name) -> machine.name().equals("slow")
                ? RunOptions.defaults() : RunOptions.defaults().withWait("*", 10).withRetryInterval("*", 0);
        sfn = LocalStepFunctions.start(0, StepFunctionsLocal.fromRepository(lambdas), machines, options);
        client = SfnClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(sfn.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
        countArn = LocalStateMachine.arn("lifeboat-local-count");
        slowArn = LocalStateMachine.arn("slow");
    }

    @AfterAll
    static void stop() {
        client.close();
        sfn.close();
        lambdas.close();
    }

    @Test
    void anExecutionRunsToItsEndAndDescribeExecutionReportsIt() throws IOException {
        Instant before = Instant.now().minusSeconds(1);
        StartExecutionResponse started = client.startExecution(b -> b.stateMachineArn(countArn).name("count-ok")
                .input("{\"n\": 0}"));
        assertEquals("arn:aws:states:us-east-1:000000000000:execution:lifeboat-local-count:count-ok",
                started.executionArn());
        assertTrue(started.startDate().isAfter(before), started.toString());

        DescribeExecutionResponse done = awaitEnd(started.executionArn());
        assertEquals(ExecutionStatus.SUCCEEDED, done.status(), done.toString());
        assertEquals(JSON.readTree("{\"n\": 3, \"done\": true}"), JSON.readTree(done.output()));
        assertEquals("{\"n\": 0}", done.input());
        assertEquals("count-ok", done.name());
        assertEquals(countArn, done.stateMachineArn());
        assertEquals(started.startDate(), done.startDate());
        assertFalse(done.stopDate().isBefore(done.startDate()));
        assertNull(done.error());
        assertNull(done.cause());
    }

    @Test
    void anExecutionWithoutNameGetsAUuidAndEmptyInput() {
        StartExecutionResponse started = client.startExecution(b -> b.stateMachineArn(countArn));
        String name = started.executionArn().substring(started.executionArn().lastIndexOf(':') + 1);
        assertEquals(name, UUID.fromString(name).toString());
        DescribeExecutionResponse done = awaitEnd(started.executionArn());
        assertEquals("{}", done.input());
        assertEquals(ExecutionStatus.SUCCEEDED, done.status(), done.toString());
    }

    @Test
    void theHistoryHasTheExecutionStateAndLambdaEventsInOrder() {
        String arn = client.startExecution(b -> b.stateMachineArn(countArn).name("count-history")
                .input("{\"n\": 1}")).executionArn();
        awaitEnd(arn);
        List<HistoryEvent> events = client.getExecutionHistoryPaginator(b -> b.executionArn(arn).maxResults(4))
                .events().stream().toList();
        List<HistoryEventType> types = events.stream().map(HistoryEvent::type).toList();
        // n=1 → 2 (not done) → Wait → 3 (done) → Succeed
        assertEquals(List.of(
                HistoryEventType.EXECUTION_STARTED,
                HistoryEventType.TASK_STATE_ENTERED, HistoryEventType.LAMBDA_FUNCTION_SCHEDULED,
                HistoryEventType.LAMBDA_FUNCTION_STARTED, HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED,
                HistoryEventType.TASK_STATE_EXITED,
                HistoryEventType.CHOICE_STATE_ENTERED, HistoryEventType.CHOICE_STATE_EXITED,
                HistoryEventType.WAIT_STATE_ENTERED, HistoryEventType.WAIT_STATE_EXITED,
                HistoryEventType.TASK_STATE_ENTERED, HistoryEventType.LAMBDA_FUNCTION_SCHEDULED,
                HistoryEventType.LAMBDA_FUNCTION_STARTED, HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED,
                HistoryEventType.TASK_STATE_EXITED,
                HistoryEventType.CHOICE_STATE_ENTERED, HistoryEventType.CHOICE_STATE_EXITED,
                HistoryEventType.SUCCEED_STATE_ENTERED, HistoryEventType.SUCCEED_STATE_EXITED,
                HistoryEventType.EXECUTION_SUCCEEDED), types);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).id());
            assertEquals(i, events.get(i).previousEventId());
            assertNotNull(events.get(i).timestamp());
        }
        assertEquals("{\"n\": 1}", events.get(0).executionStartedEventDetails().input());
        assertEquals("Count", events.get(1).stateEnteredEventDetails().name());
        assertEquals("{\"n\":1}", events.get(1).stateEnteredEventDetails().input());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:CounterFunction:live",
                events.get(2).lambdaFunctionScheduledEventDetails().resource());
        assertEquals("{\"n\":2,\"done\":false}", events.get(4).lambdaFunctionSucceededEventDetails().output());
        assertEquals("Count", events.get(5).stateExitedEventDetails().name());
        assertEquals("{\"n\":3,\"done\":true}", events.get(19).executionSucceededEventDetails().output());

        List<HistoryEvent> reversed = client.getExecutionHistory(b -> b.executionArn(arn).reverseOrder(true)
                .maxResults(2)).events();
        assertEquals(List.of(HistoryEventType.EXECUTION_SUCCEEDED, HistoryEventType.SUCCEED_STATE_EXITED),
                reversed.stream().map(HistoryEvent::type).toList());
        HistoryEvent withoutData = client.getExecutionHistory(b -> b.executionArn(arn).includeExecutionData(false))
                .events().get(1);
        assertEquals("Count", withoutData.stateEnteredEventDetails().name());
        assertNull(withoutData.stateEnteredEventDetails().input());
        assertThrows(InvalidTokenException.class,
                () -> client.getExecutionHistory(b -> b.executionArn(arn).nextToken("not-a-token")));
    }

    @Test
    void aFailingTaskFailsTheExecutionWithTheExceptionAsErrorAndCause() throws IOException {
        String arn = client.startExecution(b -> b.stateMachineArn(countArn).name("count-fails")
                .input("{\"n\": 1, \"fail\": true}")).executionArn();
        DescribeExecutionResponse done = awaitEnd(arn);
        assertEquals(ExecutionStatus.FAILED, done.status());
        assertEquals("java.lang.IllegalStateException", done.error());
        JsonNode cause = JSON.readTree(done.cause());
        assertEquals("the counter broke at 1", cause.path("errorMessage").asText(), done.cause());
        assertNull(done.output());

        List<HistoryEvent> events = client.getExecutionHistory(b -> b.executionArn(arn)).events();
        HistoryEvent lambdaFailed = events.stream().filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_FAILED)
                .findFirst().orElseThrow();
        assertEquals("java.lang.IllegalStateException", lambdaFailed.lambdaFunctionFailedEventDetails().error());
        HistoryEvent last = events.get(events.size() - 1);
        assertEquals(HistoryEventType.EXECUTION_FAILED, last.type());
        assertEquals("java.lang.IllegalStateException", last.executionFailedEventDetails().error());
        assertEquals(done.cause(), last.executionFailedEventDetails().cause());
    }

    @Test
    void theSameNameAndInputAsARunningExecutionIsThatExecution() {
        StartExecutionResponse first = client.startExecution(b -> b.stateMachineArn(slowArn).name("idempotent")
                .input("{\"a\": 1}"));
        StartExecutionResponse again = client.startExecution(b -> b.stateMachineArn(slowArn).name("idempotent")
                .input("{\"a\": 1}"));
        assertEquals(first.executionArn(), again.executionArn());
        assertEquals(first.startDate(), again.startDate());

        ExecutionAlreadyExistsException otherInput = assertThrows(ExecutionAlreadyExistsException.class,
                () -> client.startExecution(b -> b.stateMachineArn(slowArn).name("idempotent").input("{\"a\": 2}")));
        assertEquals(400, otherInput.statusCode());
        assertTrue(otherInput.getMessage().contains(first.executionArn()), otherInput.getMessage());

        client.stopExecution(b -> b.executionArn(first.executionArn()));
        // Once it has ended, the name is taken whatever the input (the StartExecution API reference).
        assertThrows(ExecutionAlreadyExistsException.class,
                () -> client.startExecution(b -> b.stateMachineArn(slowArn).name("idempotent").input("{\"a\": 1}")));
        // Names are per state machine.
        String elsewhere = client.startExecution(b -> b.stateMachineArn(countArn).name("idempotent")
                .input("{\"a\": 1}")).executionArn();
        assertEquals(ExecutionStatus.SUCCEEDED, awaitEnd(elsewhere).status());
    }

    @Test
    void stopExecutionAbortsARunningExecution() throws InterruptedException {
        String arn = client.startExecution(b -> b.stateMachineArn(slowArn).name("to-stop")).executionArn();
        assertEquals(ExecutionStatus.RUNNING, client.describeExecution(b -> b.executionArn(arn)).status());
        assertEquals(List.of(HistoryEventType.EXECUTION_STARTED),
                client.getExecutionHistory(b -> b.executionArn(arn)).events().stream().map(HistoryEvent::type)
                        .toList(), "while running, the history is the start only");
        awaitNodeRuns(1); // its Node process has started, so stopping it is tested too

        StopExecutionResponse stopped = client.stopExecution(b -> b.executionArn(arn).error("Manual")
                .cause("stopped by the test"));
        DescribeExecutionResponse described = client.describeExecution(b -> b.executionArn(arn));
        assertEquals(ExecutionStatus.ABORTED, described.status());
        assertEquals(stopped.stopDate(), described.stopDate());
        assertEquals("Manual", described.error());
        assertEquals("stopped by the test", described.cause());
        List<HistoryEvent> history = client.getExecutionHistory(b -> b.executionArn(arn)).events();
        assertEquals(List.of(HistoryEventType.EXECUTION_STARTED, HistoryEventType.EXECUTION_ABORTED),
                history.stream().map(HistoryEvent::type).toList());
        assertEquals("Manual", history.get(1).executionAbortedEventDetails().error());

        awaitNodeRuns(0); // its Node process is gone, long before its 30 s Wait would have ended

        // Stopping again changes nothing; the killed run's end does not overwrite ABORTED either.
        assertEquals(stopped.stopDate(), client.stopExecution(b -> b.executionArn(arn)).stopDate());
        assertEquals(ExecutionStatus.ABORTED, client.describeExecution(b -> b.executionArn(arn)).status());
    }

    @Test
    void listExecutionsFiltersByStatusAndPages() {
        String machine = countArn;
        String ok = client.startExecution(b -> b.stateMachineArn(machine).name("list-ok").input("{\"n\": 2}"))
                .executionArn();
        String failed = client.startExecution(b -> b.stateMachineArn(machine).name("list-failed")
                .input("{\"fail\": true}")).executionArn();
        awaitEnd(ok);
        awaitEnd(failed);
        String running = client.startExecution(b -> b.stateMachineArn(slowArn).name("list-running")).executionArn();
        try {
            List<String> succeeded = client.listExecutions(b -> b.stateMachineArn(machine)
                    .statusFilter(ExecutionStatus.SUCCEEDED)).executions().stream()
                    .map(ExecutionListItem::executionArn).toList();
            assertTrue(succeeded.contains(ok), succeeded.toString());
            assertFalse(succeeded.contains(failed), succeeded.toString());
            List<ExecutionListItem> failures = client.listExecutions(b -> b.stateMachineArn(machine)
                    .statusFilter(ExecutionStatus.FAILED)).executions();
            assertTrue(failures.stream().anyMatch(e -> e.executionArn().equals(failed)), failures.toString());
            assertTrue(failures.stream().allMatch(e -> e.status() == ExecutionStatus.FAILED && e.stopDate() != null));
            List<ExecutionListItem> runningOnes = client.listExecutions(b -> b.stateMachineArn(slowArn)
                    .statusFilter(ExecutionStatus.RUNNING)).executions();
            assertEquals(List.of(running), runningOnes.stream().map(ExecutionListItem::executionArn).toList());
            assertNull(runningOnes.get(0).stopDate());

            List<ExecutionListItem> all = client.listExecutions(b -> b.stateMachineArn(machine)).executions();
            List<ExecutionListItem> paged = client.listExecutionsPaginator(b -> b.stateMachineArn(machine)
                    .maxResults(1)).executions().stream().toList();
            assertEquals(all.stream().map(ExecutionListItem::executionArn).toList(),
                    paged.stream().map(ExecutionListItem::executionArn).toList());
            assertTrue(all.size() >= 2);
            for (int i = 1; i < all.size(); i++) {
                assertFalse(all.get(i).startDate().isAfter(all.get(i - 1).startDate()), "newest first");
            }
        } finally {
            client.stopExecution(b -> b.executionArn(running));
        }
    }

    @Test
    void unknownAndMalformedNamesAreTheServiceErrors() {
        assertThrows(StateMachineDoesNotExistException.class, () -> client.startExecution(b -> b
                .stateMachineArn(LocalStateMachine.arn("no-such-machine"))));
        assertThrows(StateMachineDoesNotExistException.class, () -> client.listExecutions(b -> b
                .stateMachineArn(LocalStateMachine.arn("no-such-machine"))));
        StateMachineDoesNotExistException elsewhere = assertThrows(StateMachineDoesNotExistException.class,
                () -> client.startExecution(b -> b.stateMachineArn(
                        "arn:aws:states:eu-west-1:123456789012:stateMachine:lifeboat-local-count")));
        assertTrue(elsewhere.getMessage().contains("local state machines are in region us-east-1, account "
                + "000000000000"), elsewhere.getMessage());
        assertThrows(InvalidArnException.class, () -> client.startExecution(b -> b.stateMachineArn("not-an-arn")));
        InvalidArnException wrongType = assertThrows(InvalidArnException.class,
                () -> client.describeExecution(b -> b.executionArn(countArn)));
        assertTrue(wrongType.getMessage().contains("Resource type not valid in this context: stateMachine"),
                wrongType.getMessage());
        assertThrows(ExecutionDoesNotExistException.class, () -> client.describeExecution(b -> b
                .executionArn("arn:aws:states:us-east-1:000000000000:execution:lifeboat-local-count:nope")));
        for (String name : List.of("has space", "a:b", "a/b", "x".repeat(81), "tab\there", "curly{", "ctl\u0001")) {
            assertThrows(InvalidNameException.class,
                    () -> client.startExecution(b -> b.stateMachineArn(countArn).name(name)), name);
        }
        assertThrows(InvalidExecutionInputException.class,
                () -> client.startExecution(b -> b.stateMachineArn(countArn).input("{not json")));
        SfnException noArn = assertThrows(SfnException.class, () -> client.describeExecution(b -> { }));
        assertEquals("ValidationException", noArn.awsErrorDetails().errorCode());
    }

    @Test
    void stateMachinesAreListedAndDescribed() {
        List<String> names = client.listStateMachines(b -> { }).stateMachines().stream()
                .map(m -> m.name()).toList();
        assertEquals(List.of("lifeboat-local-count", "UnnamedStateMachine", "slow"), names);
        assertEquals(names, client.listStateMachinesPaginator(b -> b.maxResults(1)).stateMachines().stream()
                .map(m -> m.name()).toList());
        DescribeStateMachineResponse count = client.describeStateMachine(b -> b.stateMachineArn(countArn));
        assertEquals("lifeboat-local-count", count.name());
        assertEquals("STANDARD", count.typeAsString());
        assertEquals("ACTIVE", count.statusAsString());
        assertTrue(count.definition().contains(
                "\"Resource\": \"arn:aws:lambda:us-east-1:000000000000:function:CounterFunction:live\""),
                count.definition());
    }

    @Test
    void theWireIsAwsJson10WithErrorsInTheServiceShape() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(sfn.endpoint())
                .header("X-Amz-Target", "AWSStepFunctions.DescribeStateMachine")
                .header("Content-Type", "application/x-amz-json-1.0")
                .POST(HttpRequest.BodyPublishers.ofString("{\"stateMachineArn\":\"" + LocalStateMachine.arn("gone")
                        + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, missing.statusCode());
        assertEquals("application/x-amz-json-1.0", missing.headers().firstValue("Content-Type").orElseThrow());
        JsonNode error = JSON.readTree(missing.body());
        assertEquals("StateMachineDoesNotExist", error.path("__type").asText());
        assertEquals("State Machine Does Not Exist: '" + LocalStateMachine.arn("gone") + "'",
                error.path("message").asText());

        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(sfn.endpoint())
                .header("X-Amz-Target", "AWSStepFunctions.CreateStateMachine")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, unknown.statusCode());
        assertEquals("UnknownOperationException", JSON.readTree(unknown.body()).path("__type").asText());

        HttpResponse<String> started = http.send(HttpRequest.newBuilder(sfn.endpoint())
                .header("X-Amz-Target", "AWSStepFunctions.StartExecution")
                .POST(HttpRequest.BodyPublishers.ofString("{\"stateMachineArn\":\"" + countArn
                        + "\",\"name\":\"wire\",\"input\":\"{\\\"n\\\":2}\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, started.statusCode(), started.body());
        assertTrue(started.body().matches("\\{\"executionArn\":\"[^\"]+:wire\",\"startDate\":\\d{10}\\.\\d{3}}"),
                started.body());
        awaitEnd(JSON.readTree(started.body()).path("executionArn").asText());
    }

    @Test
    void aRefusedRunIsAFailedExecution() throws IOException {
        try (LocalStepFunctions typo = LocalStepFunctions.start(0, StepFunctionsLocal.fromRepository(lambdas),
                sfn.stateMachines(), ExecutionOptions.always(RunOptions.defaults().withWait("NoSuchState", 0)))) {
            typo.log(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            try (SfnClient other = SfnClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(typo.endpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                    .build()) {
                String arn = other.startExecution(b -> b.stateMachineArn(countArn)).executionArn();
                DescribeExecutionResponse done = awaitEnd(other, arn);
                assertEquals(ExecutionStatus.FAILED, done.status());
                assertEquals("States.Runtime", done.error());
                assertTrue(done.cause().contains("NoSuchState"), done.cause());
            }
        }
    }

    /** Waits until this JVM has {@code count} run-execution.mjs processes (tests run one at a time). */
    private static void awaitNodeRuns(int count) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        long running;
        while ((running = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("run-execution.mjs")).count()) != count) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(running + " run-execution.mjs processes, expected " + count);
            }
            Thread.sleep(20);
        }
    }

    private static DescribeExecutionResponse awaitEnd(String executionArn) {
        return awaitEnd(client, executionArn);
    }

    private static DescribeExecutionResponse awaitEnd(SfnClient sfnClient, String executionArn) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            DescribeExecutionResponse described = sfnClient.describeExecution(b -> b.executionArn(executionArn));
            if (described.status() != ExecutionStatus.RUNNING) {
                return described;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("still RUNNING after " + PATIENCE + ": " + described);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
