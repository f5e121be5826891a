package dev.lifeboat.local;

import dev.lifeboat.processes.DynaliteProcess;
import dev.lifeboat.local.template.HttpRoute;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.UnresolvableReferenceException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code LocalApiMain [--template template.yaml] [--host 127.0.0.1] [--port 3000] [--data .lifeboat/dynamodb]
 * [--dynamodb-endpoint URL] [--dynalite-script FILE] [--node NODE] [--param NAME=VALUE ...]}
 *
 * <p>Starts dynalite on the data folder (unless an endpoint is given), creates the template's tables, and serves
 * the template's HTTP API with the handlers on this JVM's classpath. Ctrl-C stops everything it started.
 */
public final class LocalApiMain {

    static final String USAGE = """
            usage: LocalApiMain [options]
              --template FILE           SAM template (default template.yaml)
              --host HOST               address to listen on (default 127.0.0.1)
              --port PORT               HTTP port, 0 for any free one (default 3000)
              --data DIR                where dynalite keeps tables between runs (default .lifeboat/dynamodb)
              --dynamodb-endpoint URL   use this DynamoDB instead of starting dynalite
              --dynalite-script FILE    launcher (default <template dir>/infra/dynalite/start-dynalite.js)
              --node NODE               Node.js executable for dynalite (default node)
              --param NAME=VALUE        value of a template parameter (repeatable)
              --lambda-port PORT        Lambda Invoke API port, 0 for any free one (default 3001)
              --sfn-port PORT           Step Functions endpoint port, 0 for any free one (default 3002)
              --wait-seconds S          how long every Wait state of a workflow lasts locally (default 1)
              --clock-speed N           how fast schedules' time runs (default 1; 60: a minute a second, for demos)
              --veeam-port PORT         Veeam simulator port (default 9399)
              --networker-port PORT     NetWorker simulator port (default 9090)
              --dynamodb-port PORT      dynalite's port (default 0: any free one)
              --events-port PORT        EventBridge endpoint port (default 0: any free one)
              --scheduler-port PORT     EventBridge Scheduler endpoint port (default 0: any free one)
              --vcsim-port PORT         vcsim's port (default 0: any free one)
              every port option takes 0 for any free one; a port that is taken is named with the option that moves it
              --job-seconds S           how long the simulators' backup and restore jobs take (default 2)
              --demo                    set up a demo cloud through the API: two datacenters, policies, four VMs
              signing key of accepted tokens: $LIFEBOAT_LOCAL_JWT_KEY (default lifeboat-local-dev-key)""";

    private LocalApiMain() {
    }

