package dev.lifeboat.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeldPagesTest {
    /** The longest VM id Lifeboat takes (128 characters), and long references with multi-byte characters. */
    private static Refs.Vm vm(int i) {
        String id = String.format("%0128d", i);
        return new Refs.Vm(id, "é".repeat(128), "vc", "vm-" + i, null, true);
    }

    private static String ref(int vm, int k) {
        return "ü".repeat(40) + "-" + vm + "-" + k;
    }

    private static List<Results.HeldPage> all(List<Refs.Vm> vms, int chunk, Map<String, List<String>> refs, List<Results.VmFailure> failing) {
        List<Results.HeldPage> pages = new ArrayList<>();
        String cursor = null;
        do {
            Results.HeldPage page = HeldPages.page(vms, cursor, chunk, part -> {
                Map<String, List<String>> mine = new LinkedHashMap<>();
                part.forEach(vm -> { if (refs.containsKey(vm.id())) mine.put(vm.id(), refs.get(vm.id())); });
                return new HeldPages.Listed(mine, failing.stream().filter(f -> part.stream().anyMatch(v -> v.id().equals(f.vmId()))).toList());
            });
            pages.add(page);
            cursor = page.nextCursor();
        } while (cursor != null && pages.size() < 1_000);
        return pages;
    }

    @Test
    void theWorstCaseSlicePagesStayWithinTheBudgetAndCarryEveryVmWholeOnce() {
        List<Refs.Vm> vms = new ArrayList<>();
        Map<String, List<String>> refs = new HashMap<>();
        for (int i = 0; i < 64; i++) {
            vms.add(vm(i));
            List<String> mine = new ArrayList<>();
            for (int k = 0; k < (i % 7) * 12; k++) mine.add(ref(i, k));
            if (i % 5 != 3) refs.put(vms.get(i).id(), mine); // and some VMs the backup system holds nothing of
        }
        List<Results.VmFailure> failing = List.of(new Results.VmFailure(vms.get(9).id(), "UNKNOWN_VM", "x".repeat(5_000)));

        List<Results.HeldPage> pages = all(vms, 32, refs, failing);

        List<String> seen = new ArrayList<>();
        for (Results.HeldPage page : pages) {
            int bytes = CommandJson.TREES.bytes(CommandJson.held(page)).length;
            assertTrue(bytes <= HeldPages.BUDGET_BYTES, "a page of " + bytes + " B");
            page.held().forEach(h -> {
                seen.add(h.vmId());
                assertEquals(refs.getOrDefault(h.vmId(), List.of()), h.refs(), "a VM's references are never split over pages");
            });
            page.failures().forEach(f -> seen.add(f.vmId()));
        }
        assertTrue(pages.size() > 1, "the worst case takes more than one page");
        assertEquals(vms.stream().map(Refs.Vm::id).sorted().toList(), seen.stream().sorted().toList(), "every VM once");
        assertEquals("UNKNOWN_VM", pages.stream().flatMap(p -> p.failures().stream()).findFirst().orElseThrow().code());
    }

    @Test
    void aVmWithMoreRestorePointsThanAPageCarriesIsSkippedNeverAnsweredEmpty() {
        List<Refs.Vm> vms = List.of(vm(1), vm(2), vm(3));
        List<String> many = new ArrayList<>();
        for (int k = 0; k < 1_000; k++) many.add(ref(2, k));
        Map<String, List<String>> refs = Map.of(vm(1).id(), List.of(ref(1, 0)), vm(2).id(), many, vm(3).id(), List.of());

        List<Results.HeldPage> pages = all(vms, 8, refs, List.of());

        assertEquals(1, pages.size());
        Results.HeldPage page = pages.get(0);
        assertEquals(List.of(vm(1).id(), vm(3).id()), page.held().stream().map(Results.HeldVm::vmId).toList());
        assertEquals(HeldPages.TOO_MANY_RESTORE_POINTS, page.failures().get(0).code());
        assertEquals(vm(2).id(), page.failures().get(0).vmId());
    }
}
