package dev.lifeboat.plugin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Pages of {@link BackupPlugin#listHeld}, bounded in bytes whatever the number of VMs or of their restore points. The
 * cursor is the index, in the command's VM list, of the first VM the page did not carry: the next command names the
 * same VMs and that index. A VM's references are never split over two pages, so that results sync compares each VM
 * against everything the backup system holds for it; one VM that alone would not fit is reported as a failure
 * {@link #TOO_MANY_RESTORE_POINTS} (skipped, never expired) instead.
 */
public final class HeldPages {
    /**
     * Bytes of JSON one answer page takes at most. Results sync carries the page beside its run object (the command of
     * at most 11 KB of VMs, counters, 20 named skips), and each state's input and output must stay at most 32 KB.
     */
    public static final int BUDGET_BYTES = 12 * 1024;
    /** VMs one listing of the default implementation reads at a time: a page cut short relists at most these. */
    public static final int DEFAULT_CHUNK = 8;
    public static final String TOO_MANY_RESTORE_POINTS = "TOO_MANY_RESTORE_POINTS";
    /** A failure's message is cut to this length: a page of failures stays bounded too. */
    static final int MAX_MESSAGE = 200;
    private static final int EMPTY_BYTES = size(CommandJson.held(new Results.HeldPage(List.of(), List.of(), String.valueOf(Integer.MAX_VALUE))));

    private HeldPages() {}

    /** What a plugin found for some VMs: each VM's references (a VM absent holds none), and the VMs it could not read. */
    public record Listed(Map<String, List<String>> refs, List<Results.VmFailure> failures) {}

    /** The references of a {@link BackupPlugin#listResults} answer, by VM, whatever the status of each result. */
    public static Listed of(List<Refs.Vm> vms, Results.ResultList listed) {
        Map<String, List<String>> refs = new LinkedHashMap<>();
        vms.forEach(vm -> refs.put(vm.id(), new ArrayList<>()));
        listed.results().forEach(r -> refs.computeIfAbsent(r.vmId(), k -> new ArrayList<>()).add(r.ref()));
        return new Listed(refs, listed.failures());
    }

    /**
     * The page of {@code vms} from {@code cursor}: {@code list} is asked for {@code chunk} VMs at a time until the page is
     * full or every VM was listed.
     */
    public static Results.HeldPage page(List<Refs.Vm> vms, String cursor, int chunk, Function<List<Refs.Vm>, Listed> list) {
        int i = start(cursor, vms.size());
        List<Results.HeldVm> held = new ArrayList<>();
        List<Results.VmFailure> failures = new ArrayList<>();
        int bytes = EMPTY_BYTES;
        while (i < vms.size()) {
            List<Refs.Vm> part = vms.subList(i, Math.min(vms.size(), i + Math.max(1, chunk)));
            Listed listed = list.apply(part);
            for (Refs.Vm vm : part) {
                Results.VmFailure failed = listed.failures().stream().filter(f -> vm.id().equals(f.vmId())).findFirst().map(HeldPages::cut).orElse(null);
                Results.HeldVm mine = null;
                int size = 0;
                if (failed == null) {
                    mine = new Results.HeldVm(vm.id(), List.copyOf(listed.refs().getOrDefault(vm.id(), List.of())));
                    size = size(CommandJson.held(mine)) + 1;
                    if (EMPTY_BYTES + size > BUDGET_BYTES) {
                        failed = cut(new Results.VmFailure(vm.id(), TOO_MANY_RESTORE_POINTS, "the backup system holds " + mine.refs().size()
                                + " restore points of this VM, more than one answer page carries: it is not compared, and none of its backups expires"));
                        mine = null;
                    }
                }
                if (failed != null) size = size(CommandJson.failure(failed)) + 1;
                if (bytes + size > BUDGET_BYTES) {
                    return new Results.HeldPage(held, failures, String.valueOf(i));
                }
                bytes += size;
                if (failed != null) failures.add(failed); else held.add(mine);
                i++;
            }
        }
        return new Results.HeldPage(held, failures, null);
    }

    private static int start(String cursor, int vms) {
        if (cursor == null) return 0;
        try {
            int n = Integer.parseInt(cursor);
            if (n >= 0 && n <= vms) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new TerminalError(TerminalError.BAD_COMMAND, "'cursor' is not a VM of this held listing: " + cursor);
    }

    private static Results.VmFailure cut(Results.VmFailure f) {
        String m = f.message() == null ? "" : f.message();
        return m.length() <= MAX_MESSAGE ? f : new Results.VmFailure(f.vmId(), f.code(), m.substring(0, MAX_MESSAGE - 1) + "…");
    }

    static int size(com.fasterxml.jackson.databind.JsonNode node) {
        return CommandJson.TREES.bytes(node).length;
    }
}
