package dev.lifeboat.plugin;

import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.domain.metrics.Metrics;

/** The log line of one plugin command, which is also its metrics: calls, errors and latency by operation and type. */
final class PluginMetrics {
    private PluginMetrics() {}

    /** Written to {@code log}; when that is standard output (as in Lambda), through {@link Metrics}' sink. */
    static void command(Command command, String outcome, long latencyMs, java.io.PrintStream log) {
        boolean ok = outcome.equals("ok");
        Metrics.Line line = Metrics.of(MetricSet.PLUGIN_CALL)
                .dimension("Operation", command == null ? "unknown" : command.operation().name())
                .dimension("ManagerType", command == null ? "unknown" : command.manager().type().name())
                .count("PluginCalls", 1).count("PluginErrors", ok ? 0 : 1).millis("PluginLatency", latencyMs)
                .property("level", ok ? "INFO" : "WARN").property("message", "plugin command").property("outcome", outcome);
        if (command != null) {
            line.property("datacenter", command.manager().datacenter());
            if (command.vm() != null) {
                line.property("vm", command.vm().id());
            }
        }
        if (log == System.out) {
            line.emit();
        } else {
            log.println(line.toJson());
        }
    }
}
