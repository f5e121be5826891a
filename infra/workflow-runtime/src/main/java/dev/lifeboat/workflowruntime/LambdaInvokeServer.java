package dev.lifeboat.workflowruntime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API on 127.0.0.1, as the AWS SDKs call it, in front of handlers of this JVM: point
 * {@code AWS_ENDPOINT_URL_LAMBDA} at {@link #endpoint()} and a Step Functions Task (or any SDK client) runs the real
 * {@link RequestStreamHandler}.
 *
 * <ul>
 *   <li>{@code POST /2015-03-31/functions/{FunctionName}/invocations}, where FunctionName is a name, {@code
 *       name:qualifier}, a full ARN {@code arn:aws:lambda:region:account:function:name[:qualifier]} or a partial one
 *       {@code account:function:name}; the qualifier is ignored (every function is {@code $LATEST}).</li>
 *   <li>{@code X-Amz-Invocation-Type}: {@code RequestResponse} (default) answers 200 with the handler's output;
 *       {@code Event} answers 202 and runs the handler in the background; {@code DryRun} answers 204.</li>
 *   <li>A handler that throws: 200 with {@code X-Amz-Function-Error: Unhandled} and the error document of the Java
 *       runtime. Step Functions matches {@code Retry}/{@code Catch} on its {@code errorType}.</li>
 *   <li>An unregistered function: 404 {@code ResourceNotFoundException}, in the service's own format.</li>
 * </ul>
 *
 * Invocations run concurrently (a Map state calls one function many times at once): each on its own thread, so a
 * registered handler must be thread-safe, as one warm Lambda instance per concurrent call would not need to be.
 */
public final class LambdaInvokeServer implements AutoCloseable {
    static {
        // The JDK server writes headers and body apart; without TCP_NODELAY the client's delayed ACK adds ~40 ms to
        // each answer (measured on the simulators, infra/simulators/common). Read once, when the server first loads.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** The region and account that ARNs in this server's messages carry; neither is checked on the way in. */
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    /** Lambda's own maximum, and what {@code Context.getRemainingTimeInMillis()} counts down from by default. */
    public static final Duration DEFAULT_FUNCTION_TIMEOUT = Duration.ofMinutes(15);

    private static final Pattern INVOKE_PATH = Pattern.compile("^/2015-03-31/functions/([^/]+)/invocations/?$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Function> functions = new ConcurrentHashMap<>();

    private record Function(String name, RequestStreamHandler handler, Duration timeout) {}

    private LambdaInvokeServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts on a free port of 127.0.0.1. */
    public static LambdaInvokeServer start() throws IOException {
        return start(0);
    }

    /** Starts on 127.0.0.1:{@code port} ({@code 0}: any free port). */
    public static LambdaInvokeServer start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "lambda-invoke");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        LambdaInvokeServer invokeServer = new LambdaInvokeServer(server, executor);
        server.createContext("/", invokeServer::handle);
        server.start();
        return invokeServer;
    }

    /** Serves {@code handler} as the function {@code functionName}, with the default timeout; replaces any before. */
    public LambdaInvokeServer register(String functionName, RequestStreamHandler handler) {
        return register(functionName, handler, DEFAULT_FUNCTION_TIMEOUT);
    }

    /** As {@link #register(String, RequestStreamHandler)}; {@code timeout} only sets what the context reports. */
    public LambdaInvokeServer register(String functionName, RequestStreamHandler handler, Duration timeout) {
        if (functionName == null || functionName.isEmpty() || functionName.contains(":") || functionName.contains("/")) {
            throw new IllegalArgumentException("a function name, without qualifier or ARN: " + functionName);
        }
        functions.put(functionName, new Function(functionName, handler, timeout));
        return this;
    }

    /** {@code http://127.0.0.1:PORT}: the value for {@code AWS_ENDPOINT_URL_LAMBDA}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The ARN of a function name here, as {@code Context.getInvokedFunctionArn()} and the 404 message give it. */
    public static String functionArn(String functionName) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + functionName;
    }

    /** The full ARN of an Invoke path's FunctionName, in any of its forms, qualifier kept. */
    static String invokedArn(String functionNameOrArn) {
        if (functionNameOrArn.startsWith("arn:")) {
            return functionNameOrArn;
        }
        return functionNameOrArn.contains(":function:") ? "arn:aws:lambda:" + REGION + ":" + functionNameOrArn
                : functionArn(functionNameOrArn);
    }

    /**
     * The function name inside an Invoke path's FunctionName: {@code name}, {@code name:qualifier},
     * {@code arn:aws:lambda:region:account:function:name[:qualifier]} or {@code account:function:name[:qualifier]}.
     */
    static String functionName(String functionNameOrArn) {
        int marker = functionNameOrArn.indexOf(":function:");
        String rest = marker >= 0 ? functionNameOrArn.substring(marker + ":function:".length()) : functionNameOrArn;
        int qualifier = rest.indexOf(':');
        return qualifier >= 0 ? rest.substring(0, qualifier) : rest;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            // getPath() is decoded: the SDKs send an ARN's colons as %3A.
            Matcher path = INVOKE_PATH.matcher(exchange.getRequestURI().getPath());
            if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
                serviceError(exchange, 404, "UnknownOperationException", "Unknown operation "
                        + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
                return;
            }
            String requested = path.group(1);
            Function function = functions.get(functionName(requested));
            if (function == null) {
                // The real service names the function by its full ARN, qualifier kept, e.g.
                // {"Message":"Function not found: arn:aws:lambda:us-east-1:111:function:f:active","Type":"User"}
                // (a 404 quoted in github.com/aarondfrancis/sidecar/issues/23).
                serviceError(exchange, 404, "ResourceNotFoundException",
                        "Function not found: " + invokedArn(requested));
                return;
            }
            byte[] payload = exchange.getRequestBody().readAllBytes();
            String invocationType = headerOr(exchange, "X-Amz-Invocation-Type", "RequestResponse");
            String requestId = UUID.randomUUID().toString();
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            switch (invocationType) {
                case "RequestResponse" -> {
                    Result result = invoke(function, requested, requestId, payload);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
                    if (result.error()) {
                        exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                    }
                    send(exchange, 200, result.body());
                }
                case "Event" -> {
                    // Accepted at once, as the service queues it; a failure shows only on stderr, as in CloudWatch.
                    executor.execute(() -> {
                        Result result = invoke(function, requested, requestId, payload);
                        if (result.error()) {
                            System.err.println("[" + function.name() + "] asynchronous invocation " + requestId
                                    + " failed: " + new String(result.body(), StandardCharsets.UTF_8));
                        }
                    });
                    send(exchange, 202, new byte[0]);
                }
                case "DryRun" -> send(exchange, 204, null);
                default -> serviceError(exchange, 400, "InvalidParameterValueException",
                        "Unsupported invocation type " + invocationType);
            }
        } finally {
            exchange.close();
        }
    }

    private record Result(boolean error, byte[] body) {}

    private Result invoke(Function function, String requested, String requestId, byte[] payload) {
        InvocationContext context = new InvocationContext(function.name(), invokedArn(requested), requestId,
                function.timeout());
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream input = new ByteArrayInputStream(payload)) {
            function.handler().handleRequest(input, output, context);
            return new Result(false, output.toByteArray());
        } catch (Throwable thrown) {
            // Errors too: the Java runtime reports an AssertionError or StackOverflowError from a handler the same way.
            return new Result(true, errorDocument(thrown));
        }
    }

    /**
     * The error document of the AWS Java runtime (aws-lambda-java-runtime-interface-client,
     * {@code LambdaErrorConverter.fromThrowable}): errorType is {@code throwable.getClass().getName()}, the fully
     * qualified name ({@code Outer$Inner} for a nested class), and errorMessage the message or, when there is none,
     * that class name again; AWS's "Lambda function errors in Java" page shows the same shape
     * (docs.aws.amazon.com/lambda/latest/dg/java-exceptions.html, e.g. "errorType": "java.lang.RuntimeException").
     * Step Functions matches ErrorEquals on errorType, so workflows name Java exceptions by their full class name.
     * The stack trace is left empty: it would only fill event logs.
     */
    static byte[] errorDocument(Throwable thrown) {
        ObjectNode error = JSON.createObjectNode();
        String message = thrown.getLocalizedMessage();
        error.put("errorType", thrown.getClass().getName());
        error.put("errorMessage", message == null ? thrown.getClass().getName() : message);
        error.putArray("stackTrace");
        return toBytes(error);
    }

    private static void serviceError(HttpExchange exchange, int status, String type, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Type", "User");
        body.put("Message", message);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        send(exchange, status, toBytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        // 0 would mean chunked to the JDK server; an empty answer needs -1.
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    private static String headerOr(HttpExchange exchange, String name, String fallback) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static byte[] toBytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
