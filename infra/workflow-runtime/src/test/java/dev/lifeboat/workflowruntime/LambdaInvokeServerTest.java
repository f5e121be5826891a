package dev.lifeboat.workflowruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Invoke API as an SDK calls it, through the JDK's HttpClient (no AWS SDK here). */
@Timeout(30)
class LambdaInvokeServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LambdaInvokeServer server;

    @BeforeEach
    void start() throws IOException {
        server = LambdaInvokeServer.start();
        server.register("echo", JsonHandler.of((input, context) -> Map.of(
                "function", context.getFunctionName(),
                "arn", context.getInvokedFunctionArn(),
                "requestId", context.getAwsRequestId(),
                "remainingMillis", context.getRemainingTimeInMillis(),
                "input", input)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyFormOfFunctionNameReachesTheRegisteredHandler() throws Exception {
        // each form, and the ARN that the handler's context reports as invoked
        Map<String, String> forms = Map.of(
                "echo", "arn:aws:lambda:us-east-1:123456789012:function:echo",
                "echo:live", "arn:aws:lambda:us-east-1:123456789012:function:echo:live",
                "echo:$LATEST", "arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST",
                "arn:aws:lambda:us-east-1:123456789012:function:echo", "arn:aws:lambda:us-east-1:123456789012:function:echo",
                "arn:aws:lambda:eu-west-1:111122223333:function:echo:7", "arn:aws:lambda:eu-west-1:111122223333:function:echo:7",
                "111122223333:function:echo", "arn:aws:lambda:us-east-1:111122223333:function:echo");
        for (String form : forms.keySet()) {
            for (boolean encoded : new boolean[] {true, false}) {
                String segment = encoded ? URLEncoder.encode(form, StandardCharsets.UTF_8) : form.replace("$", "%24");
                HttpResponse<String> answer = invoke(segment, "{\"vm\":\"vm-1\"}", Map.of());
                assertEquals(200, answer.statusCode(), form + ": " + answer.body());
                JsonNode body = JSON.readTree(answer.body());
                assertEquals("echo", body.path("function").asText(), form);
                assertEquals(forms.get(form), body.path("arn").asText(), form);
                assertEquals("vm-1", body.path("input").path("vm").asText());
                assertEquals(answer.headers().firstValue("x-amzn-RequestId").orElseThrow(),
                        body.path("requestId").asText());
                long remaining = body.path("remainingMillis").asLong();
                assertTrue(remaining > 0 && remaining <= Duration.ofMinutes(15).toMillis(), "remaining " + remaining);
                assertEquals("$LATEST", answer.headers().firstValue("X-Amz-Executed-Version").orElseThrow());
                assertTrue(answer.headers().firstValue("X-Amz-Function-Error").isEmpty());
            }
        }
    }

    @Test
    void anExceptionIsAnUnhandledFunctionErrorNamedByItsFullClassName() throws Exception {
        server.register("transient", JsonHandler.of((input, context) -> {
            throw new SomethingTransient("backup server busy");
        }));
        server.register("nested", JsonHandler.of((input, context) -> {
            throw new Nested();
        }));
        server.register("checked", (in, out, context) -> {
            throw new IOException("disk full");
        });
        assertFunctionError("transient", "dev.lifeboat.workflowruntime.SomethingTransient", "backup server busy");
        // A nested class keeps its binary name, and no message falls back to that name, as the Java runtime does.
        assertFunctionError("nested", "dev.lifeboat.workflowruntime.LambdaInvokeServerTest$Nested",
                "dev.lifeboat.workflowruntime.LambdaInvokeServerTest$Nested");
        assertFunctionError("checked", "java.io.IOException", "disk full");
    }

    static final class Nested extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private void assertFunctionError(String function, String errorType, String errorMessage) throws Exception {
        HttpResponse<String> answer = invoke(function, "{}", Map.of());
        assertEquals(200, answer.statusCode(), "a function error is still a successful Invoke call");
        assertEquals("Unhandled", answer.headers().firstValue("X-Amz-Function-Error").orElseThrow());
        JsonNode body = JSON.readTree(answer.body());
        assertEquals(errorType, body.path("errorType").asText());
        assertEquals(errorMessage, body.path("errorMessage").asText());
        assertTrue(body.path("stackTrace").isArray() && body.path("stackTrace").isEmpty(), answer.body());
    }

    @Test
    void anUnknownFunctionIsA404ResourceNotFoundException() throws Exception {
        HttpResponse<String> byName = invoke("nope", "{}", Map.of());
        assertEquals(404, byName.statusCode());
        assertEquals("ResourceNotFoundException", byName.headers().firstValue("x-amzn-ErrorType").orElseThrow());
        assertEquals(JSON.readTree("{\"Type\":\"User\",\"Message\":"
                        + "\"Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope\"}"),
                JSON.readTree(byName.body()));

        String arn = "arn:aws:lambda:eu-west-1:111122223333:function:nope:live";
        HttpResponse<String> byArn = invoke(URLEncoder.encode(arn, StandardCharsets.UTF_8), "{}", Map.of());
        assertEquals(404, byArn.statusCode());
        assertEquals("Function not found: " + arn, JSON.readTree(byArn.body()).path("Message").asText());
    }

    @Test
    void anEventInvocationIsAcceptedAtOnceAndRunsInTheBackground() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        server.register("slow", JsonHandler.of((input, context) -> {
            release.await(10, TimeUnit.SECONDS);
            ran.countDown();
            return Map.of();
        }));
        HttpResponse<String> answer = invoke("slow", "{}", Map.of("X-Amz-Invocation-Type", "Event"));
        assertEquals(202, answer.statusCode());
        assertEquals("", answer.body());
        release.countDown();
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the handler ran after the answer");

        assertEquals(204, invoke("echo", "{}", Map.of("X-Amz-Invocation-Type", "DryRun")).statusCode());
        HttpResponse<String> odd = invoke("echo", "{}", Map.of("X-Amz-Invocation-Type", "Sometime"));
        assertEquals(400, odd.statusCode());
        assertEquals("InvalidParameterValueException", odd.headers().firstValue("x-amzn-ErrorType").orElseThrow());
    }

    @Test
    void invocationsRunConcurrently() throws Exception {
        CyclicBarrier allFourAtOnce = new CyclicBarrier(4);
        server.register("together", JsonHandler.of((input, context) -> {
            allFourAtOnce.await(10, TimeUnit.SECONDS); // throws unless four calls are inside the handler together
            return input;
        }));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(HTTP.sendAsync(request("together", "{\"i\":" + i + "}", Map.of()),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> answer = answers.get(i).get(20, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("{\"i\":" + i + "}", answer.body());
        }
    }

    @Test
    void otherPathsAndMethodsAreUnknownOperations() throws Exception {
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(
                        server.endpoint().resolve("/2015-03-31/functions/echo/invocations")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, get.statusCode());
        assertEquals("UnknownOperationException", get.headers().firstValue("x-amzn-ErrorType").orElseThrow());
        HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(server.endpoint().resolve("/2015-03-31/functions"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, other.statusCode());
    }

    @Test
    void registrationTakesPlainNamesOnly() {
        for (String bad : new String[] {"", "echo:live", "arn:aws:lambda:us-east-1:1:function:echo", "a/b"}) {
            assertThrows(IllegalArgumentException.class, () -> server.register(bad, (in, out, c) -> { }), bad);
        }
    }

    @Test
    void functionNamesFromEveryForm() {
        assertEquals("f", LambdaInvokeServer.functionName("f"));
        assertEquals("f", LambdaInvokeServer.functionName("f:1"));
        assertEquals("f", LambdaInvokeServer.functionName("arn:aws:lambda:us-east-1:123456789012:function:f"));
        assertEquals("f", LambdaInvokeServer.functionName("arn:aws:lambda:us-east-1:123456789012:function:f:alias"));
        assertEquals("f", LambdaInvokeServer.functionName("123456789012:function:f"));
        assertEquals(URI.create("http://127.0.0.1:" + server.port()), server.endpoint());
    }

    private HttpResponse<String> invoke(String pathSegment, String payload, Map<String, String> headers)
            throws IOException, InterruptedException {
        return HTTP.send(request(pathSegment, payload, headers), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String pathSegment, String payload, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(
                        URI.create(server.endpoint() + "/2015-03-31/functions/" + pathSegment + "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(payload));
        headers.forEach(builder::header);
        return builder.build();
    }
}