    public static void main(String[] args) {
        Running running;
        try {
            running = start(args, System.out, System.err);
        } catch (StartupException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.exit(e.status);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "lifeboat-local-shutdown"));
        // The server's own (non-daemon) thread keeps the JVM alive until Ctrl-C.
    }

    /** Command-line options; see {@link #USAGE}. */
    record Options(Path template, String host, int port, Path data, URI dynamoDbEndpoint, Path dynaliteScript,
            String node, Map<String, String> parameters, int lambdaPort, int veeamPort, int networkerPort, double jobSeconds,
            boolean demo, int sfnPort, double waitSeconds, double clockSpeed, int dynamodbPort, int eventsPort,
            int schedulerPort, int vcsimPort) {

        /** Every port the runtime opens, by the option that sets it, with what listens there (for the taken-port message). */
        Map<String, Map.Entry<Integer, String>> ports() {
            Map<String, Map.Entry<Integer, String>> ports = new LinkedHashMap<>();
            ports.put("--port", Map.entry(port, "the HTTP API"));
            ports.put("--lambda-port", Map.entry(lambdaPort, "the Lambda Invoke API"));
            ports.put("--sfn-port", Map.entry(sfnPort, "the Step Functions endpoint"));
            ports.put("--veeam-port", Map.entry(veeamPort, "the Veeam simulator"));
            ports.put("--networker-port", Map.entry(networkerPort, "the NetWorker simulator"));
            if (dynamoDbEndpoint == null) {
                ports.put("--dynamodb-port", Map.entry(dynamodbPort, "dynalite (DynamoDB)"));
            }
            ports.put("--events-port", Map.entry(eventsPort, "the EventBridge endpoint"));
            ports.put("--scheduler-port", Map.entry(schedulerPort, "the Scheduler endpoint"));
            ports.put("--vcsim-port", Map.entry(vcsimPort, "vcsim (vCenter)"));
            return ports;
        }

        static Options parse(String[] args) {
            Path template = Path.of("template.yaml");
            String host = LocalHttpApi.DEFAULT_HOST;
            int port = LocalHttpApi.DEFAULT_PORT;
            Path data = Path.of(".lifeboat", "dynamodb");
            URI endpoint = null;
            Path script = null;
            String node = "node";
            Map<String, String> parameters = new LinkedHashMap<>();
            int lambdaPort = 3001;
            int veeamPort = 9399;
            int networkerPort = 9090;
            double jobSeconds = 2;
            boolean demo = false;
            int sfnPort = 3002;
            double waitSeconds = 1;
            double clockSpeed = 1;
            int dynamodbPort = 0;
            int eventsPort = 0;
            int schedulerPort = 0;
            int vcsimPort = 0;
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--demo")) {
                    demo = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--template" -> template = Path.of(value);
                    case "--host" -> host = value;
                    case "--port" -> port = port(option, value);
                    case "--data" -> data = Path.of(value);
                    case "--lambda-port" -> lambdaPort = port(option, value);
                    case "--sfn-port" -> sfnPort = port(option, value);
                    case "--wait-seconds" -> waitSeconds = seconds(option, value);
                    case "--clock-speed" -> clockSpeed = dev.lifeboat.local.events.LocalClock.parseSpeed(value);
                    case "--veeam-port" -> veeamPort = port(option, value);
                    case "--networker-port" -> networkerPort = port(option, value);
                    case "--job-seconds" -> jobSeconds = seconds(option, value);
                    case "--dynamodb-port" -> dynamodbPort = port(option, value);
                    case "--events-port" -> eventsPort = port(option, value);
                    case "--scheduler-port" -> schedulerPort = port(option, value);
                    case "--vcsim-port" -> vcsimPort = port(option, value);
                    case "--dynamodb-endpoint" -> endpoint = URI.create(value);
                    case "--dynalite-script" -> script = Path.of(value);
                    case "--node" -> node = value;
                    case "--param" -> {
                        int equals = value.indexOf('=');
                        if (equals <= 0) {
                            throw new IllegalArgumentException("--param needs NAME=VALUE, got " + value);
                        }
                        parameters.put(value.substring(0, equals), value.substring(equals + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (script == null) {
                Path directory = template.toAbsolutePath().normalize().getParent();
                script = DynaliteProcess.defaultScript(directory == null ? Path.of(".") : directory);
            }
            return new Options(template, host, port, data, endpoint, script, node, Map.copyOf(parameters), lambdaPort, veeamPort,
                    networkerPort, jobSeconds, demo, sfnPort, waitSeconds, clockSpeed, dynamodbPort, eventsPort, schedulerPort, vcsimPort);
        }

        private static double seconds(String option, String value) {
            double s;
            try {
                s = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a number of seconds, got " + value);
            }
            if (s < 0 || s > 3600) {
                throw new IllegalArgumentException(option + " must be 0..3600 seconds, got " + value);
            }
            return s;
        }

        private static int port(String option, String value) {
            int p;
            try {
                p = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a number, got " + value);
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException(option + " must be 0..65535, got " + value);
            }
            return p;
        }
    }

    /** What a start left running; {@link #close()} stops it all. */
    public static final class Running implements AutoCloseable {
        private final LocalHttpApi api;
        private final DynaliteProcess dynalite;
        private final URI dynamoDbEndpoint;
        private final List<AutoCloseable> services;

        Running(LocalHttpApi api, DynaliteProcess dynalite, URI dynamoDbEndpoint, List<AutoCloseable> services) {
            this.api = api;
            this.dynalite = dynalite;
            this.dynamoDbEndpoint = dynamoDbEndpoint;
            this.services = List.copyOf(services);
        }

        /** The simulators of the backup systems. */
        public LocalBackupSystems backupSystems() {
            return services.stream().filter(LocalBackupSystems.class::isInstance).map(LocalBackupSystems.class::cast).findFirst().orElseThrow();
        }

        /** The Veeam simulator's API (the local runtime's backup system for VEEAM managers). */
        public URI veeamEndpoint() {
            return services.stream().filter(LocalBackupSystems.class::isInstance).map(s -> ((LocalBackupSystems) s).veeamEndpoint())
                    .findFirst().orElseThrow();
        }

        /** The NetWorker simulator's API (the local runtime's backup system for NETWORKER managers). */
        public URI networkerEndpoint() {
            return services.stream().filter(LocalBackupSystems.class::isInstance).map(s -> ((LocalBackupSystems) s).networkerEndpoint())
                    .findFirst().orElseThrow();
        }

        /** The Lambda Invoke API, the simulators, ...: what started beside the HTTP API, in start order. */
        public List<AutoCloseable> services() {
            return services;
        }

        public LocalHttpApi api() {
            return api;
        }

        public URI dynamoDbEndpoint() {
            return dynamoDbEndpoint;
        }

        @Override
        public void close() {
            api.close();
            closeAll(services);
            if (dynalite != null) {
                dynalite.close();
            }
        }
    }

    /** A start that failed; the message is for people, {@link #status} the exit status. */
    public static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        StartupException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }
    }

    public static Running start(String[] args, PrintStream out, PrintStream err) throws StartupException {
        long started = System.nanoTime();
        Options options;
        try {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                out.println(USAGE);
                throw new StartupException("", 0, null);
            }
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage() + "\n" + USAGE, 2, e);
        }

        SamTemplate template;
        try {
            template = SamTemplate.load(options.template());
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException("Cannot load template " + options.template().toAbsolutePath() + ": "
                    + e.getMessage(), 1, e);
        }
        // Checked before dynalite starts, so a second runtime fails in milliseconds and starts nothing.
        for (var entry : options.ports().entrySet()) {
            int port = entry.getValue().getKey();
            if (port != 0 && !isFree(options.host(), port)) {
                throw new StartupException(portInUse(options.host(), port, entry.getValue().getValue(), entry.getKey()), 1, null);
            }
        }

        DynaliteProcess dynalite = null;
        LocalHttpApi api = null;
        List<AutoCloseable> services = new java.util.ArrayList<>();
        try {
            URI endpoint = options.dynamoDbEndpoint();
            if (endpoint == null) {
                DynaliteProcess.ensureInstalled(options.dynaliteScript().toAbsolutePath().getParent());
                dynalite = DynaliteProcess.start(options.node(), options.dynaliteScript(), options.data(),
                        DynaliteProcess.DEFAULT_START_TIMEOUT, options.dynamodbPort());
                endpoint = dynalite.endpoint();
            }
            Map<String, String> refs = new LinkedHashMap<>(template.defaultRefs());
            refs.putAll(options.parameters());
            List<LocalTables.Outcome> tables;
            try (DynamoDbClient client = LocalTables.client(endpoint)) {
                tables = new LocalTables(client, err).createAll(template, refs);
            }
            Map<String, String> overrides = new LinkedHashMap<>(options.parameters());
            overrides.putAll(LocalTables.names(tables));
            LocalBackupSystems systems = LocalBackupSystems.start(options.veeamPort(), options.networkerPort(),
                    java.time.Duration.ofMillis(Math.round(options.jobSeconds() * 1000)));
            services.add(systems);
            Path repository = options.template().toAbsolutePath().normalize().getParent();
            java.util.Optional<LocalVcsim> vcsim = repository == null ? java.util.Optional.empty() : LocalVcsim.startIfBuilt(repository, options.vcsimPort());
            vcsim.ifPresent(services::add);
            // Bound before the functions get their environment, which names its port.
            dev.lifeboat.workflowruntime.LambdaInvokeServer lambdas = dev.lifeboat.workflowruntime.LambdaInvokeServer.start(options.lambdaPort());
            services.add(lambdas);
            Map<String, String> localRefs = LocalEnvironment.refs(template, overrides);
            dev.lifeboat.local.sfn.LocalStepFunctions stepFunctions;
            try {
                stepFunctions = dev.lifeboat.local.sfn.LocalStepFunctions.start(options.sfnPort(),
                        dev.lifeboat.workflowruntime.StepFunctionsLocal.fromRepository(lambdas),
                        dev.lifeboat.local.sfn.LocalStateMachine.fromTemplate(template, localRefs),
                        LocalWorkflows.options(Math.round(options.waitSeconds() * 1000), 500));
            } catch (IOException e) {
                // Node 22 and aws-local-stepfunctions come from infra/stepfunctions; the message says how to get them.
                throw new IOException("the local Step Functions endpoint: " + e.getMessage(), e);
            }
            stepFunctions.log(err);
            services.add(stepFunctions);
            // EventBridge and Scheduler on a clock that may run fast, so schedules fire in a demo's minutes.
            dev.lifeboat.local.events.LocalClock clock = dev.lifeboat.local.events.LocalClock.startingNow(options.clockSpeed());
            dev.lifeboat.local.events.LocalEventBus bus = new dev.lifeboat.local.events.LocalEventBus(options.host(), options.eventsPort(), clock, err).start();
            services.add(bus);
            services.add(LocalOperations.start(template, refs, bus, err));
            dev.lifeboat.local.events.LocalScheduler scheduler = new dev.lifeboat.local.events.LocalScheduler(options.host(), options.schedulerPort(), clock,
                    new StartExecutionTarget(stepFunctions.endpoint()), err).start();
            services.add(scheduler);
            for (String group : dev.lifeboat.local.events.LocalScheduler.templateGroups(template, localRefs)) {
                scheduler.createGroup(group);
            }
            for (var schedule : dev.lifeboat.local.events.LocalScheduler.templateSchedules(template, localRefs)) {
                scheduler.addTemplateSchedule(schedule);
            }
            Map<String, String> runtime = new LinkedHashMap<>(LocalEnvironment.dynamoDbVariables(endpoint.toString()));
            runtime.put("AWS_ENDPOINT_URL_LAMBDA", lambdas.endpoint().toString());
            runtime.put("AWS_ENDPOINT_URL_SFN", stepFunctions.endpoint().toString());
            runtime.put("AWS_ENDPOINT_URL_EVENTBRIDGE", bus.endpoint().toString());
            runtime.put("AWS_ENDPOINT_URL_SCHEDULER", scheduler.endpoint().toString());
            Map<String, Map<String, String>> environments = LocalEnvironment.forFunctions(template, localRefs, runtime);
            api = new LocalHttpApi(template, environments, options.host(), options.port()).withLog(err)
                    .withConsole(new LocalConsole(LocalConsole.defaultDist(options.template()), LocalTokens.fromEnvironment())).start();
            LocalLambdas.register(lambdas, api.functions());
            // The cloud platform's VM reports published on the local bus reach the registry function, as the rule does in AWS.
            LocalFunction registry = api.functions().get("VmEventsFunction");
            if (registry != null) {
                bus.addListener(event -> {
                    if ("VirtualMachineStateChanged".equals(event.detailType())) {
                        try {
                            registry.invoke(event.toJson().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), event.id());
                        } catch (Exception e) {
                            err.println("[events] VirtualMachineStateChanged " + event.id() + " refused: " + e.getMessage());
                        }
                    }
                });
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            banner(out, api, options, dynalite, endpoint, tables, elapsedMs, lambdas, systems, stepFunctions);
            out.println("  vCenter    " + vcsim.map(v -> v.sdk() + "   (vcsim, any user and password; VMWARE_SNAPSHOT managers)")
                    .orElse("not started: infra/vcsim/build.sh builds vcsim"));
            out.println("  Events     " + bus.endpoint() + "   (EventBridge PutEvents; state changes are logged)");
            out.println("  Scheduler  " + scheduler.endpoint() + "   (clock speed " + options.clockSpeed() + "; "
                    + scheduler.schedules().size() + " schedule(s) from the template)");
            out.println("Ctrl-C stops everything it started.");
            Running running = new Running(api, dynalite, endpoint, services);
            if (options.demo()) {
                String token = LocalTokens.fromEnvironment().create("demo-admin", LocalDemo.ENTERPRISE, LocalTokens.ALL_PRIVILEGES,
                        LocalTokens.DEFAULT_TTL);
                try {
                    List<String> vms = new LocalDemo(api.baseUri(), token, out).load(systems);
                    out.println("Demo loaded: datacenters dc-veeam and dc-networker, policies GOLD and SILVER, VMs " + String.join(", ", vms));
                } catch (IOException | InterruptedException e) {
                    running.close();
                    throw new StartupException("The demo could not be set up: " + e.getMessage(), 1, e);
                }
            }
            return running;
        } catch (LocalHttpApi.PortInUseException e) {
            closeAll(services);
            close(api, dynalite);
            throw new StartupException(e.getMessage(), 1, e);
        } catch (UnresolvableReferenceException e) {
            closeAll(services);
            close(api, dynalite);
            throw new StartupException(e.getMessage() + "\n(give template parameters a value with --param NAME=VALUE)",
                    1, e);
        } catch (IOException | RuntimeException e) {
            closeAll(services);
            close(api, dynalite);
            throw new StartupException("Cannot start the local API: " + e.getMessage(), 1, e);
        }
    }

    static String portInUse(String host, int port, String what, String option) {
        return "Port " + port + " on " + host + " is already in use, and " + what + " listens there by default (another local"
                + " runtime?). Stop that process or move " + what + " with " + option + " PORT (0 for any free one).";
    }

    private static boolean isFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            // Not a "taken" answer (e.g. unknown host): let the real bind report it.
            return true;
        }
    }

    /** Stops in reverse start order; one that fails to stop does not keep the others running. */
    static void closeAll(List<AutoCloseable> services) {
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                System.err.println("could not stop " + services.get(i) + ": " + e.getMessage());
            }
        }
    }

    private static void close(LocalHttpApi api, DynaliteProcess dynalite) {
        if (api != null) {
            api.close();
        }
        if (dynalite != null) {
            dynalite.close();
        }
    }

    private static void banner(PrintStream out, LocalHttpApi api, Options options, DynaliteProcess dynalite, URI endpoint,
            List<LocalTables.Outcome> tables, long elapsedMs, dev.lifeboat.workflowruntime.LambdaInvokeServer lambdas,
            LocalBackupSystems systems, dev.lifeboat.local.sfn.LocalStepFunctions stepFunctions) {
        URI base = api.baseUri();
        out.println("Lifeboat started locally in " + elapsedMs + " ms");
        out.println("  API        " + base + "   (template " + options.template().toAbsolutePath().normalize() + ")");
        for (HttpRoute route : api.routes()) {
            out.printf("               %-7s %s -> %s%s%n", route.isDefault() ? "" : route.method(),
                    route.isDefault() ? "$default" : route.path(), route.functionLogicalId(),
                    api.requiresToken(route) ? "" : "  (no token)");
        }
        out.println("  Console    " + base + LocalConsole.PREFIX + "/   (web console; development sign-in on loopback)");
        out.println("  Lambda     " + lambdas.endpoint() + "   (Invoke API over every function: aws lambda invoke --endpoint-url "
                + lambdas.endpoint() + " --function-name <LogicalId> ...)");
        out.println("  StepFunc.  " + stepFunctions.endpoint() + "   (" + stepFunctions.stateMachines().size()
                + " state machines; aws stepfunctions list-executions --endpoint-url " + stepFunctions.endpoint() + " ...)");
        out.println("  Veeam      " + systems.veeamEndpoint() + "   (simulator, user lifeboat / lifeboat)");
        out.println("  NetWorker  " + systems.networkerEndpoint() + "   (simulator, user lifeboat / lifeboat)");
        if (dynalite != null) {
            out.println("  DynamoDB   " + endpoint + "   (dynalite pid " + dynalite.pid() + ", data in "
                    + options.data().toAbsolutePath().normalize() + ")");
        } else {
            out.println("  DynamoDB   " + endpoint + "   (given by --dynamodb-endpoint)");
        }
        for (LocalTables.Outcome table : tables) {
            out.println("  Table      " + table.logicalId() + " = " + table.tableName()
                    + (table.created() ? "   (created)" : "   (existed, data kept)"));
        }
        String token = LocalTokens.fromEnvironment().create("local-user", "ent-1", LocalTokens.ALL_PRIVILEGES,
                LocalTokens.DEFAULT_TTL);
        out.println("  Token      local-user of ent-1, all privileges, valid 12 h:");
        out.println("             export TOKEN=" + token);
        out.println("             curl -H \"Authorization: Bearer $TOKEN\" " + base + "/...");
        out.println("             other users: dev.lifeboat.local.TokenCommand --sub alice --ent ent-1 "
                + "--priv PHYS_DC_RETRIEVE_DETAILS --ttl 3600 (same classpath)");
    }
}
