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

    /**
     * Retention deletes the oldest point while the held references of three VMs are read in two query pages: every
     * later point moves one place forward, so the first point of page 2 slips into page 1. Read in page order, it
     * would be missed and its backup wrongly expired; every point that still exists must be held.
     */
    @Test
    void heldReferencesMissNoPointWhenRetentionDeletesOneBetweenQueryPages() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        int total = VeeamPlugin.HELD_QUERY_PAGE + 100;
        List<String> points = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            // The point that slips (index HELD_QUERY_PAGE) is web-01's, the VM of the first answer page.
            String vm = i % 3 == 0 || i == VeeamPlugin.HELD_QUERY_PAGE ? "web-01" : i % 3 == 1 ? "db-01" : "app-01";
            points.add(f.sim.addRestorePoint(vm, t0.plus(Duration.ofMinutes(i))));
        }
        f.sim.faults().changeBeforeNext(r -> r.contains("type=VmRestorePoint") && r.contains("page=2"),
                () -> f.sim.deleteRestorePoint(points.get(0)));
        Set<String> held = new HashSet<>();
        String cursor = null;
        do {
            Results.HeldPage page = f.plugin.listHeld(f.session(), List.of(SimFixture.web01(), SimFixture.db01(), SimFixture.app01()), cursor);
            assertTrue(page.failures().isEmpty(), "no VM skipped: " + page.failures());
            page.held().forEach(h -> held.addAll(h.refs()));
            cursor = page.nextCursor();
        } while (cursor != null);
        List<String> missed = points.subList(1, total).stream().filter(p -> !held.contains(p)).toList();
        assertEquals(List.of(), missed, "points still held by Veeam but not listed");
    }

    @Test
    void pointsSinceATimeComeInPagesBelow32KbEachOnceWithTheirVmsMorefAndVcenter() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 250; i++) {
            created.add(f.sim.addRestorePoint(i % 2 == 0 ? "web-01" : "db-01", since.plus(Duration.ofMinutes(i))));
        }
        f.sim.addRestorePoint("web-01", since.minusSeconds(1));
        List<Results.ResultPage> answers = allPages(since);
        int pages = answers.size();
        List<Results.FoundBackup> found = answers.stream().flatMap(p -> p.results().stream()).toList();
        List<Instant> order = found.stream().map(Results.FoundBackup::startedAt).toList();
        // A query page of points with names of this length is one answer: no query page is split across two calls.
        assertEquals((250 + VeeamResultPages.PAGE_SIZE - 1) / VeeamResultPages.PAGE_SIZE, pages, "250 points in " + pages + " answers");
        assertEquals(created, new HashSet<>(found.stream().map(Results.FoundBackup::ref).toList()), "each new point, none older");
        assertEquals(250, found.size());
        assertEquals(order.stream().sorted().toList(), order, "oldest first");
        Results.FoundBackup first = found.get(0);
        assertEquals("vm-101", first.moref());
        assertEquals(SimFixture.VCENTER, first.vcenter());
        assertEquals("web-01", first.vmName());
        assertNull(first.uuid());
    }

    @Test
    void pointsOfVmsWithLongNamesEndAnAnswerInsideAQueryPageAndTheNextAnswerGoesOnFromThere() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        List<String> names = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            // One in three-byte characters: the budget counts bytes, as a state's size does, not characters.
            String name = "finance-reporting-" + v + "-" + (v == 2 ? "報告".repeat(50) : "x".repeat(100));
            names.add(name);
            f.sim.addVm(SimFixture.VCENTER, name, "vm-90" + v, null);
        }
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 150; i++) created.add(f.sim.addRestorePoint(names.get(i % 3), since.plus(Duration.ofMinutes(i))));
        List<Results.ResultPage> answers = allPages(since);
        int pages = answers.size();
        List<Results.FoundBackup> found = answers.stream().flatMap(p -> p.results().stream()).toList();
        assertTrue(pages > (150 + VeeamResultPages.PAGE_SIZE - 1) / VeeamResultPages.PAGE_SIZE, "answers cut inside query pages: " + pages);
        assertEquals(150, found.size(), "no point twice");
        assertEquals(created, new HashSet<>(found.stream().map(Results.FoundBackup::ref).toList()), "none missed");
    }

    /** Every answer of LIST_RESULTS since {@code since}, each checked to fit its budget. */
    private List<Results.ResultPage> allPages(Instant since) {
        List<Results.ResultPage> pages = new ArrayList<>();
        String cursor = null;
        do {
            Results.ResultPage page = f.plugin.listResultPage(f.session(), since, cursor);
            assertTrue(CommandJson.resultPageBytes(page) <= dev.lifeboat.plugin.BackupPlugin.RESULT_PAGE_BYTES,
                    "a page leaves room for the run beside it within 32 KB");
            pages.add(page);
            cursor = page.nextCursor();
        } while (cursor != null);
        return pages;
    }
}
