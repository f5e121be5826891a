package dev.lifeboat.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.sim.Faults;
import dev.lifeboat.sim.networker.NetworkerSimulator;
import dev.lifeboat.sim.networker.Vm;
import dev.lifeboat.sim.veeam.VeeamSimulator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * {@code ./lifeboat soak}: backups through flaky backup systems, end to end. Starts its own local runtime on free ports
 * (with a fresh table), sets up the demo cloud and {@code --vms} more VMs per backup system through the HTTP API, then
 * turns on the simulators' fault switches (a share of requests answered 500, a share of jobs failing) and runs
 * {@code --rounds} rounds of backup now on every VM, for Veeam and for NetWorker. It prints, per system, how the
 * backups ended (SUCCESS, FAILED by reason, stuck: still QUEUED or IN_PROGRESS after {@code --stuck-seconds}), how many
 * jobs the simulator started per backup (more than one is a duplicate), and SUCCESS against the ideal (every backup
 * whose job the simulator was not told to fail). Not part of {@code ./lifeboat test}: it takes minutes.
 */
public final class LocalSoak {
    static final String USAGE = """
            usage: LocalSoak --template FILE [options]
              --request-failures R   share (0..1) of the simulators' requests answered HTTP 500 (default 0.3)
              --job-failures R       share (0..1) of backups whose job the backup system fails (default 0)
              --vms N                VMs per backup system (default 20)
              --rounds N             backups now per VM (default 5; lifecycles = vms x rounds per system)
              --systems LIST         veeam,networker (default both)
              --stuck-seconds S      how long a round may take before its unfinished backups count as stuck (default 300)
              --seed N               random seed of the fault switches and of the job failures (default 42)
              --param NAME=VALUE     passed to the local runtime (repeatable)""";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private URI api;
    private String token;

    record Options(String template, double requestFailures, double jobFailures, int vms, int rounds, List<String> systems,
                   int stuckSeconds, long seed, List<String> params) {}

    private LocalSoak(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        // The handlers log a line per request and command to standard output; the soak's report alone goes there.
        PrintStream report = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        int failures = new LocalSoak(o, report).run();
        System.exit(failures == 0 ? 0 : 1);
    }

    static Options parse(String[] args) {
        String template = null;
        double requests = 0.3;
        double jobs = 0;
        int vms = 20;
        int rounds = 5;
        List<String> systems = List.of("veeam", "networker");
        int stuck = 300;
        long seed = 42;
        List<String> params = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            try {
                switch (option) {
                    case "--template" -> template = value;
                    case "--request-failures" -> requests = share(option, value);
                    case "--job-failures" -> jobs = share(option, value);
                    case "--vms" -> vms = Integer.parseInt(value);
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    case "--systems" -> systems = List.of(value.toLowerCase(Locale.ROOT).split(","));
                    case "--stuck-seconds" -> stuck = Integer.parseInt(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--param" -> params.add(value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a number, not '" + value + "'");
            }
        }
        if (template == null) {
            throw new IllegalArgumentException("--template is needed");
        }
        for (String s : systems) {
            if (!s.equals("veeam") && !s.equals("networker")) {
                throw new IllegalArgumentException("--systems takes veeam and networker, not '" + s + "'");
            }
        }
        if (vms < 1 || rounds < 1) {
            throw new IllegalArgumentException("--vms and --rounds must be at least 1");
        }
        return new Options(template, requests, jobs, vms, rounds, systems, stuck, seed, params);
    }

    private static double share(String option, String value) {
        double d = Double.parseDouble(value);
        if (d < 0 || d > 1) {
            throw new IllegalArgumentException(option + " is a share between 0 and 1, not " + value);
        }
        return d;
    }

