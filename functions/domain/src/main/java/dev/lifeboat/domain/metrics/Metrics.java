package dev.lifeboat.domain.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CloudWatch Embedded Metric Format lines, written by hand: one JSON object per line on stdout, which CloudWatch Logs
 * turns into metrics with no PutMetricData call and no client. The format (the {@code _aws} object with
 * {@code Timestamp} and {@code CloudWatchMetrics}: namespace, dimension sets, metric names and units; the values as
 * top-level members) is AWS's "Specification: Embedded metric format" in the CloudWatch User Guide.
 *
 * <p>Nothing here loads a library or builds a JSON tree: a line costs one StringBuilder, which keeps the API functions'
 * cold start where it was (measured with {@code ./lifeboat bench cold}).
 */
public final class Metrics {
    private static final Consumer<String> STDOUT = line -> System.out.println(line);
    private static volatile Consumer<String> sink = STDOUT;

    private Metrics() {}

    /** Starts a line of {@code set}. */
    public static Line of(MetricSet set) {
        return new Line(set);
    }

    /** The local runtime and tests read the lines here instead of stdout; null restores stdout. */
    public static void redirect(Consumer<String> lines) {
        sink = lines == null ? STDOUT : lines;
    }

    public static final class Line {
        private final MetricSet set;
        private final Map<String, String> dimensions = new LinkedHashMap<>();
        private final List<String[]> values = new ArrayList<>();
        private final Map<String, Object> properties = new LinkedHashMap<>();

        private Line(MetricSet set) {
            this.set = set;
        }

        public Line dimension(String name, String value) {
            if (!set.dimensions().contains(name)) {
                throw new IllegalArgumentException(set + " has no dimension " + name);
            }
            dimensions.put(name, value == null || value.isEmpty() ? "none" : value);
            return this;
        }

        public Line count(String metric, long value) {
            return value(metric, Long.toString(value), "Count");
        }

        public Line millis(String metric, long value) {
            return value(metric, Long.toString(value), "Milliseconds");
        }

        public Line seconds(String metric, long value) {
            return value(metric, Long.toString(value), "Seconds");
        }

        /** A value kept in the line for searching the logs, not a metric (a request id, a status code). */
        public Line property(String name, Object value) {
            properties.put(name, value);
            return this;
        }

        private Line value(String metric, String value, String unit) {
            if (!set.metrics().contains(metric)) {
                throw new IllegalArgumentException(set + " has no metric " + metric);
            }
            values.add(new String[] {metric, value, unit});
            return this;
        }

        /** Writes the line; a dimension of the set that was not given is written as {@code none}. */
        public void emit() {
            sink.accept(toJson(System.currentTimeMillis()));
        }

        /** The line as {@link #emit} would write it, now. */
        public String toJson() {
            return toJson(System.currentTimeMillis());
        }

        String toJson(long timestamp) {
            for (String d : set.dimensions()) {
                dimensions.putIfAbsent(d, "none");
            }
            StringBuilder b = new StringBuilder(256);
            b.append("{\"_aws\":{\"Timestamp\":").append(timestamp).append(",\"CloudWatchMetrics\":[{\"Namespace\":\"")
                    .append(MetricSet.NAMESPACE).append("\",\"Dimensions\":[");
            for (int i = 0; i < set.dimensionSets().size(); i++) {
                b.append(i == 0 ? "[" : ",[");
                List<String> names = set.dimensionSets().get(i);
                for (int j = 0; j < names.size(); j++) {
                    string(b.append(j == 0 ? "" : ","), names.get(j));
                }
                b.append(']');
            }
            b.append("],\"Metrics\":[");
            for (int i = 0; i < values.size(); i++) {
                string(b.append(i == 0 ? "{\"Name\":" : ",{\"Name\":"), values.get(i)[0]);
                string(b.append(",\"Unit\":"), values.get(i)[2]).append('}');
            }
            b.append("]}]}");
            dimensions.forEach((k, v) -> string(string(b.append(','), k).append(':'), v));
            values.forEach(v -> string(b.append(','), v[0]).append(':').append(v[1]));
            properties.forEach((k, v) -> {
                string(b.append(','), k).append(':');
                if (v == null) {
                    b.append("null");
                } else if (v instanceof Number || v instanceof Boolean) {
                    b.append(v);
                } else {
                    string(b, v.toString());
                }
            });
            return b.append('}').toString();
        }

        private static StringBuilder string(StringBuilder b, String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"');
        }
    }
}
