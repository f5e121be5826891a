package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.store.LifeboatTable;
import dev.lifeboat.processes.RepositoryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** template.yaml against the code: handlers, routes, references, IAM and the table schema. */
class TemplateCheckTest {
    /** The routes of api.md implemented so far; each later issue adds its own. */
    static final Set<String> CONTRACT_ROUTES = Set.of(
            "PUT /datacenters/{dc}/backup-manager",
            "GET /datacenters/{dc}/backup-manager",
            "DELETE /datacenters/{dc}/backup-manager",
            "POST /datacenters/{dc}/backup-manager/check",
            "GET /datacenters/{dc}/backup-properties",
            "PUT /datacenters/{dc}/backup-properties",
            "POST /datacenters/{dc}/backup-policies",
            "GET /datacenters/{dc}/backup-policies",
            "GET /datacenters/{dc}/backup-policies/{policyId}",
            "PUT /datacenters/{dc}/backup-policies/{policyId}",
            "DELETE /datacenters/{dc}/backup-policies/{policyId}",
            "GET /enterprises/{ent}/datacenters/{dc}/allowed-backup-policies",
            "PUT /enterprises/{ent}/datacenters/{dc}/allowed-backup-policies",
            "PUT /virtual-machines/{vm}",
            "GET /virtual-machines/{vm}",
            "GET /virtual-machines",
            "GET /virtual-machines/{vm}/available-backup-policies",
            "GET /virtual-machines/{vm}/backup",
            "PUT /virtual-machines/{vm}/backup",
            "POST /virtual-machines/{vm}/backups",
            "GET /virtual-machines/{vm}/backups",
            "GET /virtual-machines/{vm}/backups/{backupId}",
            "POST /virtual-machines/{vm}/backups/{backupId}/restores",
            "POST /restores",
            "GET /restores/{id}",
            "GET /datacenters",
            "GET /restores",
            "GET /audit-log");

    static Path root;
    static SamTemplate template;

    @BeforeAll
    static void load() throws Exception {
        root = RepositoryRoot.find();
        template = SamTemplate.load(root.resolve("template.yaml"));
    }

    static Set<String> templateRoutes() {
        return template.httpRoutes().stream().map(r -> r.method() + " " + r.path()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyRouteOfTheContractIsWiredOnce() {
        List<String> all = template.httpRoutes().stream().map(r -> r.method() + " " + r.path()).toList();
        assertEquals(all.size(), new HashSet<>(all).size(), "a route is wired twice: " + all);
        assertTrue(templateRoutes().containsAll(CONTRACT_ROUTES), "missing: " + minus(CONTRACT_ROUTES, templateRoutes()));
    }

    @Test
    void everyHandlerClassExistsImplementsLambdaAndServesExactlyItsRoutes() throws Exception {
        assertFalse(template.functions().isEmpty());
        for (var f : template.functions()) {
            // From the deployment jar itself: a class that exists only on the build's classpath would fail in Lambda.
            Path jar = root.resolve(f.codeUri());
            assertTrue(Files.isRegularFile(jar), f.logicalId() + ": " + jar + " is not built (mvn package builds it)");
            Class<?> type = Class.forName(f.handlerClass(), false, new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()},
                    getClass().getClassLoader()));
            assertTrue(RequestStreamHandler.class.isAssignableFrom(type) || RequestHandler.class.isAssignableFrom(type),
                    f.logicalId() + ": " + type + " is not a Lambda handler");
            assertEquals("handleRequest", f.handlerMethod(), f.logicalId());
            type.getConstructor(); // Lambda needs the no-arg constructor
            if (ApiHandler.class.isAssignableFrom(type)) {
                Set<String> wired = f.httpApiEvents().stream().map(e -> e.method().toUpperCase() + " " + e.path()).collect(Collectors.toSet());
                ApiHandler handler = (ApiHandler) type.getConstructor(Map.class).newInstance(Map.of("TABLE_NAME", "unused", "AWS_REGION", "us-east-1"));
                assertEquals(new TreeSet<>(handler.routes()), new TreeSet<>(wired), f.logicalId() + " routes");
            }
        }
    }

