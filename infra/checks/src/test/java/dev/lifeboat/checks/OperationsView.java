package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * What an operator sees of the local runtime's backups (issue 13), for {@link LocalRuntimeEndToEndTest} started with
 * {@code Notifications=FAILED}: the metric summary lines in the log, the audit log through the API, and the
 * notifications the template's NotificationRule forwards to its topic.
 */
final class OperationsView {
    private OperationsView() {}

    static String log(LocalRuntimeEndToEndTest t) {
        return t.log.toString(StandardCharsets.UTF_8);
    }

    static void awaitLog(LocalRuntimeEndToEndTest t, Predicate<String> line, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            if (log(t).lines().anyMatch(line)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " in the log:\n" + log(t));
    }

    /** A failed backup: its metric, its audit entry (after the request that started it) and its notification. */
    static void assertFailedBackupSeen(LocalRuntimeEndToEndTest t, URI base, String id) throws Exception {
        awaitLog(t, l -> l.startsWith("[metrics] BackupsFailed=1") && l.contains("ManagerType=VEEAM") && l.contains("Datacenter=dc1")
                && l.contains("backupId=" + id), "BackupsFailed metric of " + id);
        awaitLog(t, l -> l.startsWith("[notify] NotificationTopic <- Backup State Change FAILED") && l.contains(id), "notification of " + id);
        JsonNode audit = t.waitFor(base, "/audit-log?vm=web-01",
                page -> page.path("items").path(0).path("action").asText().equals("backup.FAILED"), Duration.ofSeconds(20));
        JsonNode entry = audit.path("items").get(0);
        assertEquals(id, entry.path("target").asText());
        assertEquals("FAILED", entry.path("status").asText());
        assertEquals("ent-1", entry.path("enterprise").asText());
        assertTrue(entry.path("actor").isNull(), entry.toString());
        assertEquals("POST /virtual-machines/{vm}/backups", audit.path("items").get(1).path("action").asText(), audit.toString());
        assertTrue(log(t).lines().anyMatch(l -> l.startsWith("[metrics] Requests=1") && l.contains("Route=POST /virtual-machines/{vm}/backups")),
                "API requests are counted by route");
        assertFalse(log(t).contains("\"_aws\""), "every metric line is shown as a summary");
    }

    /** A backup that succeeded is counted, and not notified with {@code Notifications=FAILED}. */
    static void assertSuccessCountedNotNotified(LocalRuntimeEndToEndTest t, String id) throws InterruptedException {
        awaitLog(t, l -> l.startsWith("[metrics] BackupsSucceeded=1") && l.contains("backupId=" + id), "BackupsSucceeded metric of " + id);
        assertFalse(log(t).lines().anyMatch(l -> l.startsWith("[notify] NotificationTopic") && l.contains(id)), "a success was notified");
    }
}
