package dev.lifeboat.plugin.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LIST_RESULTS over a whole vCenter, against vcsim. vcsim 0.24.2 ignores {@code maxObjects} and has no
 * ContinueRetrievePropertiesEx (its PropertyCollector answers every object at once, without a token), so what is
 * tested here is the retrieval over the ContainerView, the cut of a page at its size with the rest carried in the
 * cursor, and the restart from a token vCenter no longer takes; vCenter's own paging by token is not.
 */
class SnapshotResultPagesTest {
    private static VimProxy proxy;
    private static VmwareSnapshotPlugin plugin;
    private static Refs.Vm vm;

    @BeforeAll
    static void start() throws IOException {
        proxy = new VimProxy(Fixtures.vcsim(), null);
        plugin = new VmwareSnapshotPlugin(new VimClient.Config(Fixtures.testTimeout(), Fixtures.testTimeout()));
        vm = Fixtures.vm("DC0/vm/DC0_C0_RP0_VM1"); // no other test of this module snapshots it
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static Session session() {
        return Fixtures.session(proxy.sdk(), null, false);
    }

    @Test
    void manySnapshotsSinceATimeComeInPagesBelow32KbEachOnceNamedByVcenterMorefAndInstanceUuid() {
        Instant before = Instant.now().minusSeconds(1);
        Set<String> made = new HashSet<>();
        for (int i = 0; i < 140; i++) {
            Results.JobStatus done = plugin.pollJob(session(), plugin.startBackup(session(), vm, new Refs.Policy("p", "GOLD")));
            assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
            made.add(done.restorePoint().ref());
        }
        List<Results.FoundBackup> found = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Results.ResultPage page = plugin.listResultPage(session(), before, cursor);
            int bytes = CommandJson.resultPageBytes(page);
            assertTrue(bytes <= dev.lifeboat.plugin.BackupPlugin.RESULT_PAGE_BYTES, "page " + pages + " has " + bytes + " bytes");
            found.addAll(page.results());
            cursor = page.nextCursor();
            assertTrue(cursor == null || cursor.length() < 200, "a bounded cursor: " + cursor);
            pages++;
        } while (cursor != null && pages < 20);
        assertTrue(pages >= 2, "140 snapshots do not fit one page: " + pages);
        List<Results.FoundBackup> mine = found.stream().filter(f -> made.contains(f.ref())).toList();
        assertEquals(140, mine.size(), "each new snapshot once");
        assertEquals(made, new HashSet<>(mine.stream().map(Results.FoundBackup::ref).toList()));
        assertTrue(mine.stream().allMatch(f -> vm.uuid().equalsIgnoreCase(f.uuid()) && vm.moref().equals(f.moref())
                && proxy.sdk().getHost().equals(f.vcenter())), mine.get(0).toString());
        assertTrue(plugin.listResultPage(session(), Instant.now().plusSeconds(3_600), null).results().isEmpty(), "nothing created after 'since'");
    }

    @Test
    void aTokenVcenterNoLongerTakesRestartsFromTheFirstVmAFewTimesThenRefuses() {
        Results.ResultPage restarted = plugin.listResultPage(session(), Instant.now().minusSeconds(86_400), "0;session[gone]view-1;token-of-a-gone-login;");
        assertTrue(restarted.nextCursor() == null || restarted.nextCursor().startsWith("1;"), restarted.nextCursor());
        TerminalError e = assertThrows(TerminalError.class,
                () -> plugin.listResultPage(session(), Instant.now(), "3;session[gone]view-1;token-of-a-gone-login;"));
        assertEquals(TerminalError.REFUSED, e.code());
        assertTrue(e.getMessage().contains("paging token"), e.getMessage());
        assertEquals(TerminalError.BAD_COMMAND, assertThrows(TerminalError.class,
                () -> plugin.listResultPage(session(), Instant.now(), "page-2")).code());
    }
}
