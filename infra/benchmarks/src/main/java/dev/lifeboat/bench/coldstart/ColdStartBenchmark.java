package dev.lifeboat.bench.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.bench.coldstart.ColdStart.Sample;
import dev.lifeboat.bench.coldstart.ColdStartPlan.Unit;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.DynaliteProcess;
import dev.lifeboat.processes.RepositoryRoot;
import dev.lifeboat.store.DynamoClients;
import dev.lifeboat.store.LifeboatTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Cold start of every function of template.yaml beside a baseline that only builds a DynamoDB client and does one
 * GetItem, in the same run. Each sample is a fresh JVM with the managed runtime's options ({@link LambdaJvm}) and the
 * function's environment, timed from spawn to the first request handled against dynalite ({@link ColdStart}); one unit
 * per distinct handler class ({@link ColdStartPlan}). Samples go round by round over all units, the baseline among
 * them, so drift of a shared machine hits all alike. Prints per function the median, its parts, the ratio to the
 * baseline's median and the jar's size. Never passes or fails on a time; it stops only when an answer is wrong
 * (then the figure would time a failure).
 *
 * <p>Usage: {@code ColdStartBenchmark [--samples N] [--only LogicalId,...] [--metrics-variants]} (default 7 samples);
 * {@code --metrics-variants} adds the baseline with Lifeboat's own EMF line and with Powertools metrics.
 */
