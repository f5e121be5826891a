package dev.lifeboat.bench.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.bench.coldstart.ColdStart.Sample;
import dev.lifeboat.bench.coldstart.ColdStartPlan.Unit;
import dev.lifeboat.local.template.FunctionDef;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.RepositoryRoot;
import dev.lifeboat.store.DynamoClients;
import dev.lifeboat.store.LifeboatTable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Keeps the cold start benchmark from rotting silently: the launcher really starts handlers from their jars in a fresh
 * JVM and reports a time, and the plan still covers every function of template.yaml. No assertion on how long
 * anything takes.
 */
@ExtendWith(dev.lifeboat.testing.Dynalite.class)
class ColdStartTest {
    static final String TABLE = "coldstart-test";
    static Path root;
    static SamTemplate template;

    @TempDir
    Path dir;

    @BeforeAll
    static void table(URI dynalite) throws Exception {
        root = RepositoryRoot.find();
        template = SamTemplate.load(root.resolve("template.yaml"));
        try (DynamoDbClient dynamo = DynamoClients.forEndpoint(dynalite)) {
            LifeboatTable.create(dynamo, TABLE);
        }
    }

    @Test
    void theLauncherRunsTheBaselineFromItsJarAndReportsItsColdStart(URI dynalite) throws Exception {
        Unit baseline = ColdStartPlan.baseline(root, template, TABLE, dynalite.toString(), dir.resolve("secrets"));
        assertTrue(Files.isRegularFile(baseline.jar()), "no " + baseline.jar() + ": run the package phase of infra/benchmarks/baseline-lambda");
        assertEquals("-XX:+TieredCompilation -XX:TieredStopAtLevel=1", baseline.environment().get("JAVA_TOOL_OPTIONS"),
                "the baseline gets the template's Globals environment");
        ColdStart coldStart = new ColdStart(LauncherJar.write(dir.resolve("launcher")), dir);

        Sample sample = ColdStartBenchmark.check(baseline, coldStart.run(baseline.launch(0)));

        assertEquals("ok", sample.outcome());
        assertEquals("{\"found\":false}", sample.answer());
        assertTrue(sample.initNanos() > 0 && sample.requestNanos() > 0, sample.toString());
        assertTrue(sample.spawnToAnswerNanos() > sample.initNanos() + sample.requestNanos(), "the JVM's start counts too: " + sample);
    }

    @Test
    void everyFunctionHasAUnitAndAnApiFunctionAnswersFromItsDeploymentJar(URI dynalite) throws Exception {
        List<Unit> units = ColdStartPlan.units(root, template, TABLE, dynalite.toString(), dir.resolve("secrets"));
        Set<String> handlers = template.functions().stream().map(FunctionDef::handlerClass).collect(Collectors.toSet());
        assertEquals(handlers, units.stream().map(Unit::handlerClass).collect(Collectors.toSet()), "one unit per handler class");
        Set<String> plugins = ColdStartPlan.plugins(units.stream().collect(Collectors.toMap(Unit::name, Unit::environment))).keySet();
        assertEquals(4, plugins.size(), "the plugin functions, found through PLUGIN_FUNCTION_<TYPE>: " + plugins);

        Unit api = units.stream().filter(u -> u.name().equals("BackupManagerFunction")).findFirst().orElseThrow();
        assertTrue(Files.isRegularFile(api.jar()), "no " + api.jar() + ": run the package phase of functions/api");
        ColdStart coldStart = new ColdStart(LauncherJar.write(dir.resolve("launcher")), dir);

        Sample sample = ColdStartBenchmark.check(api, coldStart.run(api.launch(0)));

        assertTrue(sample.answer().contains("\"statusCode\":404"), sample.answer());
    }

    @Test
    void heapMetaspaceAndCodeCacheAreSizedAsOnThePrintedRuntimeCommandLine() {
        // 256 MB: -XX:MaxHeapSize=222823k -XX:MaxMetaspaceSize=26214k -XX:ReservedCodeCacheSize=13107k (see LambdaJvm).
        List<String> options = LambdaJvm.options(256);
        assertTrue(options.containsAll(List.of("-XX:MaxHeapSize=222823k", "-XX:MaxMetaspaceSize=26214k",
                "-XX:ReservedCodeCacheSize=13107k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")), options.toString());
    }
}
