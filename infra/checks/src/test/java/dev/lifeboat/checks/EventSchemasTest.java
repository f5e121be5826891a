package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupLifecycle;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.events.EventPublisher.StateChangeEvent;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.RepositoryRoot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The events' JSON Schemas (infra/openapi/events) say what the code publishes: the detail's fields are exactly those of
 * the events the lifecycle builds, the enums hold every status and trigger, the examples fit their schema, and the
 * template's notification rule forwards exactly these detail-types.
 */
class EventSchemasTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode schema(String name) throws Exception {
        return JSON.readTree(RepositoryRoot.find().resolve("infra/openapi/events").resolve(name).toFile());
    }

    static Set<String> names(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static Set<String> texts(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Set<String> enumNames(Enum<?>[] values) {
        Set<String> out = new TreeSet<>();
        for (Enum<?> v : values) out.add(v.name());
        return out;
    }

    /** The checks a reader of the schema relies on: fields, required fields, constants and enums. */
    static List<String> violations(JsonNode schema, JsonNode event) {
        List<String> out = new ArrayList<>();
        JsonNode properties = schema.path("properties");
        for (String top : List.of("source", "detail-type")) {
            if (!properties.path(top).path("const").asText().equals(event.path(top).asText())) out.add(top + " " + event.path(top));
        }
        JsonNode detail = properties.path("detail");
        Set<String> fields = names(event.path("detail"));
        if (!fields.equals(names(detail.path("properties")))) out.add("detail fields " + fields);
        if (!fields.containsAll(texts(detail.path("required")))) out.add("required fields missing from " + fields);
        detail.path("properties").fields().forEachRemaining(p -> {
            JsonNode allowed = p.getValue().path("enum");
            if (allowed.isArray() && !texts(allowed).contains(event.path("detail").path(p.getKey()).asText())) {
                out.add(p.getKey() + " " + event.path("detail").path(p.getKey()));
            }
        });
        return out;
    }

    static JsonNode envelope(StateChangeEvent e) {
        return JSON.valueToTree(Map.of("source", "lifeboat", "detail-type", e.kind().detailType(), "resources", List.of(e.resource()), "detail", e.detail()));
    }

    @Test
    void theSchemasDescribeTheEventsTheLifecyclePublishes() throws Exception {
        JsonNode backups = schema("backup-state-change.schema.json");
        JsonNode restores = schema("restore-state-change.schema.json");
        Instant t = Instant.parse("2026-12-05T09:00:00Z");
        Backup failed = new Backup("01JDXC4D5E6F7G8H9J0K1M2N3P", "vm-1", "dc-1", "ent-1", "01JDX3V6Q8M4N2P7R9S5T1W3Y6", Trigger.MANUAL,
                BackupStatus.FAILED, t, t, t, null, null, null, "job-1", new ErrorInfo("TIMEOUT", "too long"), 0, 3);
        assertEquals(List.of(), violations(backups, envelope(BackupLifecycle.event(failed))));
        Restore restore = new Restore("01JDXE1B2C3D4E5F6G7H8J9K0M", failed.id(), "vm-1", "01JDXE1B2C3D4E5F6G7H8J9K0N", RestoreStatus.SUCCESS,
                t, t, t, null, "job-2", 2);
        assertEquals(List.of(), violations(restores, envelope(BackupLifecycle.event(restore, failed))));

        assertEquals(enumNames(BackupStatus.values()), texts(backups.at("/properties/detail/properties/status/enum")));
        assertEquals(enumNames(Trigger.values()), texts(backups.at("/properties/detail/properties/trigger/enum")));
        assertEquals(enumNames(RestoreStatus.values()), texts(restores.at("/properties/detail/properties/status/enum")));
        for (JsonNode schema : List.of(backups, restores)) {
            assertFalse(schema.path("examples").isEmpty());
            for (JsonNode example : schema.path("examples")) {
                assertEquals(List.of(), violations(schema, example), example.toString());
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theNotificationRuleForwardsBothKindsOfStateChange() throws Exception {
        Path root = RepositoryRoot.find();
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        Map<String, Object> pattern = (Map<String, Object>) template.resources().get("NotificationRule").properties().get("EventPattern");
        assertEquals(List.of("lifeboat"), pattern.get("source"));
        assertEquals(Stream.of(StateChangeEvent.Kind.values()).map(StateChangeEvent.Kind::detailType).toList(), pattern.get("detail-type"));
        String status = String.valueOf(((Map<String, Object>) pattern.get("detail")).get("status"));
        assertTrue(status.contains("FAILED") && status.contains("SUCCESS") && status.contains("NotifySuccess"), status);
        for (String name : List.of("backup-state-change.schema.json", "restore-state-change.schema.json")) {
            assertTrue(String.valueOf(pattern.get("detail-type")).contains(schema(name).path("title").asText()), name);
        }
    }
}
