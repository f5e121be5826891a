package dev.lifeboat.plugin.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Results;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LIST_RESULTS over the whole Enterprise Manager: one query-service request per page, oldest first, since a time. */
class VeeamResultPagesTest {
    private SimFixture f;

    @BeforeEach
    void start() {
        f = SimFixture.start(b -> b.instant());
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void pointsSinceATimeComeInPagesBelow32KbEachOnceWithTheirVmsMorefAndVcenter() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 250; i++) {
            created.add(f.sim.addRestorePoint(i % 2 == 0 ? "web-01" : "db-01", since.plus(Duration.ofMinutes(i))));
        }
        f.sim.addRestorePoint("web-01", since.minusSeconds(1));
        List<Results.FoundBackup> found = new ArrayList<>();
        List<Instant> order = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Results.ResultPage page = f.plugin.listResultPage(f.session(), since, cursor);
            assertTrue(CommandJson.resultPage(page).toString().length() <= dev.lifeboat.plugin.BackupPlugin.RESULT_PAGE_CHARS,
                    "a page leaves room for the run beside it within 32 KB");
            found.addAll(page.results());
            page.results().forEach(r -> order.add(r.startedAt()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        // 100 points a query page, cut at 20 KB of answer (about 80 points): a cut page goes on inside the same query page.
        assertTrue(pages > 3 && pages < 250 / 40, "250 points in " + pages + " pages");
        assertEquals(created, new HashSet<>(found.stream().map(Results.FoundBackup::ref).toList()), "each new point, none older");
        assertEquals(250, found.size());
        assertEquals(order.stream().sorted().toList(), order, "oldest first");
        Results.FoundBackup first = found.get(0);
        assertEquals("vm-101", first.moref());
        assertEquals(SimFixture.VCENTER, first.vcenter());
        assertEquals("web-01", first.vmName());
        assertNull(first.uuid());
    }
}
