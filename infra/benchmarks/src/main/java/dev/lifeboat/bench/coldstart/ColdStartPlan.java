package dev.lifeboat.bench.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.local.LocalEnvironment;
import dev.lifeboat.local.template.FunctionDef;
import dev.lifeboat.local.template.HttpApiEvent;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.plugin.Command;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Operation;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.secrets.FileSecretStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the benchmark starts, read from template.yaml: one unit per distinct handler class, with the function's jar
 * ({@code CodeUri}), memory, environment (resolved as the local runtime resolves it, pointed at the local DynamoDB) and a
 * realistic first event, plus the baseline. A function the plan cannot build an event for fails the plan, so a new
 * function is never left out silently.
 *
 * <ul>
 *   <li>API functions ({@code HttpApi} events): an API Gateway payload 2.0 event for the function's first GET route,
 *       with ids nothing has (a 404, or an empty list) and a caller holding every privilege, so the request goes
 *       through authorisation to DynamoDB and back. Read-only.</li>
 *   <li>The VM registry ({@code EventBridgeRule} for {@code VirtualMachineStateChanged}): a platform event for a VM
 *       new in each sample (one PutItem and its reads).</li>
 *   <li>Plugins (the functions named by a {@code PLUGIN_FUNCTION_<TYPE>} variable): {@code CHECK_CONNECTION} of a
 *       manager of that type on a loopback endpoint (the benchmark's {@link RefusingBackupSystem}, which refuses the
 *       credentials at once; a closed port when none is given), with its password in the file secret store: the
 *       plugin reads the secret, builds its HTTP client, sends its logon and answers (a handled request).</li>
 *   <li>Any other function (the workflow tasks): {@code {"task":"sync.datacenters"}}, a query of the table.</li>
 * </ul>
 */
