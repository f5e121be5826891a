package dev.lifeboat.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.domain.metrics.Metrics;

/**
 * Results sync per datacenter: what it found (discovered, expired, skipped VMs, runs it declared LOST) and whether it
 * ran through or was skipped. A datacenter with nothing to list counts as a run that went through, and so does a run
 * with no datacenter at all, so that the "no successful results sync in 30 minutes" alarm means the sync is not running.
 */
final class SyncMetrics {
    private SyncMetrics() {}

    static void noDatacenters() {
        Metrics.of(MetricSet.RESULTS_SYNC).count("SyncSucceeded", 1).emit();
    }

    /** The backstops ran; when there is nothing to list the datacenter's sync is done. */
    static void loaded(String datacenter, int lost, boolean runs) {
        Metrics.Line line = Metrics.of(MetricSet.RESULTS_SYNC).dimension("Datacenter", datacenter).count("SyncLost", lost);
        if (!runs) {
            line.count("SyncSucceeded", 1);
        }
        line.emit();
    }

    static void summarized(JsonNode summary) {
        Metrics.of(MetricSet.RESULTS_SYNC).dimension("Datacenter", summary.path("datacenter").asText())
                .count("SyncSucceeded", 1)
                .count("SyncDiscovered", summary.path("discovered").asLong())
                .count("SyncExpired", summary.path("expired").asLong())
                .count("SyncSkippedVms", summary.path("skippedVms").size())
                .emit();
    }

    static void failed(String datacenter) {
        Metrics.of(MetricSet.RESULTS_SYNC).dimension("Datacenter", datacenter).count("SyncFailed", 1).emit();
    }
}
