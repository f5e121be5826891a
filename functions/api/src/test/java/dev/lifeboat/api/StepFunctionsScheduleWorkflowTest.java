package dev.lifeboat.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.domain.vm.ApplyAction;
import dev.lifeboat.domain.vm.ScheduleWorkflow;
import dev.lifeboat.domain.vm.ScheduleWorkflow.ApplyRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The StartExecution adapter with the real SDK client against a local endpoint that speaks the Step Functions JSON
 * protocol (awsJson1_0, {@code X-Amz-Target: AWSStepFunctions.StartExecution}) and records each call.
 */
class StepFunctionsScheduleWorkflowTest {
    static final String ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:lifeboat-apply-schedule";

    record Call(String target, JsonNode body) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** What the endpoint answers: 200, 400 ExecutionAlreadyExists, or 500. */
    volatile int answer = 200;
    final AtomicInteger executions = new AtomicInteger();
    HttpServer server;
    SfnClient sfn;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            JsonNode body = Json.read(exchange.getRequestBody().readAllBytes());
            calls.add(new Call(exchange.getRequestHeaders().getFirst("X-Amz-Target"), body));
            String reply;
            int status = answer;
            if (status == 200) {
                reply = "{\"executionArn\":\"" + ARN.replace("stateMachine", "execution") + ":" + body.path("name").asText()
                        + "\",\"startDate\":" + (1795766400 + executions.incrementAndGet()) + "}";
            } else if (status == 400) {
                reply = "{\"__type\":\"com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists\",\"message\":\"Execution Already Exists\"}";
            } else {
                reply = "{\"__type\":\"InternalFailure\",\"message\":\"boom\"}";
            }
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        sfn = client(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    static SfnClient client(URI endpoint) {
        return SfnClient.builder().httpClient(UrlConnectionHttpClient.create()).endpointOverride(endpoint).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    }

    @AfterEach
    void stop() {
        sfn.close();
        server.stop(0);
    }

    @Test
    void startsTheStateMachineWithANameDerivedFromTheRequestAndNoSecrets() throws IOException {
        new StepFunctionsScheduleWorkflow(() -> sfn, ARN).start(new ApplyRequest("vm-web-01", "dc-madrid-1", 3, ApplyAction.APPLY));
        assertEquals(1, calls.size());
        Call call = calls.get(0);
        assertEquals("AWSStepFunctions.StartExecution", call.target());
        assertEquals(ARN, call.body().path("stateMachineArn").asText());
        String name = call.body().path("name").asText();
        assertTrue(name.startsWith("vm-web-01-") && name.endsWith("-c3-apply"), name);
        JsonNode input = Json.read(call.body().path("input").asText().getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"vm\":\"vm-web-01\",\"datacenter\":\"dc-madrid-1\",\"configVersion\":3,\"action\":\"APPLY\"}", input.toString());
    }

    @Test
    void aSecondStartOfTheSameRequestIsAcceptedAsAlreadyStarted() {
        var workflow = new StepFunctionsScheduleWorkflow(() -> sfn, ARN);
        ApplyRequest request = new ApplyRequest("vm-1", "dc1", 1, ApplyAction.REMOVE);
        workflow.start(request);
        answer = 400;
        workflow.start(request);
        assertEquals(2, calls.size());
        assertEquals(calls.get(0).body().path("name"), calls.get(1).body().path("name"), "the same request has the same name");
    }

    @Test
    void anUnreachableOrFailingServiceIsUnavailable() {
        answer = 500;
        var failing = new StepFunctionsScheduleWorkflow(() -> sfn, ARN);
        assertThrows(ScheduleWorkflow.Unavailable.class, () -> failing.start(new ApplyRequest("vm-1", "dc1", 1, ApplyAction.APPLY)));
        try (SfnClient closed = client(URI.create("http://127.0.0.1:1"))) {
            var unreachable = new StepFunctionsScheduleWorkflow(() -> closed, ARN);
            assertThrows(ScheduleWorkflow.Unavailable.class, () -> unreachable.start(new ApplyRequest("vm-1", "dc1", 1, ApplyAction.APPLY)));
        }
        var unconfigured = new StepFunctionsScheduleWorkflow(() -> { throw new AssertionError("no client is built without an ARN"); }, null);
        assertThrows(ScheduleWorkflow.Unavailable.class, () -> unconfigured.start(new ApplyRequest("vm-1", "dc1", 1, ApplyAction.APPLY)));
    }

    @Test
    void executionNamesFitStepFunctionsRulesAndNeverCollide() {
        String longId = "a:b.".repeat(32);
        String name = StepFunctionsScheduleWorkflow.executionName(new ApplyRequest(longId, "dc1", 123456789, ApplyAction.APPLY));
        assertTrue(name.length() <= StepFunctionsScheduleWorkflow.MAX_NAME, name);
        assertTrue(name.matches("[A-Za-z0-9._-]+"), name);
        assertTrue(name.endsWith("-c123456789-apply"), name);
        assertNotEquals(StepFunctionsScheduleWorkflow.executionName(new ApplyRequest("a:b", "dc1", 1, ApplyAction.APPLY)),
                StepFunctionsScheduleWorkflow.executionName(new ApplyRequest("a_b", "dc1", 1, ApplyAction.APPLY)));
        assertNotEquals(StepFunctionsScheduleWorkflow.executionName(new ApplyRequest("a", "dc1", 1, ApplyAction.APPLY)),
                StepFunctionsScheduleWorkflow.executionName(new ApplyRequest("a", "dc1", 1, ApplyAction.REMOVE)));
    }
}
