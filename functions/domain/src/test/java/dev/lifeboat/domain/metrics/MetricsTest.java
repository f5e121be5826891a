package dev.lifeboat.domain.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Embedded Metric Format lines: the directive CloudWatch reads, the values it extracts, and safe escaping. */
class MetricsTest {

    @AfterEach
    void restore() {
        Metrics.redirect(null);
    }

    @Test
    void aLineIsOneEmfDocumentWithItsDimensionSetsMetricsAndProperties() {
        String line = Metrics.of(MetricSet.BACKUP).dimension("ManagerType", "VEEAM").dimension("Datacenter", "dc1")
                .count("BackupsFailed", 1).seconds("BackupDuration", 42).property("backupId", "01ABC").toJson(1_700_000_000_000L);
        assertEquals("{\"_aws\":{\"Timestamp\":1700000000000,\"CloudWatchMetrics\":[{\"Namespace\":\"Lifeboat\","
                + "\"Dimensions\":[[\"ManagerType\",\"Datacenter\"],[]],"
                + "\"Metrics\":[{\"Name\":\"BackupsFailed\",\"Unit\":\"Count\"},{\"Name\":\"BackupDuration\",\"Unit\":\"Seconds\"}]}]},"
                + "\"ManagerType\":\"VEEAM\",\"Datacenter\":\"dc1\",\"BackupsFailed\":1,\"BackupDuration\":42,\"backupId\":\"01ABC\"}", line);
    }

    @Test
    void aMissingDimensionIsNoneAndTextIsEscaped() {
        String line = Metrics.of(MetricSet.RESULTS_SYNC).count("SyncFailed", 1).property("error", "a \"quoted\"\nline\u0001").toJson(1);
        assertTrue(line.contains("\"Datacenter\":\"none\""), line);
        assertTrue(line.endsWith("\"error\":\"a \\\"quoted\\\"\\nline\\u0001\"}"), line);
    }

    @Test
    void onlyTheSetsNamesAndDimensionsCanBeWrittenSoTheTemplateCheckSeesEveryMetric() {
        assertThrows(IllegalArgumentException.class, () -> Metrics.of(MetricSet.BACKUP).count("RestoresFailed", 1));
        assertThrows(IllegalArgumentException.class, () -> Metrics.of(MetricSet.PLUGIN_CALL).dimension("Datacenter", "dc1"));
    }

    @Test
    void linesGoToTheSinkOnePerEmit() {
        List<String> lines = new ArrayList<>();
        Metrics.redirect(lines::add);
        Metrics.of(MetricSet.AUDIT).count("AuditWriteFailures", 1).emit();
        Metrics.of(MetricSet.AUDIT).count("AuditWriteFailures", 1).emit();
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("{\"_aws\":{\"Timestamp\":"), lines.get(0));
    }
}
