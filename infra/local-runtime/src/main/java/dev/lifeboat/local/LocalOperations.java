package dev.lifeboat.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.domain.metrics.Metrics;
import dev.lifeboat.local.events.LocalEventBus;
import dev.lifeboat.local.template.Resource;
import dev.lifeboat.local.template.SamTemplate;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an operator would see in CloudWatch and SNS, shown in the local runtime's log:
 * <ul>
 *   <li>every Embedded Metric Format line of the functions as one readable line,
 *       {@code [metrics] BackupsFailed=1 BackupDuration=2s  ManagerType=VEEAM Datacenter=dc1};</li>
 *   <li>every event that one of the template's EventBridge rules forwards to an SNS topic (the tenants'
 *       {@code NotificationRule}, when its {@code Condition} holds for the parameters), as
 *       {@code [notify] NotificationTopic <- Backup State Change FAILED ...}.</li>
 * </ul>
 * The conditions and patterns are read from the template, so a mistake in them shows up locally too.
 */
public final class LocalOperations implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalOperations() {}

    public static LocalOperations start(SamTemplate template, Map<String, String> parameters, LocalEventBus bus, PrintStream log) {
        Metrics.redirect(line -> log.println(summary(line)));
        for (Resource rule : template.resources().values()) {
            if (!"AWS::Events::Rule".equals(rule.type()) || !holds(template, rule.definition().get("Condition"), parameters)) {
                continue;
            }
            for (Object target : list(rule.properties().get("Targets"))) {
                String topic = topic(template, ((Map<?, ?>) target).get("Arn"));
                if (topic == null) {
                    continue;
                }
                Object pattern = resolveIf(template, rule.properties().get("EventPattern"), parameters);
                bus.addListener(event -> {
                    if (matches(pattern, event)) {
                        log.println("[notify] " + topic + " <- " + event.detailType() + " " + detail(event).path("status").asText()
                                + " " + event.resources() + " detail=" + event.detail().replaceAll("\\s*\\n\\s*", " "));
                    }
                });
                log.println("[notify] " + rule.logicalId() + " forwards " + JSON.valueToTree(pattern) + " to " + topic);
            }
        }
        return new LocalOperations();
    }

    @Override
    public void close() {
        Metrics.redirect(null);
    }

    /** One EMF line as {@code [metrics] Name=value... dimension=value...}; any other line as it is. */
    static String summary(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            JsonNode directive = n.path("_aws").path("CloudWatchMetrics").path(0);
            if (directive.isMissingNode()) {
                return line;
            }
            StringBuilder b = new StringBuilder("[metrics]");
            for (JsonNode m : directive.path("Metrics")) {
                String name = m.path("Name").asText();
                String unit = switch (m.path("Unit").asText()) {
                    case "Milliseconds" -> "ms";
                    case "Seconds" -> "s";
                    default -> "";
                };
                b.append(' ').append(name).append('=').append(n.path(name).asText()).append(unit);
            }
            b.append(' ');
            List<String> dimensions = new ArrayList<>();
            directive.path("Dimensions").forEach(set -> set.forEach(d -> {
                if (!dimensions.contains(d.asText())) dimensions.add(d.asText());
            }));
            for (String d : dimensions) {
                b.append(' ').append(d).append('=').append(n.path(d).asText());
            }
            for (String property : List.of("level", "requestId", "vm", "backupId", "restoreId", "outcome", "error")) {
                if (n.hasNonNull(property) && !(property.equals("level") && n.get(property).asText().equals("INFO"))) {
                    b.append(' ').append(property).append('=').append(n.get(property).asText());
                }
            }
            return b.toString();
        } catch (java.io.IOException | RuntimeException e) {
            return line;
        }
    }

    /** The logical id of the SNS topic a target's {@code Arn} names ({@code !Ref Topic}), or null. */
    private static String topic(SamTemplate template, Object arn) {
        if (arn instanceof Map<?, ?> m && m.get("Ref") instanceof String id) {
            Resource r = template.resources().get(id);
            return r != null && "AWS::SNS::Topic".equals(r.type()) ? id : null;
        }
        return null;
    }

    /** A resource's {@code Condition} (a name in the template's Conditions), evaluated for the parameters. */
    static boolean holds(SamTemplate template, Object condition, Map<String, String> parameters) {
        if (condition == null) {
            return true;
        }
        Object conditions = template.root().get("Conditions");
        Object definition = conditions instanceof Map<?, ?> m ? m.get(condition.toString()) : null;
        if (definition == null) {
            throw new IllegalArgumentException("no condition " + condition + " in the template");
        }
        return truth(template, definition, parameters);
    }

    private static boolean truth(SamTemplate template, Object node, Map<String, String> parameters) {
        Map<?, ?> m = (Map<?, ?>) node;
        Map.Entry<?, ?> e = m.entrySet().iterator().next();
        List<Object> args = e.getValue() instanceof List<?> l ? new ArrayList<>(l) : List.of(e.getValue());
        return switch (e.getKey().toString()) {
            case "Fn::Equals" -> Objects.equals(value(args.get(0), parameters), value(args.get(1), parameters));
            case "Fn::Not" -> !truth(template, args.get(0), parameters);
            case "Fn::And" -> args.stream().allMatch(a -> truth(template, a, parameters));
            case "Fn::Or" -> args.stream().anyMatch(a -> truth(template, a, parameters));
            case "Condition" -> holds(template, args.get(0), parameters);
            default -> throw new IllegalArgumentException("condition function " + e.getKey() + " is not supported locally");
        };
    }

    private static String value(Object node, Map<String, String> parameters) {
        if (node instanceof Map<?, ?> m && m.get("Ref") != null) {
            return parameters.get(m.get("Ref").toString());
        }
        if (node instanceof Map<?, ?> m && m.get("Fn::Join") instanceof List<?> join) {
            StringBuilder b = new StringBuilder();
            for (Iterator<?> it = list(value(join.get(1), parameters)).iterator(); it.hasNext(); ) {
                b.append(it.next()).append(it.hasNext() ? join.get(0) : "");
            }
            return b.toString();
        }
        return String.valueOf(node);
    }

    /** The pattern with every {@code Fn::If} replaced by its branch for the parameters. */
    static Object resolveIf(SamTemplate template, Object node, Map<String, String> parameters) {
        if (node instanceof Map<?, ?> m) {
            if (m.size() == 1 && m.get("Fn::If") instanceof List<?> branches) {
                return resolveIf(template, holds(template, branches.get(0), parameters) ? branches.get(1) : branches.get(2), parameters);
            }
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k.toString(), resolveIf(template, v, parameters)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(v -> resolveIf(template, v, parameters)).toList();
        }
        return node;
    }

    /** EventBridge pattern matching for the forms the template uses: lists of values, nested for {@code detail}. */
    static boolean matches(Object pattern, LocalEventBus.Event event) {
        Map<?, ?> p = (Map<?, ?>) pattern;
        for (Map.Entry<?, ?> e : p.entrySet()) {
            String key = e.getKey().toString();
            boolean ok = switch (key) {
                case "source" -> list(e.getValue()).contains(event.source());
                case "detail-type" -> list(e.getValue()).contains(event.detailType());
                case "detail" -> matchesJson(e.getValue(), detail(event));
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesJson(Object pattern, JsonNode value) {
        if (pattern instanceof Map<?, ?> m) {
            return m.entrySet().stream().allMatch(e -> matchesJson(e.getValue(), value.path(e.getKey().toString())));
        }
        return list(pattern).stream().anyMatch(v -> String.valueOf(v).equals(value.asText()));
    }

    private static JsonNode detail(LocalEventBus.Event event) {
        try {
            return JSON.readTree(event.detail());
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : value == null ? List.of() : List.of(value);
    }
}