    /** Runs the soak; the number of backups that did not end as the ideal says (stuck ones included). */
    int run() throws Exception {
        Path data = Files.createTempDirectory("lifeboat-soak");
        List<String> args = new ArrayList<>(List.of("--template", options.template(), "--data", data.toString(), "--port", "0",
                "--lambda-port", "0", "--sfn-port", "0", "--veeam-port", "0", "--networker-port", "0", "--demo",
                "--param", "JwtIssuer=lifeboat-local", "--param", "SecretStore=file:" + data.resolve("secrets"),
                "--param", "PluginSecretStore=file:" + data.resolve("secrets"), "--param", "SecretsExtensionLayerArn=local-none"));
        options.params().forEach(p -> {
            args.add("--param");
            args.add(p);
        });
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        out.printf("soak: %d VMs x %d rounds per system, %.0f %% of requests failing, %.0f %% of jobs failing%n", options.vms(),
                options.rounds(), options.requestFailures() * 100, options.jobFailures() * 100);
        int missed = 0;
        try (LocalApiMain.Running running = LocalApiMain.start(args.toArray(String[]::new), quiet, quiet)) {
            api = running.api().baseUri();
            token = LocalTokens.fromEnvironment().create("soak-admin", LocalDemo.ENTERPRISE, LocalTokens.ALL_PRIVILEGES, Duration.ofHours(6));
            LocalBackupSystems systems = running.backupSystems();
            for (String system : options.systems()) {
                missed += system.equals("veeam") ? soakVeeam(systems.veeam()) : soakNetworker(systems.networker());
            }
        } finally {
            deleteTree(data);
        }
        return missed;
    }

    // ---- one backup system ------------------------------------------------------------------------------------------

    /** A VM of the soak: Lifeboat's id, its name in the backup system, and the key the simulator counts jobs by. */
    private record SoakVm(String id, String name, String simKey) {}

    private int soakVeeam(VeeamSimulator sim) throws Exception {
        List<SoakVm> vms = new ArrayList<>();
        for (int i = 1; i <= options.vms(); i++) {
            String name = String.format("soak-%02d", i);
            String moref = "vm-" + (900 + i);
            String uuid = String.format("50123a4b-1c2d-4e5f-8a9b-0c1d2e3f%04d", 900 + i);
            sim.addVm("vcenter.local", name, moref, uuid);
            register("veeam-" + name, "dc-veeam", name, moref, uuid);
            vms.add(new SoakVm("veeam-" + name, name, name));
        }
        awaitApplied(vms);
        return soak("Veeam", sim.faults(), vms, vm -> sim.failNextBackup(vm.simKey(), "Soak: the backup job failed"),
                () -> {
                    Map<String, Integer> n = new TreeMap<>();
                    sim.backupSessions().forEach(s -> s.vmNames().forEach(v -> n.merge(v, 1, Integer::sum)));
                    return n;
                });
    }

    private int soakNetworker(NetworkerSimulator sim) throws Exception {
        List<SoakVm> vms = new ArrayList<>();
        for (int i = 1; i <= options.vms(); i++) {
            String name = String.format("soak-%02d", i);
            Vm vm = sim.addVm("vcenter.local", name);
            register("nw-" + name, "dc-networker", name, vm.moref(), vm.uuid());
            vms.add(new SoakVm("nw-" + name, name, vm.uuid()));
        }
        awaitApplied(vms);
        return soak("NetWorker", sim.faults(), vms, vm -> sim.failNextBackup(vm.simKey(), "Soak: the backup job failed"),
                () -> {
                    Map<String, Integer> n = new TreeMap<>();
                    sim.jobs().stream().filter(j -> j.kind().equals("backup")).forEach(j -> j.vmUuids().forEach(u -> n.merge(u, 1, Integer::sum)));
                    return n;
                });
    }

    private interface JobCounts {
        Map<String, Integer> get();
    }

    private interface JobFailure {
        void failNext(SoakVm vm);
    }