public final class ColdStartPlan {
    static final String BASELINE_HANDLER = "dev.lifeboat.bench.baseline.BaselineHandler::handleRequest";
    static final String BASELINE_JAR = "infra/benchmarks/baseline-lambda/target/baseline-lambda.jar";
    /** A closed loopback port: connections are refused at once. */
    static final String CLOSED = "https://127.0.0.1:1/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)\\+?}");
    private static final Pattern PLUGIN_VARIABLE = Pattern.compile("PLUGIN_FUNCTION_([A-Z_]+)");

    /** What a first answer must look like for the sample to count. */
    public interface Check extends Predicate<ColdStart.Sample> {}

    /**
     * @param name   the function's logical id (or {@code baseline})
     * @param events the event of sample n
     * @param check  whether an answer is the expected one (a 500 or an unexpected error means the figure measures a
     *               failure, and the run stops)
     */
    public record Unit(String name, String handler, Path jar, int memoryMb, Map<String, String> environment,
                       IntFunction<byte[]> events, Check check, String expected) {
        ColdStart.Launch launch(int sample) {
            return new ColdStart.Launch(name, jar, handler, memoryMb, environment, events.apply(sample));
        }

        String handlerClass() {
            int separator = handler.indexOf("::");
            return separator < 0 ? handler : handler.substring(0, separator);
        }
    }

    private ColdStartPlan() {}

    /**
     * @param root       the repository (CodeUri paths are relative to it)
     * @param table      the local table's name (the template's table resolves to it)
     * @param dynamodb   the local DynamoDB endpoint
     * @param secretsDir the file secret store of the plugins
     */
    public static List<Unit> units(Path root, SamTemplate template, String table, String dynamodb, Path secretsDir) {
        return units(root, template, table, dynamodb, secretsDir, CLOSED);
    }

    /** @param backupSystem the endpoint of the plugins' managers */
    public static List<Unit> units(Path root, SamTemplate template, String table, String dynamodb, Path secretsDir,
                                   String backupSystem) {
        Map<String, String> refs = refs(template, table, secretsDir);
        Map<String, String> runtime = LocalEnvironment.dynamoDbVariables(dynamodb);

        Map<String, Map<String, String>> environments = new LinkedHashMap<>();
        for (FunctionDef f : template.functions()) {
            Map<String, String> env = new LinkedHashMap<>(LocalEnvironment.forFunction(f, refs, runtime));
            env.put("LIFEBOAT_COLDSTART_TIMEOUT", Integer.toString(f.timeout()));
            environments.put(f.logicalId(), env);
        }
        Map<String, ManagerType> plugins = plugins(environments);
        FileSecretStore secrets = new FileSecretStore(secretsDir);

        List<Unit> units = new ArrayList<>();
        Set<String> handlers = new LinkedHashSet<>();
        for (FunctionDef f : template.functions()) {
            if (f.codeUri() == null || !handlers.add(f.handlerClass())) {
                continue;
            }
            Map<String, String> env = environments.get(f.logicalId());
            Path jar = root.resolve(f.codeUri());
            if (!f.httpApiEvents().isEmpty()) {
                units.add(api(f, jar, env));
            } else if (eventBridgeDetailType(f) != null) {
                units.add(vmEvents(f, jar, env, eventBridgeDetailType(f)));
            } else if (plugins.containsKey(f.logicalId())) {
                units.add(plugin(f, jar, env, plugins.get(f.logicalId()), secrets, backupSystem));
            } else {
                units.add(workflowTask(f, jar, env));
            }
        }
        return units;
    }

    /**
     * The baseline, run as a function of the template's Globals: their memory, their environment (with its
     * JAVA_TOOL_OPTIONS) and the same local DynamoDB.
     */
    public static Unit baseline(Path root, SamTemplate template, String table, String dynamodb, Path secretsDir) {
        Map<String, Object> globals = map(map(template.root().get("Globals")).get("Function"));
        Map<String, Object> variables = map(map(globals.get("Environment")).get("Variables"));
        // The template reader keeps scalars as text; Lambda's default is 128 MB.
        int memory = Integer.parseInt(String.valueOf(globals.getOrDefault("MemorySize", "128")).trim());
        FunctionDef def = new FunctionDef("Baseline", BASELINE_HANDLER, BASELINE_JAR, "java17", variables, memory, 15,
                List.of(), Map.of());
        Map<String, String> env = new LinkedHashMap<>(LocalEnvironment.forFunction(def, refs(template, table, secretsDir),
                LocalEnvironment.dynamoDbVariables(dynamodb)));
        env.put("LIFEBOAT_COLDSTART_TIMEOUT", "15");
        byte[] event = "{}".getBytes(StandardCharsets.UTF_8);
        return new Unit("baseline (GetItem only)", BASELINE_HANDLER, root.resolve(BASELINE_JAR), memory, env, n -> event,
                s -> s.ok() && s.answer().equals("{\"found\":false}"), "{\"found\":false}");
    }

    /**
     * The baseline followed by one metric line, written by Lifeboat's own EMF writer and by Powertools metrics
     * ({@code metrics-variants/}): what each way of writing metrics adds to a cold start.
     */
    public static List<Unit> metricsVariants(Path root, Unit baseline) {
        Path jar = root.resolve("infra/benchmarks/metrics-variants/target/metrics-variants.jar");
        Map<String, String> env = new LinkedHashMap<>(baseline.environment());
        env.put("POWERTOOLS_METRICS_NAMESPACE", "Lifeboat");
        List<Unit> out = new ArrayList<>();
        for (String variant : List.of("EmfMetricsHandler", "PowertoolsMetricsHandler")) {
            String handler = "dev.lifeboat.bench.metrics." + variant + "::handleRequest";
            out.add(new Unit("baseline + " + variant.replace("MetricsHandler", "") + " metrics", handler, jar, baseline.memoryMb(), env,
                    baseline.events(), baseline.check(), baseline.expected()));
        }
        return out;
    }

    /** The template's references, resolved as the local runtime resolves them, with the local table and secrets. */
    private static Map<String, String> refs(SamTemplate template, String table, Path secretsDir) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("JwtIssuer", "https://idp.coldstart.invalid/");
        // SecretStore keeps its default, secretsmanager: the API functions build their Secrets Manager client at init
        // as in AWS (pointed at the closed AWS_ENDPOINT_URL; none of the events here reads a secret). Plugins read
        // theirs from files instead of the secrets extension, which does not run here.
        overrides.put("PluginSecretStore", "file:" + secretsDir);
        overrides.put("SecretsExtensionLayerArn", "local-none");
        template.tables().forEach(t -> overrides.put(t.logicalId(), table));
        return LocalEnvironment.refs(template, overrides);
    }

    // ---- API -------------------------------------------------------------------------------------------------------

    private static Unit api(FunctionDef f, Path jar, Map<String, String> env) {
        HttpApiEvent route = f.httpApiEvents().stream().filter(e -> "GET".equalsIgnoreCase(e.method())).findFirst()
                .orElseThrow(() -> new IllegalStateException(f.logicalId() + " has no GET route: give the cold start benchmark a read-only event for it"));
        byte[] event = bytes(apiEvent(route.method().toUpperCase(Locale.ROOT) + " " + route.path()));
        return new Unit(f.logicalId(), f.handler(), jar, f.memorySize(), env, n -> event, s -> {
            if (!s.ok()) {
                return false;
            }
            int status = tree(s.answer()).path("statusCode").asInt();
            return status == 200 || status == 404;
        }, "HTTP 200 or 404 for GET " + route.path());
    }

    /** An API Gateway HTTP API payload 2.0 event with the fields API Gateway sends, for a route with ids nothing has. */
    static ObjectNode apiEvent(String routeKey) {
        String method = routeKey.substring(0, routeKey.indexOf(' '));
        String template = routeKey.substring(routeKey.indexOf(' ') + 1);
        ObjectNode params = JSON.createObjectNode();
        Matcher m = PATH_PARAMETER.matcher(template);
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            // Ids of things the platform names (dc, ent, vm) are free text; Lifeboat's own ids are ULIDs.
            String value = Set.of("dc", "ent", "vm").contains(name) ? "coldstart-none" : "00000000000000000000000000";
            params.put(name, value);
            m.appendReplacement(path, value);
        }
        m.appendTail(path);
        Instant now = Instant.now();
        String domain = "coldstart.execute-api.us-east-1.amazonaws.com";
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", routeKey);
        event.put("rawPath", path.toString());
        event.put("rawQueryString", "");
        ObjectNode headers = event.putObject("headers");
        headers.put("accept", "application/json");
        headers.put("accept-encoding", "gzip, deflate, br");
        headers.put("authorization", "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjb2xkc3RhcnQifQ.c2lnbmF0dXJl");
        headers.put("content-length", "0");
        headers.put("host", domain);
        headers.put("user-agent", "lifeboat-coldstart/1.0");
        headers.put("x-amzn-trace-id", "Root=1-00000000-000000000000000000000000");
        headers.put("x-forwarded-for", "203.0.113.10");
        headers.put("x-forwarded-port", "443");
        headers.put("x-forwarded-proto", "https");
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "000000000000");
        context.put("apiId", "coldstart");
        ObjectNode jwt = context.putObject("authorizer").putObject("jwt");
        ObjectNode claims = jwt.putObject("claims");
        claims.put("aud", "lifeboat");
        claims.put("ent", "coldstart-none");
        claims.put("exp", Long.toString(now.getEpochSecond() + 3600));
        claims.put("iat", Long.toString(now.getEpochSecond()));
        claims.put("iss", "https://idp.coldstart.invalid/");
        claims.put("priv", Arrays.stream(Privilege.values()).map(Enum::name).collect(Collectors.joining(" ", "[", "]")));
        claims.put("sub", "coldstart");
        jwt.putNull("scopes");
        context.put("domainName", domain);
        context.put("domainPrefix", "coldstart");
        ObjectNode http = context.putObject("http");
        http.put("method", method);
        http.put("path", path.toString());
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "203.0.113.10");
        http.put("userAgent", "lifeboat-coldstart/1.0");
        context.put("requestId", "Zx0coldstart0A=");
        context.put("routeKey", routeKey);
        context.put("stage", "$default");
        context.put("time", DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC).format(now));
        context.put("timeEpoch", now.toEpochMilli());
        if (!params.isEmpty()) {
            event.set("pathParameters", params);
        }
        event.put("isBase64Encoded", false);
        return event;
    }

    // ---- EventBridge ------------------------------------------------------------------------------------------------

    private static String eventBridgeDetailType(FunctionDef f) {
        for (Object event : map(f.properties().get("Events")).values()) {
            Map<String, Object> e = map(event);
            if ("EventBridgeRule".equals(e.get("Type"))) {
                Object types = map(map(e.get("Properties")).get("Pattern")).get("detail-type");
                return types instanceof List<?> list && !list.isEmpty() ? String.valueOf(list.get(0)) : "";
            }
        }
        return null;
    }

    private static Unit vmEvents(FunctionDef f, Path jar, Map<String, String> env, String detailType) {
        if (!detailType.equals("VirtualMachineStateChanged")) {
            throw new IllegalStateException(f.logicalId() + " takes '" + detailType + "' events: give the cold start benchmark one");
        }
        return new Unit(f.logicalId(), f.handler(), jar, f.memorySize(), env, n -> bytes(vmEvent(detailType, "coldstart-vm-" + n)),
                s -> s.ok() && tree(s.answer()).path("version").asInt() == 1, "a new VM, version 1");
    }

    /** The cloud platform's event for a VM first seen (the shape of tests' virtual-machine-state-changed.json). */
    static ObjectNode vmEvent(String detailType, String vm) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", "6a7e8feb-b491-4cf7-a9f1-" + String.format("%012x", Math.abs(vm.hashCode())));
        event.put("detail-type", detailType);
        event.put("source", "cloud.platform");
        event.put("account", "000000000000");
        event.put("time", Instant.now().toString());
        event.put("region", LocalEnvironment.REGION);
        event.putArray("resources");
        ObjectNode detail = event.putObject("detail");
        detail.put("vm", vm);
        detail.put("enterprise", "coldstart-ent");
        detail.put("datacenter", "coldstart-dc");
        detail.put("name", vm);
        detail.put("state", "DEPLOYED");
        ObjectNode hypervisor = detail.putObject("hypervisor");
        hypervisor.put("vcenter", "vc.coldstart.invalid");
        hypervisor.put("moref", "vm-1");
        hypervisor.put("uuid", "4210ffff-0000-1111-2222-333344445555");
        return event;
    }

    // ---- plugins ----------------------------------------------------------------------------------------------------

    /** Plugin function logical id → manager type, from every {@code PLUGIN_FUNCTION_<TYPE>=<function>[:alias]}. */
    static Map<String, ManagerType> plugins(Map<String, Map<String, String>> environments) {
        Map<String, ManagerType> plugins = new LinkedHashMap<>();
        environments.values().forEach(env -> env.forEach((name, value) -> {
            Matcher m = PLUGIN_VARIABLE.matcher(name);
            ManagerType type = m.matches() ? ManagerType.parse(m.group(1)) : null;
            if (type != null) {
                plugins.put(functionName(value), type);
            }
        }));
        return plugins;
    }

    /** {@code Name}, {@code Name:alias} or a function ARN ({@code arn:...:function:Name[:alias]}) → {@code Name}. */
    static String functionName(String reference) {
        String name = reference.contains(":function:") ? reference.substring(reference.indexOf(":function:") + ":function:".length()) : reference;
        return name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
    }

    private static Unit plugin(FunctionDef f, Path jar, Map<String, String> env, ManagerType type, FileSecretStore secrets,
                               String backupSystem) {
        String user = type.splitsCredentials() ? "coldstart#coldstart-vc" : "coldstart";
        String password = type.splitsCredentials() ? "Cold-Start-1#Cold-Start-2" : "Cold-Start-1";
        SecretRef ref = secrets.put("lifeboat/manager/coldstart-" + type.name().toLowerCase(Locale.ROOT), new Secret(password));
        Refs.Manager manager = new Refs.Manager("coldstart-dc", type, backupSystem, user, ref, null, false);
        byte[] event = bytes(CommandJson.toJson(Command.of(Operation.CHECK_CONNECTION, manager)));
        return new Unit(f.logicalId(), f.handler(), jar, f.memorySize(), env, n -> event,
                s -> s.ok() || s.outcome().equals("error:dev.lifeboat.plugin.RetryableError")
                        || s.outcome().equals("error:dev.lifeboat.plugin.TerminalError") && !s.answer().contains("unexpectedly"),
                "a connection result or a plugin error (not INTERNAL)");
    }

    // ---- workflow tasks ---------------------------------------------------------------------------------------------

    private static Unit workflowTask(FunctionDef f, Path jar, Map<String, String> env) {
        byte[] event = "{\"task\":\"sync.datacenters\"}".getBytes(StandardCharsets.UTF_8);
        return new Unit(f.logicalId(), f.handler(), jar, f.memorySize(), env, n -> event,
                s -> s.ok() && tree(s.answer()).isArray(), "a JSON array of datacenters");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return JSON.missingNode();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