public final class ColdStartBenchmark {
    static final String TABLE = "lifeboat-coldstart";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int samples = 7;
        Set<String> only = Set.of();
        boolean metricsVariants = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--only" -> only = Set.of(args[++i].split(","));
                case "--metrics-variants" -> metricsVariants = true;
                default -> throw new IllegalArgumentException("usage: ColdStartBenchmark [--samples N] [--only LogicalId,...], not " + args[i]);
            }
        }
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be at least 1");
        }
        Path root = RepositoryRoot.find();
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        Path work = Files.createTempDirectory("lifeboat-coldstart");
        long started = System.nanoTime();
        try (DynaliteProcess dynalite = DynaliteProcess.startFromRepository(null);
             DynamoDbClient dynamo = DynamoClients.forEndpoint(dynalite.endpoint());
             RefusingBackupSystem backupSystem = RefusingBackupSystem.start()) {
            LifeboatTable.create(dynamo, TABLE);
            String endpoint = dynalite.endpoint().toString();
            Path secrets = work.resolve("secrets");
            Unit baseline = ColdStartPlan.baseline(root, template, TABLE, endpoint, secrets);
            Set<String> chosen = only;
            List<Unit> planned = ColdStartPlan.units(root, template, TABLE, endpoint, secrets, backupSystem.endpoint());
            Set<String> unknown = new java.util.TreeSet<>(chosen);
            planned.forEach(u -> unknown.remove(u.name()));
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("--only names no function of template.yaml: " + unknown);
            }
            List<Unit> functions = planned.stream().filter(u -> chosen.isEmpty() || chosen.contains(u.name())).toList();
            List<Unit> all = new ArrayList<>();
            all.add(baseline);
            all.addAll(functions);
            if (metricsVariants) {
                all.addAll(ColdStartPlan.metricsVariants(root, baseline));
            }
            requireJars(root, all);
            ColdStart coldStart = new ColdStart(LauncherJar.write(work), work);

            PrintStream out = System.out;
            out.printf("Cold start: a fresh JVM per sample (%s, Java %s), spawn to the first request answered against dynalite;%n",
                    LambdaJvm.java(), System.getProperty("java.version"));
            out.printf("%d samples per function, round by round with the baseline; %d cores here.%n", samples,
                    Runtime.getRuntime().availableProcessors());
            out.printf("Runtime options (%d MB): %s%nJAVA_TOOL_OPTIONS (template): %s%n%n", baseline.memoryMb(),
                    String.join(" ", LambdaJvm.options(baseline.memoryMb())),
                    baseline.environment().getOrDefault("JAVA_TOOL_OPTIONS", "(none)"));

            // The jars and the JDK come from the page cache in every sample alike, the first one included.
            for (Unit u : all) {
                readFully(u.jar());
            }
            check(baseline, coldStart.run(baseline.launch(-1)));

            Map<Unit, List<Sample>> results = new LinkedHashMap<>();
            all.forEach(u -> results.put(u, new ArrayList<>()));
            for (int round = 0; round < samples; round++) {
                System.err.printf("round %d/%d ", round + 1, samples);
                for (int i = 0; i < all.size(); i++) {
                    // Each round starts one unit later: no unit is always the first of a round.
                    Unit unit = all.get((i + round) % all.size());
                    results.get(unit).add(check(unit, coldStart.run(unit.launch(round))));
                    System.err.print('.');
                }
                System.err.println();
            }
            report(out, baseline, results);
            out.printf("%nTook %.0f s.%n", (System.nanoTime() - started) / 1e9);
        } finally {
            deleteTree(work);
        }
    }

    static Sample check(Unit unit, Sample sample) {
        if (!unit.check().test(sample)) {
            throw new IllegalStateException(unit.name() + " (" + unit.handler() + ") answered " + sample.outcome() + ": "
                    + abbreviate(sample.answer(), 400) + "; expected " + unit.expected()
                    + ". The cold start would time a failure: fix the function or the benchmark's event.");
        }
        return sample;
    }

    private static void requireJars(Path root, List<Unit> units) {
        List<String> missing = units.stream().map(Unit::jar).distinct().filter(j -> !Files.isRegularFile(j))
                .map(j -> root.relativize(j).toString()).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("not built: " + String.join(", ", missing) + " (run mvn install -DskipTests first)");
        }
    }

    static void report(PrintStream out, Unit baseline, Map<Unit, List<Sample>> results) throws IOException {
        double base = median(results.get(baseline), Sample::spawnToAnswerNanos);
        out.printf("%-30s %-26s %8s %10s %10s %8s %8s %8s %10s  %s%n", "function", "jar", "jar MB", "median ms",
                "range ms", "jvm ms", "init ms", "req ms", "x baseline", "first answer");
        List<Unit> order = new ArrayList<>(results.keySet());
        order.remove(baseline);
        order.add(baseline);
        for (Unit u : order) {
            List<Sample> s = results.get(u);
            double total = median(s, Sample::spawnToAnswerNanos);
            double init = median(s, Sample::initNanos);
            double request = median(s, Sample::requestNanos);
            long min = s.stream().mapToLong(Sample::spawnToAnswerNanos).min().orElse(0);
            long max = s.stream().mapToLong(Sample::spawnToAnswerNanos).max().orElse(0);
            out.printf("%-30s %-26s %8.2f %10.0f %10s %8.0f %8.0f %8.0f %10.2f  %s%n", u.name(), u.jar().getFileName(),
                    Files.size(u.jar()) / 1048576.0, total / 1e6, (min / 1_000_000) + "-" + (max / 1_000_000),
                    (total - init - request) / 1e6, init / 1e6, request / 1e6, total / base, summary(s.get(0)));
        }
        out.println();
        out.println("median ms: spawn of the JVM to the first request answered; jvm ms = median - init - req (JVM start,");
        out.println("launcher); init ms: handler class loaded and constructed (Lambda's function init); req ms: the first");
        out.println("handleRequest; x baseline: median / the baseline's median (a client, one GetItem).");
    }

    static double median(List<Sample> samples, java.util.function.ToLongFunction<Sample> of) {
        long[] values = samples.stream().mapToLong(of).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
    }

    private static String summary(Sample s) {
        if (!s.ok()) {
            String type = s.outcome().substring(s.outcome().lastIndexOf('.') + 1);
            return type + ": " + abbreviate(s.answer(), 40);
        }
        try {
            JsonNode answer = JSON.readTree(s.answer());
            if (answer.has("statusCode")) {
                return "HTTP " + answer.get("statusCode").asInt();
            }
        } catch (IOException ignored) {
            // not JSON: shown as text
        }
        return abbreviate(s.answer(), 40);
    }

    private static String abbreviate(String text, int max) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }

    private static void readFully(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
