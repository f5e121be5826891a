package dev.lifeboat.local.sfn;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.local.LocalEnvironment;
import dev.lifeboat.workflowruntime.Execution;
import dev.lifeboat.workflowruntime.RunOptions;
import dev.lifeboat.workflowruntime.StepFunctionsLocal;
import dev.lifeboat.workflowruntime.StepFunctionsLocal.ExecutionTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local Step Functions endpoint: the service's JSON protocol (awsJson1_0: {@code POST /},
 * {@code X-Amz-Target: AWSStepFunctions.<Operation>}, {@code Content-Type: application/x-amz-json-1.0}) on
 * 127.0.0.1, running the registered state machines with {@link StepFunctionsLocal} (aws-local-stepfunctions on
 * Node 22, Lambda Tasks calling a local Lambda Invoke endpoint). Point {@code AWS_ENDPOINT_URL_SFN}, an SDK's
 * {@code endpointOverride} or {@code aws --endpoint-url} at {@link #endpoint()}.
 *
 * <p>Operations: StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution,
 * ListStateMachines, DescribeStateMachine. Errors are answered as the service answers them: HTTP 400 with
 * {@code {"__type": "<ErrorName>", "message": "..."}}.
 *
 * <p>Executions run asynchronously, at most {@code concurrency} at once (the rest wait, RUNNING, in order), and are
 * kept in memory only: a restart of the local runtime forgets them, and names can be used again.
 *
 * <pre>{@code
 * try (LocalStepFunctions sfn = LocalStepFunctions.start(3002, StepFunctionsLocal.fromRepository(lambdas),
 *         LocalStateMachine.fromTemplate(template, refs),
 *         ExecutionOptions.always(RunOptions.defaults().withWait("*", 2000)))) {
 *     URI endpoint = sfn.endpoint();
 * }
 * }</pre>
 */
public final class LocalStepFunctions implements AutoCloseable {
    static {
        // The JDK server writes headers and body apart; without TCP_NODELAY the client's delayed ACK adds ~40 ms to
        // each answer (as in LambdaInvokeServer and LocalHttpApi).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public static final int DEFAULT_PORT = 3002;
    public static final int DEFAULT_CONCURRENCY = 4;

    static final String TARGET_PREFIX = "AWSStepFunctions.";
    static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    /** Page sizes of the List/Get operations: 0 or absent means 100, at most 1000 (shape PageSize). */
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;
    /** Shape SensitiveData: the input may be at most 256 KiB. */
    private static final int MAX_INPUT_BYTES = 262_144;
    private static final Set<String> STATUSES = Set.of("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED",
            "PENDING_REDRIVE");
    private static final ObjectMapper JSON = new ObjectMapper()
            // Timestamps are epoch seconds with milliseconds as a JSON number: never 1.7E+9.
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private final HttpServer server;
    private final ExecutorService requests;
    private final ExecutorService runs;
    private final StepFunctionsLocal runner;
    private final ExecutionOptions options;
    private final Map<String, LocalStateMachine> stateMachines;
    private final Map<String, LocalExecution> executions = new ConcurrentHashMap<>();
    private final Object startLock = new Object();
    private final AtomicLong sequence = new AtomicLong();
    private volatile PrintStream log = System.err;

    private LocalStepFunctions(HttpServer server, ExecutorService requests, ExecutorService runs,
            StepFunctionsLocal runner, ExecutionOptions options, Map<String, LocalStateMachine> stateMachines) {
        this.server = server;
        this.requests = requests;
        this.runs = runs;
        this.runner = runner;
        this.options = options;
        this.stateMachines = stateMachines;
    }

    /** As {@link #start(int, StepFunctionsLocal, List, ExecutionOptions, int)} with 4 executions at once. */
    public static LocalStepFunctions start(int port, StepFunctionsLocal runner, List<LocalStateMachine> stateMachines,
            ExecutionOptions options) throws IOException {
        return start(port, runner, stateMachines, options, DEFAULT_CONCURRENCY);
    }

    /**
     * Starts serving on 127.0.0.1.
     *
     * @param port          {@code 0} for any free port ({@link #port()} tells which); the runtime's default is 3002
     * @param runner        runs one execution; its Lambda endpoint serves the Tasks' functions
     * @param stateMachines registered by name; two with one name are refused
     * @param options       Wait/retry overrides and time limit, per execution
     * @param concurrency   how many executions run at once (each is a Node process)
     * @throws IOException when the port is taken
     */
    public static LocalStepFunctions start(int port, StepFunctionsLocal runner, List<LocalStateMachine> stateMachines,
            ExecutionOptions options, int concurrency) throws IOException {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
        }
        Map<String, LocalStateMachine> byArn = new LinkedHashMap<>();
        for (LocalStateMachine machine : stateMachines) {
            if (byArn.put(machine.arn(), machine) != null) {
                throw new IllegalArgumentException("two state machines are named " + machine.name());
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService requests = Executors.newCachedThreadPool(daemon("local-sfn-request"));
        ExecutorService runs = Executors.newFixedThreadPool(concurrency, daemon("local-sfn-execution"));
        LocalStepFunctions sfn = new LocalStepFunctions(server, requests, runs, runner, options,
                Collections.unmodifiableMap(byArn));
        server.setExecutor(requests);
        server.createContext("/", sfn::handle);
        server.start();
        return sfn;
    }

    /** Where failures of the local machinery itself are reported (a run that could not start); stderr by default. */
    public LocalStepFunctions log(PrintStream stream) {
        this.log = stream;
        return this;
    }

    /** {@code http://127.0.0.1:PORT}: the value for {@code AWS_ENDPOINT_URL_SFN}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The registered state machines, in registration order. */
    public List<LocalStateMachine> stateMachines() {
        return List.copyOf(stateMachines.values());
    }

    /** Stops serving and kills the runs still going (their Node processes); the executions are forgotten. */
    @Override
    public void close() {
        server.stop(0);
        runs.shutdownNow();
        requests.shutdownNow();
        try {
            runs.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String requestId = UUID.randomUUID().toString();
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            ObjectNode answer;
            try {
                answer = dispatch(exchange);
            } catch (ServiceException e) {
                ObjectNode error = JSON.createObjectNode();
                error.put("__type", e.type());
                error.put("message", e.getMessage());
                // The SDKs also read the error name from this header when the body has none.
                exchange.getResponseHeaders().set("x-amzn-ErrorType", e.type());
                send(exchange, e.status(), error);
                return;
            } catch (RuntimeException e) {
                e.printStackTrace(log);
                ObjectNode error = JSON.createObjectNode();
                error.put("__type", "InternalFailure");
                error.put("message", "the local Step Functions endpoint failed: " + e);
                send(exchange, 500, error);
                return;
            }
            send(exchange, 200, answer);
        } finally {
            exchange.close();
        }
    }

    private ObjectNode dispatch(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (!"POST".equals(exchange.getRequestMethod()) || !"/".equals(exchange.getRequestURI().getPath())
                || target == null || !target.startsWith(TARGET_PREFIX)) {
            throw new ServiceException(404, "UnknownOperationException", "Unknown operation: "
                    + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    + (target == null ? " without X-Amz-Target" : " " + target));
        }
        byte[] bytes = exchange.getRequestBody().readAllBytes();
        JsonNode body;
        try {
            body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ServiceException("SerializationException", "the request body is not JSON: "
                    + e.getOriginalMessage());
        }
        if (!body.isObject()) {
            throw new ServiceException("SerializationException", "the request body must be a JSON object");
        }
        return switch (target.substring(TARGET_PREFIX.length())) {
            case "StartExecution" -> startExecution(body);
            case "DescribeExecution" -> describeExecution(body);
            case "ListExecutions" -> listExecutions(body);
            case "GetExecutionHistory" -> getExecutionHistory(body);
            case "StopExecution" -> stopExecution(body);
            case "ListStateMachines" -> listStateMachines(body);
            case "DescribeStateMachine" -> describeStateMachine(body);
            default -> throw new ServiceException("UnknownOperationException", "Operation "
                    + target.substring(TARGET_PREFIX.length()) + " is not supported by the local Step Functions "
                    + "endpoint");
        };
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    // ---- Operations ----------------------------------------------------------------------------------------------

    /**
     * As the API reference describes StartExecution for STANDARD workflows: the same name and input as a RUNNING
     * execution succeeds with that execution's answer; the same name with another input, or the name of an execution
     * that has ended, is {@code ExecutionAlreadyExists} (in AWS for 90 days; here until the runtime restarts).
     */
    private ObjectNode startExecution(JsonNode body) {
        LocalStateMachine machine = stateMachine(required(body, "stateMachineArn"));
        String name = text(body, "name");
        if (name == null) {
            name = UUID.randomUUID().toString();
        } else if (!Names.valid(name)) {
            throw new ServiceException("InvalidName", "Invalid Name: '" + name + "'");
        }
        String input = text(body, "input");
        if (input == null) {
            // "{}": what the API reference tells callers without input to send ("you still must include the two
            // braces"), so the run and DescribeExecution see an object, never nothing.
            input = "{}";
        }
        if (input.getBytes(StandardCharsets.UTF_8).length > MAX_INPUT_BYTES) {
            throw ServiceException.validation("input", "[...]", "Member must have length less than or equal to "
                    + MAX_INPUT_BYTES);
        }
        JsonNode parsedInput;
        try {
            parsedInput = JSON.readTree(input);
        } catch (JsonProcessingException e) {
            parsedInput = null;
        }
        if (parsedInput == null || parsedInput.isMissingNode()) {
            throw new ServiceException("InvalidExecutionInput", "Invalid State Machine Execution Input: '"
                    + input + "'");
        }
        LocalExecution execution;
        // Check and insert under one lock: two concurrent starts of one name must not both run. "Same input" is the
        // same text, as the caller sent it.
        synchronized (startLock) {
            String arn = machine.executionArn(name);
            LocalExecution existing = executions.get(arn);
            if (existing != null) {
                if (existing.running() && existing.input.equals(input)) {
                    return started(existing);
                }
                throw new ServiceException("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
            }
            execution = new LocalExecution(sequence.incrementAndGet(), machine, name, input, Instant.now());
            executions.put(arn, execution);
        }
        JsonNode runInput = parsedInput;
        try {
            execution.runAs(runs.submit(() -> run(execution, runInput)));
        } catch (RejectedExecutionException e) {
            execution.finish(LocalExecution.Status.FAILED, "States.Runtime", "the local endpoint is shutting down",
                    null);
        }
        return started(execution);
    }

    private static ObjectNode started(LocalExecution execution) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("executionArn", execution.arn);
        answer.put("startDate", seconds(execution.startDate));
        return answer;
    }

    private void run(LocalExecution execution, JsonNode input) {
        if (!execution.running()) {
            return; // stopped while it waited for a free slot
        }
        try {
            RunOptions runOptions = options.forExecution(execution.stateMachine, execution.name)
                    .withName(execution.name);
            Execution result = runner.run(execution.stateMachine.definition(), input, runOptions);
            execution.finish(result);
        } catch (ExecutionTimeoutException e) {
            // The local time limit of RunOptions, not the definition's TimeoutSeconds (that one is a TIMED_OUT
            // result): reported the same way, with the local reason as the cause.
            execution.finish(LocalExecution.Status.TIMED_OUT, "States.Timeout", e.getMessage(),
                    e.partial().orElse(null));
        } catch (InterruptedIOException e) {
            // StopExecution interrupted it: the execution is already ABORTED.
            execution.finish(LocalExecution.Status.ABORTED, null, null, null);
        } catch (IOException | RuntimeException e) {
            // Node missing, the script refusing the request (an override naming no such state): the service's
            // error for a failure of the machinery itself.
            if (execution.finish(LocalExecution.Status.FAILED, "States.Runtime", e.getMessage(), null)) {
                log.println("[local-sfn] execution " + execution.arn + " could not run: " + e);
            }
        }
    }

    private ObjectNode describeExecution(JsonNode body) {
        LocalExecution.View view = execution(required(body, "executionArn")).view();
        boolean data = !"METADATA_ONLY".equals(text(body, "includedData"));
        ObjectNode answer = JSON.createObjectNode();
        answer.put("executionArn", view.arn());
        answer.put("stateMachineArn", view.stateMachine().arn());
        answer.put("name", view.name());
        answer.put("status", view.status().name());
        answer.put("startDate", seconds(view.startDate()));
        if (view.stopDate() != null) {
            answer.put("stopDate", seconds(view.stopDate()));
        }
        if (data) {
            answer.put("input", view.input());
            answer.putObject("inputDetails").put("included", true);
            if (view.output() != null) {
                answer.put("output", view.output());
                answer.putObject("outputDetails").put("included", true);
            }
        }
        // Absent rather than null when there is none, as AWS answers (github.com/floci-io/floci/issues/2965).
        if (view.error() != null) {
            answer.put("error", view.error());
        }
        if (view.cause() != null) {
            answer.put("cause", view.cause());
        }
        return answer;
    }

    /** Newest first, as the service sorts them; the page token is the position after the last one returned. */
    private ObjectNode listExecutions(JsonNode body) {
        String machineArn = text(body, "stateMachineArn");
        if (machineArn == null) {
            throw new ServiceException("ValidationException", text(body, "mapRunArn") != null
                    ? "mapRunArn is not supported by the local Step Functions endpoint (no Distributed Map)"
                    : "Must provide a StateMachine ARN or MapRun ARN");
        }
        LocalStateMachine machine = stateMachine(machineArn);
        String statusFilter = text(body, "statusFilter");
        if (statusFilter != null && !STATUSES.contains(statusFilter)) {
            throw ServiceException.validation("statusFilter", statusFilter,
                    "Member must satisfy enum value set: " + STATUSES);
        }
        boolean onlyRedriven = "REDRIVEN".equals(text(body, "redriveFilter")); // nothing is ever redriven here
        int pageSize = pageSize(body);
        long after = token(body, "e");
        List<LocalExecution.View> matching = executions.values().stream()
                .filter(e -> e.stateMachine.arn().equals(machine.arn()))
                .filter(e -> after == 0 || e.sequence < after)
                .sorted(Comparator.comparingLong((LocalExecution e) -> e.sequence).reversed())
                .map(LocalExecution::view)
                .filter(view -> statusFilter == null || view.status().name().equals(statusFilter))
                .filter(view -> !onlyRedriven)
                .limit(pageSize + 1L)
                .toList();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("executions");
        for (LocalExecution.View view : matching.subList(0, Math.min(pageSize, matching.size()))) {
            ObjectNode item = list.addObject();
            item.put("executionArn", view.arn());
            item.put("stateMachineArn", view.stateMachine().arn());
            item.put("name", view.name());
            item.put("status", view.status().name());
            item.put("startDate", seconds(view.startDate()));
            if (view.stopDate() != null) {
                item.put("stopDate", seconds(view.stopDate()));
            }
        }
        if (matching.size() > pageSize) {
            answer.put("nextToken", token("e", matching.get(pageSize - 1).sequence()));
        }
        return answer;
    }

    private ObjectNode getExecutionHistory(JsonNode body) {
        LocalExecution execution = execution(required(body, "executionArn"));
        int pageSize = pageSize(body);
        boolean reverse = bool(body, "reverseOrder", false);
        boolean data = bool(body, "includeExecutionData", true);
        long from = token(body, "h");
        List<ObjectNode> history = new ArrayList<>(execution.history());
        if (reverse) {
            Collections.reverse(history);
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode events = answer.putArray("events");
        int end = (int) Math.min(history.size(), from + pageSize);
        for (int i = (int) Math.min(from, history.size()); i < end; i++) {
            events.add(rendered(history.get(i), data));
        }
        if (end < history.size()) {
            answer.put("nextToken", token("h", end));
        }
        return answer;
    }

    /** Timestamps in epoch seconds; without execution data, the details lose their input and output. */
    private static ObjectNode rendered(ObjectNode event, boolean data) {
        ObjectNode out = event.deepCopy();
        out.put("timestamp", BigDecimal.valueOf(event.path("timestamp").asLong(), 3));
        if (!data) {
            event.fields().forEachRemaining(field -> {
                if (field.getKey().endsWith("EventDetails") && field.getValue().isObject()) {
                    ObjectNode details = (ObjectNode) out.get(field.getKey());
                    details.remove("input");
                    details.remove("output");
                }
            });
        }
        return out;
    }

    /**
     * Stops a running execution: ABORTED with the caller's error and cause. An execution that has already ended is
     * left as it is, and its stopDate is answered (what AWS answers then is not documented; nothing is changed).
     */
    private ObjectNode stopExecution(JsonNode body) {
        LocalExecution execution = execution(required(body, "executionArn"));
        String error = text(body, "error");
        String cause = text(body, "cause");
        if (error != null && error.length() > 256) {
            throw ServiceException.validation("error", error, "Member must have length less than or equal to 256");
        }
        if (cause != null && cause.length() > 32_768) {
            throw ServiceException.validation("cause", "[...]",
                    "Member must have length less than or equal to 32768");
        }
        execution.stop(error, cause);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("stopDate", seconds(execution.view().stopDate()));
        return answer;
    }

    private ObjectNode listStateMachines(JsonNode body) {
        int pageSize = pageSize(body);
        long from = token(body, "m");
        List<LocalStateMachine> all = stateMachines();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("stateMachines");
        int end = (int) Math.min(all.size(), from + pageSize);
        for (int i = (int) Math.min(from, all.size()); i < end; i++) {
            LocalStateMachine machine = all.get(i);
            ObjectNode item = list.addObject();
            item.put("stateMachineArn", machine.arn());
            item.put("name", machine.name());
            item.put("type", machine.type());
            item.put("creationDate", seconds(machine.creationDate()));
        }
        if (end < all.size()) {
            answer.put("nextToken", token("m", end));
        }
        return answer;
    }

    private ObjectNode describeStateMachine(JsonNode body) {
        LocalStateMachine machine = stateMachine(required(body, "stateMachineArn"));
        ObjectNode answer = JSON.createObjectNode();
        answer.put("stateMachineArn", machine.arn());
        answer.put("name", machine.name());
        answer.put("status", "ACTIVE");
        answer.put("definition", machine.definition());
        answer.put("roleArn", machine.roleArn());
        answer.put("type", machine.type());
        answer.put("creationDate", seconds(machine.creationDate()));
        return answer;
    }

    // ---- Lookups and parameters ----------------------------------------------------------------------------------

    private LocalStateMachine stateMachine(String arn) {
        checkArn(arn, "stateMachine");
        LocalStateMachine machine = stateMachines.get(arn);
        if (machine == null) {
            String[] parts = arn.split(":");
            // A region or account other than the local runtime's is the usual local mistake: said after the
            // service's own message.
            boolean elsewhere = !LocalEnvironment.REGION.equals(parts[3]) || !LocalEnvironment.ACCOUNT.equals(parts[4]);
            throw new ServiceException("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'"
                    + (elsewhere ? " (local state machines are in region " + LocalEnvironment.REGION + ", account "
                    + LocalEnvironment.ACCOUNT + ")" : ""));
        }
        return machine;
    }

    private LocalExecution execution(String arn) {
        checkArn(arn, "execution");
        LocalExecution execution = executions.get(arn);
        if (execution == null) {
            throw new ServiceException("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
        }
        return execution;
    }

    /**
     * {@code arn:<partition>:states:<region>:<account>:<resourceType>:<name>...}; anything else is {@code InvalidArn}.
     * The messages follow the service's ({@code Invalid Arn: 'Resource type not valid in this context: ...'}).
     */
    private static void checkArn(String arn, String resourceType) {
        String[] parts = arn.split(":", 7);
        if (parts.length < 7 || !"arn".equals(parts[0]) || !"states".equals(parts[2]) || parts[6].isEmpty()) {
            throw new ServiceException("InvalidArn", "Invalid Arn: '" + arn + "'");
        }
        if (!resourceType.equals(parts[5])) {
            throw new ServiceException("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: "
                    + parts[5] + "'");
        }
    }

    private static String required(JsonNode body, String member) {
        String value = text(body, member);
        if (value == null) {
            throw ServiceException.validation(member, null, "Member must not be null");
        }
        if (value.isEmpty() || value.length() > 256) {
            throw ServiceException.validation(member, value, "Member must have length between 1 and 256");
        }
        return value;
    }

    private static String text(JsonNode body, String member) {
        JsonNode value = body.get(member);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ServiceException("SerializationException", member + " must be a string");
        }
        return value.asText();
    }

    private static boolean bool(JsonNode body, String member, boolean fallback) {
        JsonNode value = body.get(member);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new ServiceException("SerializationException", member + " must be a boolean");
        }
        return value.asBoolean();
    }

    private static int pageSize(JsonNode body) {
        JsonNode value = body.get("maxResults");
        if (value == null || value.isNull()) {
            return DEFAULT_PAGE;
        }
        if (!value.canConvertToInt()) {
            throw new ServiceException("SerializationException", "maxResults must be an integer");
        }
        int size = value.asInt();
        if (size < 0 || size > MAX_PAGE) {
            throw ServiceException.validation("maxResults", size, size < 0
                    ? "Member must have value greater than or equal to 0"
                    : "Member must have value less than or equal to " + MAX_PAGE);
        }
        return size == 0 ? DEFAULT_PAGE : size;
    }

    /** Page tokens are opaque to callers: {@code base64url("<kind>:<position>")}; 0 when there is none. */
    private static long token(JsonNode body, String kind) {
        String token = text(body, "nextToken");
        if (token == null) {
            return 0;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.startsWith(kind + ":")) {
                long position = Long.parseLong(decoded.substring(kind.length() + 1));
                if (position > 0) {
                    return position;
                }
            }
        } catch (IllegalArgumentException e) {
            // Not base64 or not a number: the same answer as any other foreign token.
        }
        throw new ServiceException("InvalidToken", "Invalid Token: '" + token + "'");
    }

    private static String token(String kind, long position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((kind + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    /** The service's timestamps: epoch seconds with milliseconds, as a JSON number. */
    private static BigDecimal seconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
