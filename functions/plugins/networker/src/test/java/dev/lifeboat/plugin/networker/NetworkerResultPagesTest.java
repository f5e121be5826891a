package dev.lifeboat.plugin.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.sim.networker.Vm;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LIST_RESULTS over a whole NetWorker server: one {@code GET /backups} per page, since a save time, below 32 KB. */
class NetworkerResultPagesTest {
    private SimFixture nw;

    @BeforeEach
    void start() throws IOException {
        nw = new SimFixture();
    }

    @AfterEach
    void stop() {
        nw.close();
    }

    /**
     * Retention deletes the oldest save set while the held references of eight VMs are read in two pages: every later
     * one moves one place forward, so the first of the second page slips into the first. Read once in page order, it
     * would be missed and its backup wrongly expired; every save set that still exists must be held.
     */
    @Test
    void heldReferencesMissNoSaveSetWhenRetentionDeletesOneBetweenPages() {
        Instant t0 = Instant.now().minus(Duration.ofDays(20));
        List<Vm> vms = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            vms.add(nw.sim.addVm(SimFixture.VC, "held-" + i));
        }
        int total = NetworkerPlugin.HELD_PAGE + 140;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            // The save set that slips (index HELD_PAGE) is the first VM's, the VM of the first answer page.
            Vm vm = vms.get(i == NetworkerPlugin.HELD_PAGE ? 0 : i % vms.size());
            ids.add(nw.sim.addBackup(vm.uuid(), t0.plus(Duration.ofMinutes(i)), t0.plus(Duration.ofDays(60))).id());
        }
        nw.sim.faults().changeBeforeNext(r -> r.contains("/backups?") && r.contains("offset=" + NetworkerPlugin.HELD_PAGE),
                () -> nw.sim.deleteBackup(ids.get(0)));
        Set<String> held = new HashSet<>();
        String cursor = null;
        do {
            Results.HeldPage page = nw.plugin.listHeld(nw.session(), vms.stream().map(SimFixture::ref).toList(), cursor);
            assertTrue(page.failures().isEmpty(), "no VM skipped: " + page.failures());
            page.held().forEach(h -> h.refs().forEach(ref -> held.add(ref.substring(ref.lastIndexOf('/') + 1))));
            cursor = page.nextCursor();
        } while (cursor != null);
        List<String> missed = ids.subList(1, total).stream().filter(id -> !held.contains(id)).toList();
        assertEquals(List.of(), missed, "save sets NetWorker still holds but not listed");
    }

    @Test
    void backupsSinceATimeComeInPagesBelow32KbEachOnceNamingTheirVmByVcenterMorefAndUuid() {
        Instant now = Instant.now();
        Instant since = now.minus(Duration.ofHours(6));
        // Long names (vSphere allows 80 characters): pages end on their size, not only on NetWorker's page.
        String vc = "vcenter-with-a-rather-long-host-name-for-this-test.datacenter-one.example.org";
        nw.sim.addVCenter(vc);
        List<Vm> vms = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            vms.add(nw.sim.addVm(vc, ("vm-" + i + "-").repeat(1) + "x".repeat(70)));
        }
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 150; i++) {
            created.add(nw.sim.addBackup(vms.get(i % vms.size()).uuid(), since.plusSeconds(60L * i + 1), now.plus(Duration.ofDays(30))).id());
        }
        nw.sim.addBackup(nw.web.uuid(), since.minusSeconds(60), now.plus(Duration.ofDays(30)));
        nw.sim.addBackup(nw.web.uuid(), since.plusSeconds(30), now.minusSeconds(1)); // expired: not listed
        int before = nw.sim.requests().size();

        List<Results.FoundBackup> found = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        boolean cutBySize = false;
        do {
            Results.ResultPage page = nw.plugin.listResultPage(nw.session(), since, cursor);
            int bytes = CommandJson.resultPageBytes(page);
            assertTrue(bytes <= dev.lifeboat.plugin.BackupPlugin.RESULT_PAGE_BYTES, "page " + pages + " has " + bytes + " bytes");
            found.addAll(page.results());
            cursor = page.nextCursor();
            cutBySize |= cursor != null && page.results().size() < NetworkerResultPages.PAGE_SIZE;
            assertTrue(cursor == null || cursor.length() < 30, "a short cursor: " + cursor);
            pages++;
        } while (cursor != null && pages < 100);

        assertEquals(pages, nw.sim.requests().size() - before, "one NetWorker request per page");
        assertTrue(cutBySize, "with names this long, a page ends on its size before NetWorker's page of " + NetworkerResultPages.PAGE_SIZE);
        assertEquals(150, found.size(), "each new backup once");
        Set<String> ids = new HashSet<>();
        for (Results.FoundBackup f : found) {
            ids.add(NetworkerRefs.backup(f.ref()).backupId());
        }
        assertEquals(created, ids, "exactly the backups saved since, none older, none expired");
        Results.FoundBackup first = found.get(0);
        Vm vm = vms.get(0);
        assertEquals(vc, first.vcenter());
        assertEquals(vm.moref(), first.moref());
        assertEquals(vm.uuid(), first.uuid());
        assertEquals(vm.name(), first.vmName());
        assertEquals(since.plusSeconds(1).getEpochSecond(), first.startedAt().getEpochSecond());
        assertEquals(NetworkerRefs.restorePoint(vc, vm.uuid(), NetworkerRefs.backup(first.ref()).backupId()), first.ref(),
                "the same restore point ref as a VM's own listing, so results sync records it once");
    }

    @Test
    void aCursorThatIsNotOursIsABadCommand() {
        TerminalError e = assertThrows(TerminalError.class, () -> nw.plugin.listResultPage(nw.session(), Instant.now(), "page-2"));
        assertEquals(TerminalError.BAD_COMMAND, e.code());
    }
}
