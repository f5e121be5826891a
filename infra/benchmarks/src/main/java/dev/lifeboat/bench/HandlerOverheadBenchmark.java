package dev.lifeboat.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.handlers.BackupPoliciesHandler;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.SyntheticEvents;
import dev.lifeboat.secrets.FileSecretStore;
import dev.lifeboat.store.DynamoClients;
import dev.lifeboat.store.LifeboatTable;
import dev.lifeboat.processes.DynaliteProcess;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * How much the handlers add to the DynamoDB calls they make: list-policies and get-policy, and the tenant's hot paths
 * that write, backup now and a VM's backup configuration PUT, with their transactions. Each sample times the handler
 * (event in, response out) and, right after, the same raw DynamoDB calls with the same client; the medians' ratio is
 * printed. Samples alternate so that drift of the machine affects both sides alike. The reads' raw calls are written
 * here; the writing handlers' are their own requests replayed on a shadow table ({@link ReplayedCalls}).
 */
public final class HandlerOverheadBenchmark {
    static final int WARMUP = 1500;
    static final int SAMPLES = 3000;

    public static void main(String[] args) throws Exception {
        Log.quiet();
        ReplayedCalls replayed = new ReplayedCalls();
        try (DynaliteProcess dynalite = DynaliteProcess.startFromRepository(null); DynamoDbClient dynamo = DynamoClients.forEndpoint(dynalite.endpoint(), replayed)) {
            String table = "bench";
            LifeboatTable.create(dynamo, table);
            Services services = new Services(dynamo, new FileSecretStore(Files.createTempDirectory("lifeboat-bench")), m -> null, request -> { }, new dev.lifeboat.domain.backup.LifecycleWorkflows() {
                        public void startBackup(dev.lifeboat.domain.backup.Backup b) { }
                        public void startRestores(dev.lifeboat.domain.backup.RestoreRequest r) { }
                    },
                    Map.of("TABLE_NAME", table), Clock.systemUTC());
            BackupPoliciesHandler handler = new BackupPoliciesHandler(services, false);
            String firstId = null;
            for (int i = 0; i < 30; i++) {
                HttpResponse r = handler.handle(event("POST /datacenters/{dc}/backup-policies", null,
                        "{\"name\":\"Policy " + i + "\",\"code\":\"P" + i + "\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:02:03 +0400\"},"
                                + "{\"type\":\"COMPLETE\",\"subtype\":\"WEEKLY_PLANNED\",\"days\":[\"monday\",\"friday\"],\"time\":\"DEFINE_IN_VM\"}]}"));
                if (r.status() != 201) throw new IllegalStateException("seeding failed: " + r.body());
                if (firstId == null) firstId = r.body().path("id").asText();
            }
            String id = firstId;
            ObjectNode get = event("GET /datacenters/{dc}/backup-policies/{policyId}", id, null);
            ObjectNode list = event("GET /datacenters/{dc}/backup-policies", null, null);
            GetItemRequest rawGet = GetItemRequest.builder().tableName(table).consistentRead(true)
                    .key(Map.of("PK", AttributeValue.fromS("DC#dc1"), "SK", AttributeValue.fromS("POLICY#" + id))).build();
            QueryRequest rawQuery = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("DC#dc1"), ":prefix", AttributeValue.fromS("POLICY#")))
                    .limit(26).build();

            System.out.printf("%-14s %12s %12s %12s %12s %8s%n", "handler", "median µs", "p90 µs", "raw med µs", "raw p90 µs", "ratio");
            report("get-policy", measure(() -> check(handler.handle(get)), () -> dynamo.getItem(rawGet)));
            report("list-policies", measure(() -> check(handler.handle(list)), () -> dynamo.query(rawQuery)));
            WritingPaths.run(services, dynamo, table, replayed);
        }
    }

    private static void check(HttpResponse r) {
        if (r.status() != 200) throw new IllegalStateException("unexpected " + r.status() + " " + r.body());
    }

    static ObjectNode event(String routeKey, String policyId, String body) {
        Map<String, String> params = policyId == null ? Map.of("dc", "dc1") : Map.of("dc", "dc1", "policyId", policyId);
        return SyntheticEvents.of(routeKey, "/datacenters/dc1/backup-policies", params,
                Map.of("sub", "bench", "ent", "ent-bench", "priv", "[PHYS_DC_RETRIEVE_DETAILS PHYS_DC_ALLOW_BACKUP_CONFIG]"), body);
    }

    static long[][] measure(Runnable handler, Runnable raw) {
        return measure(handler, raw, WARMUP, SAMPLES);
    }

    static long[][] measure(Runnable handler, Runnable raw, int warmup, int samples) {
        for (int i = 0; i < warmup; i++) {
            handler.run();
            raw.run();
        }
        long[] h = new long[samples];
        long[] r = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            handler.run();
            long t1 = System.nanoTime();
            raw.run();
            long t2 = System.nanoTime();
            h[i] = t1 - t0;
            r[i] = t2 - t1;
        }
        return new long[][] {h, r};
    }

    static void report(String name, long[][] samples) {
        long[] h = samples[0].clone();
        long[] r = samples[1].clone();
        Arrays.sort(h);
        Arrays.sort(r);
        double hm = h[h.length / 2] / 1000.0;
        double rm = r[r.length / 2] / 1000.0;
        System.out.printf("%-14s %12.1f %12.1f %12.1f %12.1f %8.3f%n", name, hm, h[h.length * 9 / 10] / 1000.0, rm,
                r[r.length * 9 / 10] / 1000.0, hm / rm);
    }

    /**
     * The handlers log a line per request, and write its metrics line (EMF); a benchmark of thousands of requests should
     * not measure the terminal. Both lines are still built.
     */
    static final class Log {
        static void quiet() {
            dev.lifeboat.api.http.Log.redirect(new PrintStream(OutputStream.nullOutputStream()));
            dev.lifeboat.domain.metrics.Metrics.redirect(line -> { });
        }
    }
}
