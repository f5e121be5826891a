package dev.lifeboat.domain.metrics;

import java.util.List;

/**
 * Every set of metrics Lifeboat emits, with its metric names and dimension sets: the only way to emit is through one of
 * these, so the template check (infra/checks) can compare every alarm's namespace, name and dimensions with what the
 * code emits. Each set is one Embedded Metric Format line.
 */
public enum MetricSet {
    /** One per API request, in the request's log line. */
    API_REQUEST(List.of("Requests", "Latency"), List.of(List.of("Route", "StatusClass"), List.of("StatusClass"))),
    /** A backup began running, succeeded or failed (with its duration in seconds), by manager type and datacenter. */
    BACKUP(List.of("BackupsStarted", "BackupsSucceeded", "BackupsFailed", "BackupDuration"),
            List.of(List.of("ManagerType", "Datacenter"), List.of())),
    /** The same for restores. */
    RESTORE(List.of("RestoresStarted", "RestoresSucceeded", "RestoresFailed", "RestoreDuration"),
            List.of(List.of("ManagerType", "Datacenter"), List.of())),
    /** One datacenter's results sync: its counts, and whether it ran through or was skipped. */
    RESULTS_SYNC(List.of("SyncSucceeded", "SyncFailed", "SyncDiscovered", "SyncExpired", "SyncLost", "SyncSkippedVms"),
            List.of(List.of("Datacenter"), List.of())),
    /** One command of a plugin, by operation and manager type. */
    PLUGIN_CALL(List.of("PluginCalls", "PluginErrors", "PluginLatency"), List.of(List.of("Operation", "ManagerType"))),
    /** An audit entry that could not be written (the request or run itself went through). */
    AUDIT(List.of("AuditWriteFailures"), List.of(List.of()));

    public static final String NAMESPACE = "Lifeboat";

    private final List<String> metrics;
    private final List<List<String>> dimensionSets;

    MetricSet(List<String> metrics, List<List<String>> dimensionSets) {
        this.metrics = metrics;
        this.dimensionSets = dimensionSets;
    }

    public List<String> metrics() {
        return metrics;
    }

    public List<List<String>> dimensionSets() {
        return dimensionSets;
    }

    /** Every dimension any of the sets names. */
    List<String> dimensions() {
        return dimensionSets.stream().flatMap(List::stream).distinct().toList();
    }
}