    @Test
    void codeUriJarsHoldTheirHandlers() throws Exception {
        for (var f : template.functions()) {
            Path jar = root.resolve(f.codeUri());
            assertTrue(Files.isRegularFile(jar), f.logicalId() + ": " + jar + " is not built (mvn package builds it)");
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                assertTrue(zip.getEntry(f.handlerClass().replace('.', '/') + ".class") != null, f.logicalId() + ": handler not in " + jar);
            }
        }
    }

    /**
     * What {@code sam build} and {@code sam local} read besides Handler and CodeUri (which the tests above check): the
     * jars are prebuilt by Maven, so every function says {@code SkipBuild} (else sam build would try to build a jar
     * file as a project), and runs on the java17 runtime the jars are compiled for.
     */
    @Test
    void everyFunctionIsPrebuiltForSamAndRunsOnJava17() {
        for (var f : template.functions()) {
            Object resource = ((Map<?, ?>) template.root().get("Resources")).get(f.logicalId());
            Object metadata = ((Map<?, ?>) resource).get("Metadata");
            // YAML 1.1 reads True as a boolean, the template reader may keep it as text: both are what SAM reads as true.
            assertTrue(metadata instanceof Map<?, ?> m && "true".equalsIgnoreCase(String.valueOf(m.get("SkipBuild"))),
                    f.logicalId() + ": Metadata SkipBuild: True");
            assertEquals("java17", f.runtime(), f.logicalId());
            assertTrue(f.codeUri().endsWith(".jar"), f.logicalId() + ": CodeUri names the built jar, not a folder: " + f.codeUri());
        }
    }

    @Test
    void everyReferenceResolves() {
        Set<String> names = new HashSet<>(template.parameters().keySet());
        names.addAll(template.resources().keySet());
        names.addAll(List.of("AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue"));
        List<String> broken = new ArrayList<>();
        walk(template.root(), "", (path, node) -> {
            if (node instanceof Map<?, ?> m && m.size() == 1) {
                Object ref = m.get("Ref");
                if (ref != null && !names.contains(ref.toString())) broken.add(path + " Ref " + ref);
                Object getAtt = m.get("Fn::GetAtt");
                if (getAtt instanceof List<?> l && !template.resources().containsKey(l.get(0).toString())) broken.add(path + " GetAtt " + l);
                Object sub = m.get("Fn::Sub");
                String text = sub instanceof List<?> l ? l.get(0).toString() : sub == null ? null : sub.toString();
                if (text != null) {
                    Matcher v = Pattern.compile("\\$\\{([^}!]+)}").matcher(text);
                    while (v.find()) {
                        String name = v.group(1).split("\\.")[0];
                        boolean local = sub instanceof List<?> l && l.size() > 1 && l.get(1) instanceof Map<?, ?> vars && vars.containsKey(name);
                        if (!local && !names.contains(name)) broken.add(path + " Sub ${" + v.group(1) + "}");
                    }
                }
            }
        });
        assertTrue(broken.isEmpty(), "unresolved: " + broken);
    }

    @Test
    void noDataAccessOnEveryResource() {
        List<String> wide = new ArrayList<>();
        for (var f : template.functions()) {
            Object policies = f.properties().get("Policies");
            walk(policies, f.logicalId(), (path, node) -> {
                if (node instanceof Map<?, ?> m && m.containsKey("Resource")) {
                    Object r = m.get("Resource");
                    if ("*".equals(r) || (r instanceof List<?> l && l.contains("*"))) wide.add(path);
                }
                if (node instanceof Map<?, ?> m && (m.containsKey("TableName") || m.containsKey("SecretArn") || m.containsKey("FunctionName"))) {
                    m.values().forEach(v -> {
                        if (!(v instanceof Map<?, ?>)) wide.add(path + " names a resource by a literal, not a reference: " + v);
                    });
                }
            });
        }
        assertTrue(wide.isEmpty(), "IAM statements on '*' or unnamed resources: " + wide);
    }

    /** A plugin reads the passwords of its own manager type, and nothing else: no table, no other secrets. */
    @Test
    @SuppressWarnings("unchecked")
    void pluginsOnlyReadTheirOwnTypesSecrets() {
        int plugins = 0;
        for (var f : template.functions()) {
            if (!f.codeUri().startsWith("functions/plugins/")) continue;
            plugins++;
            List<Object> policies = (List<Object>) f.properties().get("Policies");
            assertEquals(1, policies.size(), f.logicalId() + " has one policy");
            List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) policies.get(0)).get("Statement");
            assertEquals(1, statements.size(), f.logicalId());
            Map<String, Object> statement = statements.get(0);
            assertEquals("secretsmanager:GetSecretValue", statement.get("Action"), f.logicalId());
            String resource = String.valueOf(((Map<?, ?>) statement.get("Resource")).get("Fn::Sub"));
            String type = f.handlerClass().contains(".networker.") ? "NETWORKER" : f.handlerClass().contains(".veeamsnapshot.") ? "VEEAM_SNAPSHOT"
                    : f.handlerClass().contains(".veeam.") ? "VEEAM" : "VMWARE_SNAPSHOT";
            assertTrue(resource.endsWith("/manager/" + type + "/*'") || resource.endsWith("/manager/" + type + "/*"), f.logicalId() + ": " + resource);
        }
        assertEquals(4, plugins, "one plugin function per backup system");
    }

    /**
     * A function that starts a workflow (an environment variable {@code *_STATE_MACHINE_ARN}) may start exactly that
     * state machine, which exists in the template under that name; the cloud platform's VM events reach the registry
     * function through a rule on their detail-type.
     */
    @Test
    @SuppressWarnings("unchecked")
    void functionsStartOnlyTheWorkflowsTheyNameAndEventsReachTheRegistry() {
        Set<String> machineNames = template.resources().values().stream().filter(r -> r.type().equals("AWS::Serverless::StateMachine"))
                .map(r -> String.valueOf(((Map<?, ?>) r.properties().get("Name")).get("Fn::Sub"))).collect(Collectors.toSet());
        int starters = 0;
        for (var f : template.functions()) {
            Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) f.properties().getOrDefault("Environment", Map.of()))
                    .getOrDefault("Variables", Map.of());
            List<Object> policies = (List<Object>) f.properties().getOrDefault("Policies", List.of());
            Set<String> allowed = policies.stream().filter(p -> p instanceof Map<?, ?> m && m.containsKey("StepFunctionsExecutionPolicy"))
                    .map(p -> String.valueOf(((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) p).get("StepFunctionsExecutionPolicy")).get("StateMachineName")).get("Fn::Sub")))
                    .collect(Collectors.toSet());
            for (var e : env.entrySet()) {
                if (!e.getKey().endsWith("_STATE_MACHINE_ARN")) continue;
                String arn = String.valueOf(((Map<?, ?>) e.getValue()).get("Fn::Sub"));
                String name = arn.substring(arn.indexOf(":stateMachine:") + ":stateMachine:".length());
                assertTrue(machineNames.contains(name), f.logicalId() + " " + e.getKey() + " names no state machine of the template: " + name);
                if (f.logicalId().equals("WorkflowTasksFunction")) continue; // hands the ARN to Scheduler, whose role starts it
                starters++;
                assertTrue(allowed.contains(name), f.logicalId() + ": starts " + name + " but may start " + allowed);
            }
            long starts = f.logicalId().equals("WorkflowTasksFunction") ? 0 : env.keySet().stream().filter(k -> k.endsWith("_STATE_MACHINE_ARN")).count();
            assertEquals(allowed.size(), starts,
                    f.logicalId() + " may start a workflow it never starts: " + allowed);
        }
        assertEquals(5, starters, "VM registry (API and events), VM backup configuration, backups and restores start workflows");
        var events = template.function("VmEventsFunction").orElseThrow();
        assertEquals(dev.lifeboat.api.events.VirtualMachineEventsHandler.class.getName(), events.handlerClass());
        Map<String, Object> rule = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) events.properties().get("Events"))
                .get("VmStateChanged")).get("Properties");
        assertEquals("EventBridgeRule", ((Map<?, ?>) ((Map<?, ?>) events.properties().get("Events")).get("VmStateChanged")).get("Type"));
        assertEquals(List.of(dev.lifeboat.api.events.VirtualMachineEventsHandler.DETAIL_TYPE), ((Map<?, ?>) rule.get("Pattern")).get("detail-type"));
        assertTrue(events.properties().containsKey("DeadLetterQueue"), "refused VM events are kept for an operator");
    }

    /**
     * Every state machine's definition file exists; its placeholders and its DefinitionSubstitutions are the same set;
     * each substitution is a function's {@code live} alias that the state machine may invoke, and nothing more.
     */
    @Test
    @SuppressWarnings("unchecked")
    void stateMachineSubstitutionsAreDefinedUsedAndInvokable() throws Exception {
        int machines = 0;
        for (var entry : template.resources().entrySet()) {
            if (!entry.getValue().type().equals("AWS::Serverless::StateMachine")) continue;
            machines++;
            Map<String, Object> p = entry.getValue().properties();
            Path definition = root.resolve(String.valueOf(p.get("DefinitionUri")));
            assertTrue(Files.isRegularFile(definition), entry.getKey() + ": " + definition);
            Set<String> placeholders = new TreeSet<>();
            Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9]+)}").matcher(Files.readString(definition));
            while (m.find()) placeholders.add(m.group(1));
            Map<String, Object> substitutions = (Map<String, Object>) p.getOrDefault("DefinitionSubstitutions", Map.of());
            assertEquals(placeholders, new TreeSet<>(substitutions.keySet()), entry.getKey() + ": placeholders vs DefinitionSubstitutions");
            Set<String> invoked = new TreeSet<>();
            for (Object value : substitutions.values()) {
                invoked.add(liveAliasOf(entry.getKey(), value));
            }
            // A plugin-call state invokes whichever function the begin task put in the run (FunctionName.$), chosen
            // from the task function's PLUGIN_FUNCTION_<TYPE> variables: the machine must be allowed exactly those.
            if (Files.readString(definition).contains("\"arn:aws:states:::lambda:invoke\"")) {
                Map<String, Object> pluginFunctions = pluginFunctionVariables();
                assertEquals(4, pluginFunctions.size(), "one plugin function per manager type: " + pluginFunctions.keySet());
                for (Object value : pluginFunctions.values()) invoked.add(liveAliasOf("WorkflowTasksFunction", value));
            }
            Set<String> granted = ((List<Object>) p.get("Policies")).stream().filter(x -> x instanceof Map<?, ?> mm && mm.containsKey("LambdaInvokePolicy"))
                    .map(x -> String.valueOf(((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) x).get("LambdaInvokePolicy")).get("FunctionName")).get("Ref")))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(invoked, granted, entry.getKey() + ": may invoke exactly the functions it calls");
            assertEquals("STANDARD", p.get("Type"), entry.getKey());
        }
        assertEquals(4, machines, "backup-lifecycle, multi-restore, apply-schedule, results-sync");
    }

    private static String liveAliasOf(String where, Object value) {
        String sub = String.valueOf(((Map<?, ?>) value).get("Fn::Sub"));
        Matcher fn = Pattern.compile("\\$\\{([A-Za-z0-9]+)\\.Arn}:live").matcher(sub);
        assertTrue(fn.matches(), where + ": a function is called through its live alias (SnapStart): " + sub);
        return fn.group(1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pluginFunctionVariables() {
        Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) template.resources().get("WorkflowTasksFunction")
                .properties().get("Environment")).get("Variables");
        Map<String, Object> plugins = new java.util.TreeMap<>();
        variables.forEach((name, value) -> { if (name.startsWith("PLUGIN_FUNCTION_")) plugins.put(name, value); });
        return plugins;
    }

    @Test
    void functionsAreTracedLogInJsonAndUseSnapStart() {
        @SuppressWarnings("unchecked")
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) template.root().get("Globals")).get("Function");
        assertEquals("Active", globals.get("Tracing"));
        assertEquals("JSON", ((Map<?, ?>) globals.get("LoggingConfig")).get("LogFormat"));
        assertEquals("PublishedVersions", ((Map<?, ?>) globals.get("SnapStart")).get("ApplyOn"));
        assertTrue(globals.containsKey("AutoPublishAlias"), "SnapStart applies to published versions only");
        var api = template.httpApis().get(0);
        var jwt = api.jwtAuthorizers().get(api.defaultAuthorizer());
        assertTrue(jwt != null, "the HTTP API's default authorizer is a JWT authorizer");
    }

    @Test
    @SuppressWarnings("unchecked")
    void tableMatchesTheStoreSchemaWithPitrAndOnDemand() {
        assertEquals(1, template.tables().size());
        Map<String, Object> table = template.tables().get(0).properties();
        assertEquals("PAY_PER_REQUEST", table.get("BillingMode"));
        assertEquals("true", String.valueOf(((Map<?, ?>) table.get("PointInTimeRecoverySpecification")).get("PointInTimeRecoveryEnabled")));
        assertEquals(LifeboatTable.TTL, ((Map<?, ?>) table.get("TimeToLiveSpecification")).get("AttributeName"));
        Set<String> attributes = ((List<Map<String, Object>>) table.get("AttributeDefinitions")).stream()
                .map(a -> a.get("AttributeName") + ":" + a.get("AttributeType")).collect(Collectors.toSet());
        assertEquals(LifeboatTable.keyAttributes().stream().map(a -> a + ":S").collect(Collectors.toSet()), attributes);
        List<String> keys = ((List<Map<String, Object>>) table.get("KeySchema")).stream().map(k -> k.get("AttributeName") + ":" + k.get("KeyType")).toList();
        assertEquals(List.of(LifeboatTable.PK + ":HASH", LifeboatTable.SK + ":RANGE"), keys);
        List<Map<String, Object>> gsis = (List<Map<String, Object>>) table.get("GlobalSecondaryIndexes");
        assertEquals(List.of(LifeboatTable.GSI1, LifeboatTable.GSI2, LifeboatTable.GSI3, LifeboatTable.GSI4), gsis.stream().map(g -> g.get("IndexName")).toList());
        List<List<String>> expectedKeys = List.of(
                List.of(LifeboatTable.GSI1PK + ":HASH", LifeboatTable.GSI1SK + ":RANGE"),
                List.of(LifeboatTable.GSI2PK + ":HASH", LifeboatTable.GSI2SK + ":RANGE"),
                List.of(LifeboatTable.GSI3PK + ":HASH", LifeboatTable.GSI3SK + ":RANGE"),
                List.of(LifeboatTable.GSI4PK + ":HASH", LifeboatTable.GSI4SK + ":RANGE"));
        for (int i = 0; i < gsis.size(); i++) {
            List<String> gsiKeys = ((List<Map<String, Object>>) gsis.get(i).get("KeySchema")).stream().map(k -> k.get("AttributeName") + ":" + k.get("KeyType")).toList();
            assertEquals(expectedKeys.get(i), gsiKeys);
            assertEquals("ALL", ((Map<?, ?>) gsis.get(i).get("Projection")).get("ProjectionType"), "the store reads whole items from the indexes");
        }
    }

    interface Visitor {
        void visit(String path, Object node);
    }

    static void walk(Object node, String path, Visitor visitor) {
        visitor.visit(path, node);
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "/" + k, visitor));
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) walk(l.get(i), path + "[" + i + "]", visitor);
        }
    }

    static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}
