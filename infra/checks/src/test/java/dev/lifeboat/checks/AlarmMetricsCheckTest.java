package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.RepositoryRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every alarm of template.yaml on a Lifeboat metric watches a metric the code emits: the same namespace, name and
 * dimensions as a {@link MetricSet}, and that set and name are used by some main source file besides the catalogue. An
 * alarm on a metric nobody emits would never fire (or, with missing data breaching, always fire).
 */
class AlarmMetricsCheckTest {
    private static SamTemplate template;
    private static List<String> mainSources;

    @BeforeAll
    static void load() throws IOException {
        Path root = RepositoryRoot.find();
        template = SamTemplate.load(root.resolve("template.yaml"));
        try (Stream<Path> files = Files.walk(root.resolve("functions"))) {
            List<String> sources = new ArrayList<>();
            for (Path p : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                    && !p.getFileName().toString().equals("MetricSet.java")).toList()) {
                sources.add(Files.readString(p));
            }
            mainSources = sources;
        }
    }

    record Watched(String alarm, String namespace, String name, Set<String> dimensions) {}

    @SuppressWarnings("unchecked")
    static List<Watched> watched() {
        List<Watched> out = new ArrayList<>();
        template.resources().forEach((id, r) -> {
            if (!"AWS::CloudWatch::Alarm".equals(r.type())) {
                return;
            }
            Map<String, Object> p = r.properties();
            if (p.containsKey("MetricName")) {
                out.add(new Watched(id, String.valueOf(p.get("Namespace")), String.valueOf(p.get("MetricName")), names(p.get("Dimensions"))));
            }
            for (Object q : (List<Object>) p.getOrDefault("Metrics", List.of())) {
                Map<String, Object> stat = (Map<String, Object>) ((Map<String, Object>) q).get("MetricStat");
                if (stat != null) {
                    Map<String, Object> m = (Map<String, Object>) stat.get("Metric");
                    out.add(new Watched(id, String.valueOf(m.get("Namespace")), String.valueOf(m.get("MetricName")), names(m.get("Dimensions"))));
                }
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> names(Object dimensions) {
        if (dimensions == null) {
            return Set.of();
        }
        return ((List<Object>) dimensions).stream().map(d -> String.valueOf(((Map<String, Object>) d).get("Name")))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyLifeboatAlarmWatchesAMetricTheCodeEmitsWithTheSameDimensions() {
        List<Watched> lifeboat = watched().stream().filter(w -> w.namespace().equals(MetricSet.NAMESPACE)).toList();
        assertFalse(lifeboat.isEmpty(), "the template has no alarm on Lifeboat's own metrics");
        List<String> wrong = new ArrayList<>();
        for (Watched w : lifeboat) {
            List<MetricSet> sets = List.of(MetricSet.values()).stream()
                    .filter(s -> s.metrics().contains(w.name()))
                    .filter(s -> s.dimensionSets().stream().anyMatch(d -> new TreeSet<>(d).equals(w.dimensions())))
                    .toList();
            if (sets.isEmpty()) {
                wrong.add(w + ": no metric set emits " + w.name() + " with dimensions " + w.dimensions());
                continue;
            }
            boolean emitted = sets.stream().anyMatch(s -> mainSources.stream()
                    .anyMatch(src -> src.contains("MetricSet." + s.name()) && src.contains("\"" + w.name() + "\"")));
            if (!emitted) {
                wrong.add(w + ": no main source emits " + w.name() + " of " + sets);
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void everyAlarmNotifiesTheAlarmTopic() {
        List<String> silent = new ArrayList<>();
        template.resources().forEach((id, r) -> {
            if ("AWS::CloudWatch::Alarm".equals(r.type())) {
                Object actions = r.properties().get("AlarmActions");
                if (actions == null || !actions.toString().contains("AlarmTopic")) {
                    silent.add(id);
                }
            }
        });
        assertTrue(silent.isEmpty(), "alarms without the AlarmTopic: " + silent);
    }
}
