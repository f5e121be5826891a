package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.local.LocalApiMain;
import dev.lifeboat.local.LocalFunction;
import dev.lifeboat.local.template.FunctionDef;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.RepositoryRoot;
import dev.lifeboat.workflowruntime.LambdaInvokeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample events of {@code infra/events} (for {@code sam local invoke}) cannot rot: each is invoked, in the order of
 * {@code invocations.json}, through the local runtime's Lambda Invoke endpoint and must answer as that file says;
 * every function of the template has one; and {@code env.json} sets only variables SAM CLI passes on (those the
 * template declares), with the local runtime's values. SAM CLI itself needs Docker, which this machine lacks.
 */
class SampleEventsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The simulators' and vcsim's addresses as the samples give them (the local runtime's defaults). */
    static final String VEEAM = "127.0.0.1:9399";
    static final String NETWORKER = "127.0.0.1:9090";
    static final String VCSIM = "127.0.0.1:8989";
    /** Passwords of the managers the plugin samples name, by type, as the simulators accept them. */
    static final Map<String, String> PASSWORDS = Map.of("VEEAM", "lifeboat", "NETWORKER", "lifeboat#vcenter",
            "VMWARE_SNAPSHOT", "vcenter", "VEEAM_SNAPSHOT", "lifeboat#vcenter");

    final Path root = RepositoryRoot.find();
    final Path events = root.resolve("infra/events");
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everySampleAnswersAsItsManifestSaysThroughTheLocalLambdaEndpoint(@TempDir Path data) throws Exception {
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        JsonNode manifest = JSON.readTree(events.resolve("invocations.json").toFile());
        checkCoverage(template, manifest);

        Path secrets = data.resolve("secrets");
        int vcsimPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            vcsimPort = free.getLocalPort();
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (LocalApiMain.Running running = LocalApiMain.start(new String[] {"--template", root.resolve("template.yaml").toString(),
                "--port", "0", "--lambda-port", "0", "--sfn-port", "0", "--veeam-port", "0", "--networker-port", "0",
                "--vcsim-port", Integer.toString(vcsimPort), "--job-seconds", "0.5", "--data", data.resolve("dynamodb").toString(),
                "--param", "JwtIssuer=lifeboat-local", "--param", "SecretStore=file:" + secrets,
                "--param", "PluginSecretStore=file:" + secrets, "--param", "SecretsExtensionLayerArn=local-none"}, sink, sink)) {
            URI lambda = running.services().stream().filter(LambdaInvokeServer.class::isInstance)
                    .map(s -> ((LambdaInvokeServer) s).endpoint()).findFirst().orElseThrow();
            Map<String, String> addresses = Map.of(VEEAM, authority(running.veeamEndpoint()),
                    NETWORKER, authority(running.networkerEndpoint()), VCSIM, "127.0.0.1:" + vcsimPort);
            List<String> wrong = new ArrayList<>();
            for (JsonNode entry : manifest) {
                String file = entry.path("event").asText();
                String event = Files.readString(events.resolve(file));
                for (var a : addresses.entrySet()) {
                    event = event.replace(a.getKey(), a.getValue());
                }
                writePasswords(secrets, JSON.readTree(event));
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(lambda + "/2015-03-31/functions/"
                        + entry.path("function").asText() + "/invocations")).POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                        HttpResponse.BodyHandlers.ofString());
                String problem = mismatch(entry.path("expect"), r);
                if (problem != null) {
                    wrong.add(file + ": " + problem);
                }
            }
            assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n--- local runtime log:\n" + log);
            checkEnvironmentFile(template, running);
        }
    }

    /** Every function has a sample, every sample file is in the manifest, every HTTP sample is a route of its function. */
    void checkCoverage(SamTemplate template, JsonNode manifest) throws Exception {
        Set<String> listed = new TreeSet<>();
        Set<String> functionsWithSamples = new TreeSet<>();
        for (JsonNode entry : manifest) {
            String function = entry.path("function").asText();
            FunctionDef def = template.function(function).orElse(null);
            assertNotNull(def, entry + ": no such function in template.yaml");
            String file = entry.path("event").asText();
            assertTrue(file.startsWith(function + "/"), file + ": a sample lives in its function's folder");
            assertTrue(listed.add(file), file + " is listed twice");
            functionsWithSamples.add(function);
            JsonNode event = JSON.readTree(events.resolve(file).toFile());
            if (event.has("routeKey")) {
                Set<String> routes = new TreeSet<>();
                def.httpApiEvents().forEach(e -> routes.add(e.method().toUpperCase() + " " + e.path()));
                assertTrue(routes.contains(event.path("routeKey").asText()), file + ": " + event.path("routeKey") + " is not a route of "
                        + function + " " + routes);
                String priv = event.path("requestContext").path("authorizer").path("jwt").path("claims").path("priv").asText();
                assertTrue(priv.matches("\\[[A-Z_ ]*]"), file + ": claims are as the JWT authorizer puts them, priv bracketed: " + priv);
            }
        }
        Set<String> functions = new TreeSet<>();
        template.functions().forEach(f -> functions.add(f.logicalId()));
        assertEquals(functions, functionsWithSamples, "every function of template.yaml has a sample event");
        Set<String> files = new TreeSet<>();
        try (Stream<Path> all = Files.walk(events)) {
            all.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getParent().equals(events))
                    .forEach(p -> files.add(events.relativize(p).toString().replace('\\', '/')));
        }
        assertEquals(files, listed, "every sample file is in invocations.json");
    }

    /** {@code null} when the answer is as expected, else what differs. */
    static String mismatch(JsonNode expect, HttpResponse<String> r) throws Exception {
        if (r.statusCode() != 200) {
            return "the Lambda endpoint answered " + r.statusCode() + ": " + r.body();
        }
        String functionError = r.headers().firstValue("x-amz-function-error").orElse(null);
        JsonNode answer = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        if (expect.has("errorType")) {
            return functionError != null && expect.path("errorType").asText().equals(answer.path("errorType").asText())
                    && answer.path("errorMessage").asText().contains(expect.path("errorMessage").asText(""))
                    ? null : "expected the function error " + expect.path("errorType").asText() + " " + expect.path("errorMessage").asText("")
                    + ", got " + r.body();
        }
        if (functionError != null) {
            return "function error " + r.body();
        }
        if (expect.has("statusCode")) {
            if (answer.path("statusCode").asInt() != expect.path("statusCode").asInt()) {
                return "expected HTTP " + expect.path("statusCode").asInt() + ", got " + answer.path("statusCode") + " " + answer.path("body").asText();
            }
            if (expect.has("body") && !contains(JSON.readTree(answer.path("body").asText()), expect.path("body"))) {
                return "the body lacks " + expect.path("body") + ": " + answer.path("body").asText();
            }
        }
        if (expect.has("answer") && !contains(answer, expect.path("answer"))) {
            return "the answer lacks " + expect.path("answer") + ": " + r.body();
        }
        return null;
    }

    /** Whether {@code actual} has every field of {@code expected}, recursively. */
    static boolean contains(JsonNode actual, JsonNode expected) {
        if (!expected.isObject()) {
            return expected.equals(actual);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            var field = it.next();
            if (!actual.has(field.getKey()) || !contains(actual.get(field.getKey()), field.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The password of a plugin sample's manager, where the local file store keeps the version the sample names. */
    static void writePasswords(Path secrets, JsonNode event) throws Exception {
        JsonNode ref = event.path("manager").path("secretRef");
        if (!ref.isObject()) {
            return;
        }
        // FileSecretStore's layout: one folder per secret id (every byte but A-Z a-z 0-9 - _ percent-encoded), one file per version.
        StringBuilder folder = new StringBuilder();
        for (byte b : ref.path("secretId").asText().getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            folder.append(plain ? String.valueOf((char) c) : String.format("%%%02X", c));
        }
        Path file = secrets.resolve(folder.toString()).resolve(ref.path("versionId").asText());
        Files.createDirectories(file.getParent());
        Files.writeString(file, PASSWORDS.get(event.path("manager").path("type").asText()));
    }

    static String authority(URI uri) {
        return uri.getHost() + ":" + uri.getPort();
    }

    /**
     * env.json for {@code sam local}: SAM CLI hands a function only the variables its template declares, so every
     * variable here must be declared; the values are the local runtime's (the secret folder and the endpoints aside,
     * which are seen from the container); the endpoints travel as the SDK's system properties in JAVA_TOOL_OPTIONS,
     * which the template declares, and each property must really move its client.
     */
    void checkEnvironmentFile(SamTemplate template, LocalApiMain.Running running) throws Exception {
        JsonNode env = JSON.readTree(events.resolve("env.json").toFile());
        for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
            var section = it.next();
            List<FunctionDef> targets = section.getKey().equals("Parameters") ? template.functions()
                    : List.of(template.function(section.getKey()).orElseThrow(() -> new AssertionError("env.json: no function " + section.getKey())));
            for (Iterator<Map.Entry<String, JsonNode>> vars = section.getValue().fields(); vars.hasNext(); ) {
                var variable = vars.next();
                String name = variable.getKey();
                boolean declared = false;
                for (FunctionDef f : targets) {
                    if (!f.environment().containsKey(name)) {
                        continue;
                    }
                    declared = true;
                    if (name.equals("JAVA_TOOL_OPTIONS") || name.equals("SECRET_STORE")) {
                        continue;
                    }
                    LocalFunction local = running.api().functions().get(f.logicalId());
                    String expected = local == null ? null : local.environment().get(name);
                    if (expected != null) {
                        assertEquals(expected, variable.getValue().asText(), "env.json " + section.getKey() + "." + name + " for " + f.logicalId());
                    }
                }
                assertTrue(declared, "env.json " + section.getKey() + "." + name + ": no function of it declares " + name
                        + " in template.yaml, so SAM CLI would not pass it");
            }
        }
        String options = env.path("Parameters").path("JAVA_TOOL_OPTIONS").asText();
        String templateOptions = String.valueOf(template.functions().get(0).environment().get("JAVA_TOOL_OPTIONS"));
        assertTrue(options.startsWith(templateOptions + " "), "env.json keeps the template's JAVA_TOOL_OPTIONS: " + options);
        Matcher m = Pattern.compile("-D(aws\\.endpointUrl\\w+)=(\\S+)").matcher(options);
        Map<String, String> properties = new LinkedHashMap<>();
        while (m.find()) {
            properties.put(m.group(1), m.group(2));
        }
        Map<String, Supplier<Runnable>> clients = Map.of(
                "aws.endpointUrlDynamoDb", () -> () -> software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder().build().listTables(b -> { }),
                "aws.endpointUrlSfn", () -> () -> software.amazon.awssdk.services.sfn.SfnClient.builder().build().listStateMachines(b -> { }),
                "aws.endpointUrlLambda", () -> () -> software.amazon.awssdk.services.lambda.LambdaClient.builder().build().listFunctions(b -> { }),
                "aws.endpointUrlEventBridge", () -> () -> software.amazon.awssdk.services.eventbridge.EventBridgeClient.builder().build().listEventBuses(b -> { }),
                "aws.endpointUrlScheduler", () -> () -> software.amazon.awssdk.services.scheduler.SchedulerClient.builder().build().listSchedules(
                        software.amazon.awssdk.services.scheduler.model.ListSchedulesRequest.builder().build()));
        assertEquals(new TreeSet<>(clients.keySet()), new TreeSet<>(properties.keySet()),
                "env.json points every service the local runtime serves (DynamoDB, Step Functions, Lambda, EventBridge, Scheduler)");
        for (String property : properties.keySet()) {
            assertTrue(properties.get(property).startsWith("http://host.docker.internal:"), property + " is seen from SAM CLI's container");
            assertTrue(reachesItsEndpoint(property, clients.get(property).get()), property + " does not move its SDK client");
        }
    }

    /** Sets the property to a local server and makes one call: the call must arrive there. */
    static boolean reachesItsEndpoint(String property, Runnable call) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
        });
        server.start();
        Map<String, String> saved = new LinkedHashMap<>();
        for (String p : List.of(property, "aws.region", "aws.accessKeyId", "aws.secretAccessKey")) {
            saved.put(p, System.getProperty(p));
        }
        try {
            System.setProperty(property, "http://127.0.0.1:" + server.getAddress().getPort());
            System.setProperty("aws.region", "us-east-1");
            System.setProperty("aws.accessKeyId", "local");
            System.setProperty("aws.secretAccessKey", "local");
            try {
                call.run();
            } catch (RuntimeException expected) {
                // the server answers 400: only whether the call arrived counts
            }
            return requests.get() > 0;
        } finally {
            saved.forEach((p, v) -> {
                if (v == null) System.clearProperty(p); else System.setProperty(p, v);
            });
            server.stop(0);
        }
    }
}
