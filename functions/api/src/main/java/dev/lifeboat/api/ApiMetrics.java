package dev.lifeboat.api;

import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.domain.metrics.Metrics;

/** The request's log line, which is also its metrics (requests and latency by route and status class). */
final class ApiMetrics {
    private ApiMetrics() {}

    static void request(String routeKey, int status, long latencyMs, String requestId) {
        Metrics.of(MetricSet.API_REQUEST)
                .dimension("Route", routeKey.isEmpty() ? "unknown" : routeKey)
                .dimension("StatusClass", (status / 100) + "xx")
                .count("Requests", 1)
                .millis("Latency", latencyMs)
                .property("level", "INFO").property("message", "request").property("routeKey", routeKey).property("status", status)
                .property("requestId", requestId)
                .emit();
    }
}
