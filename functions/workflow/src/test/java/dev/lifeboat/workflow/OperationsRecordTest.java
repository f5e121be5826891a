package dev.lifeboat.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.domain.audit.AuditEntry;
import dev.lifeboat.domain.audit.AuditLog;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.metrics.Metrics;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.store.DynamoAuditStore;
import dev.lifeboat.testing.Dynalite;
import dev.lifeboat.workflowruntime.Execution;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What operators see of real workflow runs (the state machines in aws-local-stepfunctions, the NetWorker plugin on its
 * simulator, dynalite): the Embedded Metric Format lines of lifecycles, plugin calls and results sync, and the audit
 * entries of ended runs.
 */
@ExtendWith(Dynalite.class)
class OperationsRecordTest {
    static final Caller USER = new Caller("user", "ent-1", EnumSet.of(Privilege.VAPP_MANAGE_BACKUP));
    static final ObjectMapper JSON = new ObjectMapper();
    final List<String> lines = new CopyOnWriteArrayList<>();
    WorkflowHarness h;

    @BeforeEach
    void capture() {
        Metrics.redirect(lines::add);
    }

    @AfterEach
    void stop() {
        Metrics.redirect(null);
        if (h != null) {
            h.close();
        }
    }

    /** The lines carrying a metric, as JSON. */
    List<JsonNode> emitted(String metric) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        List<String> all = new ArrayList<>(lines);
        // The plugin writes its lines to the log it was given (the harness's, not standard output's metrics sink).
        if (h != null) {
            h.pluginLog.toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).forEach(all::add);
        }
        for (String line : all) {
            JsonNode n = JSON.readTree(line);
            if (n.has(metric)) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void aFailedBackupIsCountedTimedAndAudited(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(300), Map.of());
        VirtualMachine vm = h.deployedVm("web-01");
        h.sim.failNextBackup(vm.hypervisor().uuid(), "datastore01 is out of space");
        Backup queued = h.backups.backupNow(USER, vm.id(), () -> null);
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);

        JsonNode started = emitted("BackupsStarted").get(0);
        assertEquals("NETWORKER", started.path("ManagerType").asText());
        assertEquals("dc1", started.path("Datacenter").asText());
        List<JsonNode> failed = emitted("BackupsFailed");
        assertEquals(1, failed.size(), lines.toString());
        JsonNode f = failed.get(0);
        assertEquals(1, f.path("BackupsFailed").asInt());
        assertTrue(f.path("BackupDuration").isNumber(), f.toString());
        JsonNode directive = f.path("_aws").path("CloudWatchMetrics").get(0);
        assertEquals("Lifeboat", directive.path("Namespace").asText());
        assertEquals("[[\"ManagerType\",\"Datacenter\"],[]]", directive.path("Dimensions").toString());
        assertTrue(emitted("BackupsSucceeded").isEmpty());
        // A plugin writes its command line (with the metrics) to its own log stream: in Lambda that is standard output.
        JsonNode start = null;
        for (String line : h.pluginLog.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = line.isBlank() ? null : JSON.readTree(line);
            if (n != null && n.has("PluginCalls") && n.path("Operation").asText().equals("START_BACKUP")) {
                start = n;
                break;
            }
        }
        assertTrue(start != null, "no PluginCalls line of START_BACKUP in the plugin's log");
        assertEquals("NETWORKER", start.path("ManagerType").asText());
        assertTrue(start.path("PluginLatency").isNumber());

        List<AuditEntry> audit = new DynamoAuditStore(h.dynamo, h.table, Duration.ofDays(400))
                .list(List.of(AuditLog.Partition.vm(vm.id(), null, null)), null, null, 10, null).items();
        assertEquals(List.of("backup.FAILED", "configuration.APPLIED"), audit.stream().map(AuditEntry::action).toList(),
                "newest first: the backup's end, then the apply-schedule run that configured the VM");
        AuditEntry entry = audit.get(0);
        assertEquals("backup.FAILED", entry.action());
        assertEquals("FAILED", entry.status());
        assertEquals(queued.id(), entry.target());
        assertEquals("ent-1", entry.enterprise());
        assertEquals("dc1", entry.datacenter());
        assertEquals(null, entry.actor(), "a run's end has no actor");
        String everything = String.join("\n", lines) + audit;
        assertFalse(everything.contains(WorkflowHarness.NW_PASSWORD), "a password in a metric line or the audit log");
    }

    /**
     * Log volume is an operating cost (CloudWatch Logs ingestion per GB): a backup lifecycle writes one line per plugin
     * call and a line per metric set at its milestones, never a line per poll of the task function. Prints the bytes.
     */
    @Test
    void aSuccessfulBackupLogsOneLinePerPluginCallAndItsMilestones(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(600), Map.of());
        VirtualMachine vm = h.deployedVm("web-01");
        lines.clear();
        h.pluginLog.reset();
        Backup queued = h.backups.backupNow(USER, vm.id(), () -> null);
        Execution e = h.runBackup(queued);
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        assertEquals("SUCCESS", h.backupStore.findBackup(vm.id(), queued.id()).orElseThrow().status().name());

        List<String> pluginLines = h.pluginLog.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank()).toList();
        int pluginCalls = e.invocations("networker-plugin").size();
        int taskCalls = e.invocations("workflow-tasks").size();
        assertTrue(pluginCalls >= 3, "a start and at least two polls: " + pluginCalls);
        assertEquals(pluginCalls, pluginLines.size(), "one line per plugin command: " + pluginLines);
        List<String> metricSets = lines.stream().map(l -> {
            try {
                return JSON.readTree(l).path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").get(0).path("Name").asText();
            } catch (Exception ex) {
                throw new AssertionError("not one JSON object per line: " + l, ex);
            }
        }).toList();
        assertEquals(List.of("BackupsStarted", "BackupsSucceeded"), metricSets.stream().filter(n -> n.startsWith("Backups")).toList(),
                "the lifecycle's milestones, once each: " + lines);
        assertTrue(lines.size() <= 4, "the task function logs milestones, not polls (" + taskCalls + " task calls): " + lines);
        long pluginBytes = utf8Lines(pluginLines);
        long metricBytes = utf8Lines(lines);
        System.out.printf("log per backup lifecycle: %d bytes in %d lines: %d plugin command lines (%d B each on average),"
                        + " %d metric lines (%d B) from %d task calls; Lambda adds its START/END/REPORT lines per invocation%n",
                pluginBytes + metricBytes, pluginLines.size() + lines.size(), pluginLines.size(), pluginBytes / pluginLines.size(),
                lines.size(), metricBytes, taskCalls);
        assertFalse((String.join("\n", lines) + pluginLines).contains(WorkflowHarness.NW_PASSWORD));
    }

    static long utf8Lines(List<String> lines) {
        return lines.stream().mapToLong(l -> l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1).sum();
    }

    @Test
    void resultsSyncCountsPerDatacenterAndASuccessfulRun(URI dynalite) throws Exception {
        h = new WorkflowHarness(dynalite, Duration.ofMillis(300), Map.of());
        VirtualMachine vm = h.deployedVm("web-01");
        h.sim.addBackup(vm.hypervisor().uuid(), java.time.Instant.now().minus(Duration.ofDays(1)), java.time.Instant.now().plus(Duration.ofDays(30)));
        Execution e = h.runSync();
        assertEquals(Execution.Status.SUCCEEDED, e.status(), e::describe);
        JsonNode summary = emitted("SyncDiscovered").get(0);
        assertEquals("dc1", summary.path("Datacenter").asText());
        assertEquals(1, summary.path("SyncDiscovered").asInt());
        assertEquals(1, summary.path("SyncSucceeded").asInt());
        assertEquals(0, emitted("SyncLost").get(0).path("SyncLost").asInt());
        assertTrue(emitted("SyncFailed").isEmpty());
    }
}
