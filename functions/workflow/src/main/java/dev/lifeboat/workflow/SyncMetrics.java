package dev.lifeboat.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.domain.metrics.Metrics;

/**
 * Results sync per datacenter: what it found (discovered, expired, skipped VMs) and whether it ran through or was
 * skipped; and the runs the backstop declared LOST, for all datacenters at once. A datacenter with nothing to list counts as a run that went through, and so does a run
 * with no datacenter at all, so that the "no successful results sync in 30 minutes" alarm means the sync is not running.
 */
final class SyncMetrics {
    private SyncMetrics() {}

    static void noDatacenters() {
        Metrics.of(MetricSet.RESULTS_SYNC).count("SyncSucceeded", 1).emit();
    }

    /** The backstop ran, once per run for every datacenter (it reads by index, not datacenter by datacenter). */
    static void backstop(int lost) {
        Metrics.of(MetricSet.RESULTS_SYNC).count("SyncLost", lost).emit();
    }

    /** A datacenter with nothing to list: its sync is done. */
    static void nothingToList(String datacenter) {
        Metrics.of(MetricSet.RESULTS_SYNC).dimension("Datacenter", datacenter).count("SyncSucceeded", 1).emit();
    }

    static void summarized(JsonNode summary) {
        Metrics.of(MetricSet.RESULTS_SYNC).dimension("Datacenter", summary.path("datacenter").asText())
                .count("SyncSucceeded", 1)
                .count("SyncDiscovered", summary.path("discovered").asLong())
                .count("SyncExpired", summary.path("expired").asLong())
                .count("SyncSkippedVms", summary.path("skipped").asLong())
                .emit();
    }

    static void failed(String datacenter) {
        Metrics.of(MetricSet.RESULTS_SYNC).dimension("Datacenter", datacenter).count("SyncFailed", 1).emit();
    }
}