    private int soak(String system, Faults faults, List<SoakVm> vms, JobFailure failNext, JobCounts jobs) throws Exception {
        Random random = new Random(options.seed());
        Map<String, Integer> jobsBefore = jobs.get();
        Map<String, Integer> outcomes = new TreeMap<>();
        int lifecycles = 0;
        int failedJobs = 0;
        Instant started = Instant.now();
        faults.errorRate(options.requestFailures(), 500);
        try {
            for (int round = 1; round <= options.rounds(); round++) {
                Map<SoakVm, String> backups = new LinkedHashMap<>();
                for (SoakVm vm : vms) {
                    if (random.nextDouble() < options.jobFailures()) {
                        failNext.failNext(vm);
                        failedJobs++;
                    }
                    lifecycles++;
                    try {
                        JsonNode b = call("POST", "/virtual-machines/" + vm.id() + "/backups", "{}", "soak-" + round + "-" + vm.id());
                        backups.put(vm, b.path("id").asText());
                    } catch (IOException refused) {
                        // A VM still busy with a stuck backup of an earlier round, say: counted, not retried.
                        outcomes.merge("not started (API refused)", 1, Integer::sum);
                    }
                }
                Instant deadline = Instant.now().plusSeconds(options.stuckSeconds());
                Map<SoakVm, String> ended = new LinkedHashMap<>();
                while (ended.size() < backups.size() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(1000);
                    for (Map.Entry<SoakVm, String> e : backups.entrySet()) {
                        if (ended.containsKey(e.getKey())) {
                            continue;
                        }
                        JsonNode b = call("GET", "/virtual-machines/" + e.getKey().id() + "/backups/" + e.getValue(), null, null);
                        String status = b.path("status").asText();
                        if (status.equals("SUCCESS")) {
                            ended.put(e.getKey(), "SUCCESS");
                        } else if (status.equals("FAILED")) {
                            ended.put(e.getKey(), "FAILED " + b.path("error").path("code").asText("?"));
                        }
                    }
                }
                for (SoakVm vm : backups.keySet()) {
                    outcomes.merge(ended.getOrDefault(vm, "stuck"), 1, Integer::sum);
                }
            }
        } finally {
            faults.clear();
        }
        Map<String, Integer> jobsAfter = jobs.get();
        int jobsStarted = 0;
        int duplicates = 0;
        for (SoakVm vm : vms) {
            int n = jobsAfter.getOrDefault(vm.simKey(), 0) - jobsBefore.getOrDefault(vm.simKey(), 0);
            jobsStarted += n;
            duplicates += Math.max(0, n - options.rounds());
        }
        int success = outcomes.getOrDefault("SUCCESS", 0);
        int ideal = lifecycles - failedJobs;
        out.printf("%s: %d lifecycles in %d s%n", system, lifecycles, Duration.between(started, Instant.now()).toSeconds());
        outcomes.forEach((k, v) -> out.printf("  %-28s %d%n", k, v));
        out.printf("  %-28s %d%n", "stuck (total)", outcomes.getOrDefault("stuck", 0));
        out.printf("  jobs started %d for %d backups (%.2f per backup), duplicates %d%n", jobsStarted, lifecycles,
                jobsStarted / (double) lifecycles, duplicates);
        out.printf("  SUCCESS %d of ideal %d (%d jobs failed on purpose): %.1f %%%n", success, ideal, failedJobs,
                ideal == 0 ? 100.0 : 100.0 * success / ideal);
        return Math.max(0, ideal - success);
    }

    // ---- the API ----------------------------------------------------------------------------------------------------

    private void register(String id, String dc, String name, String moref, String uuid) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("enterprise", LocalDemo.ENTERPRISE).put("datacenter", dc).put("name", name);
        body.putObject("hypervisor").put("vcenter", "vcenter.local").put("moref", moref).put("uuid", uuid);
        call("PUT", "/virtual-machines/" + id, body.put("state", "NOT_ALLOCATED").toString(), null);
        call("PUT", "/virtual-machines/" + id + "/backup", "{\"policies\":[{\"policyId\":\"" + policyId(dc, "GOLD") + "\"}]}", null);
        call("PUT", "/virtual-machines/" + id, body.put("state", "DEPLOYED").toString(), null);
    }

    private final Map<String, String> policies = new LinkedHashMap<>();

    private String policyId(String dc, String code) throws Exception {
        String key = dc + "/" + code;
        if (!policies.containsKey(key)) {
            for (JsonNode p : call("GET", "/datacenters/" + dc + "/backup-policies?limit=100", null, null).path("items")) {
                if (p.path("code").asText().equalsIgnoreCase(code)) {
                    policies.put(key, p.path("id").asText());
                }
            }
        }
        return policies.get(key);
    }

    /** Waits until every VM's configuration is applied (before any fault is switched on). */
    private void awaitApplied(List<SoakVm> vms) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        for (SoakVm vm : vms) {
            while (!call("GET", "/virtual-machines/" + vm.id() + "/backup", null, null).path("status").asText().equals("APPLIED")) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("soak: VM " + vm.id() + " was not APPLIED within 120 s");
                }
                Thread.sleep(200);
            }
        }
    }

    private JsonNode call(String method, String path, String body, String idempotencyKey) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + token).header("content-type", "application/json");
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException("soak: " + method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
