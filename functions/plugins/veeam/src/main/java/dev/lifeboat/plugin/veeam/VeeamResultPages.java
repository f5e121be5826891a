package dev.lifeboat.plugin.veeam;

import static dev.lifeboat.plugin.veeam.VeeamClient.encode;
import static dev.lifeboat.plugin.veeam.VeeamJson.field;
import static dev.lifeboat.plugin.veeam.VeeamJson.integer;
import static dev.lifeboat.plugin.veeam.VeeamJson.items;
import static dev.lifeboat.plugin.veeam.VeeamJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.plugin.ResultPageBudget;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.TerminalError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * LIST_RESULTS over a whole Enterprise Manager: the VM restore points created since a time, through the query service
 * in one request per page, whatever the number of VMs.
 *
 * <p>{@code GET query?type=VmRestorePoint&format=Entities&filter=CreationTime>=<UTC>&sortAsc=CreationTime&pageSize=N&page=P}
 * (backup-systems.md §1.3 and §1.9; VD {@code optional_query_parameters}, {@code filter}: {@code >=} on CreationTime,
 * which "accepts only UTC-formatted DateTime values", VD {@code get_query_restoresession}). Oldest first, so that
 * points created while a run pages through land after the pages already read; a point read twice at a page boundary
 * is recorded once (discoveries are idempotent). Each point names its VM by {@code HierarchyObjRef}
 * ({@code urn:VMware:Vm:<HierarchyRootId>.<moref>}, §1.4) and its vCenter by the hierarchy root's Name.
 */
final class VeeamResultPages {
    /**
     * Points per query page: as many as one answer holds, so that a query page is one plugin call. A point takes about
     * 230 bytes of JSON in Lifeboat's answer (vCenter and VM names of 10 to 15 characters; absent fields are left out),
     * and up to 290 with names of 80 characters together: 84 of those stay within
     * {@link dev.lifeboat.plugin.BackupPlugin#RESULT_PAGE_BYTES}. Longer ones end the answer early (cursor
     * {@code <page>.<points of it already answered>}). With pages of 100 in answers of 20 KB, every page was split into
     * two answers of 78 and 22 points: twice the plugin calls and Record tasks per point.
     */
    static final int PAGE_SIZE = 84;
    private static final String VM_REF_PREFIX = "urn:vmware:vm:";

    private VeeamResultPages() {}

    /** Hierarchy roots by endpoint and user, kept while the Lambda is warm: they change when a vCenter is added. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Roots> ROOTS = new java.util.concurrent.ConcurrentHashMap<>();
    static final java.time.Duration ROOTS_TTL = java.time.Duration.ofMinutes(10);

    private record Roots(Map<String, String> byId, Instant read) {}

    static Results.ResultPage page(VeeamClient c, Instant since, String cursor) {
        return page(c, since, cursor, null);
    }

    /** @param rootsKey the manager's endpoint and user, under which the hierarchy roots are kept (null: read each page) */
    static Results.ResultPage page(VeeamClient c, Instant since, String cursor, String rootsKey) {
        int page = pageNumber(cursor);
        int skip = skipped(cursor);
        JsonNode doc = c.get("query?type=VmRestorePoint&format=Entities&sortAsc=CreationTime&pageSize=" + PAGE_SIZE + "&page=" + page
                + "&filter=" + encode("CreationTime>=" + since), TerminalError.REFUSED);
        List<JsonNode> points = items(doc);
        Map<String, String> roots = null;
        List<Results.FoundBackup> found = new ArrayList<>();
        ResultPageBudget budget = new ResultPageBudget(40);
        for (int k = skip; k < points.size(); k++) {
            JsonNode p = points.get(k);
            String objRef = text(p, "HierarchyObjRef");
            if (objRef == null || !VeeamPlugin.ready(p) || !objRef.toLowerCase(Locale.ROOT).startsWith(VM_REF_PREFIX)) continue;
            String rest = objRef.substring(VM_REF_PREFIX.length());
            int dot = rest.lastIndexOf('.');
            if (dot < 0) continue;
            if (roots == null) roots = roots(c, rootsKey, false);
            if (!roots.containsKey(rest.substring(0, dot).toLowerCase(Locale.ROOT))) roots = roots(c, rootsKey, true);
            Instant created = VeeamJson.instant(p, "CreationTimeUTC");
            String vmName = text(p, "VmDisplayName") != null ? text(p, "VmDisplayName") : text(p, "VmName");
            // A VM restore point has one time, when its processing began (§1.9): it is the start and the end.
            Results.FoundBackup f = new Results.FoundBackup(roots.get(rest.substring(0, dot).toLowerCase(Locale.ROOT)), rest.substring(dot + 1), null,
                    vmName, VeeamPlugin.pointId(p), Results.BackupResult.Status.SUCCESS, created, created, null);
            if (!budget.take(f)) {
                return new Results.ResultPage(found, page + "." + k);
            }
            found.add(f);
        }
        Integer pages = integer(field(doc, "PagingInfo"), "PagesCount");
        boolean more = pages != null ? page < pages : points.size() >= PAGE_SIZE;
        return new Results.ResultPage(found, more ? String.valueOf(page + 1) : null);
    }

    private static int skipped(String cursor) {
        int dot = cursor == null ? -1 : cursor.indexOf('.');
        if (dot < 0) return 0;
        try {
            return Math.max(0, Integer.parseInt(cursor.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "'cursor' is not a page of Veeam's query service: " + cursor);
        }
    }

    private static int pageNumber(String cursor) {
        if (cursor == null) return 1;
        try {
            int dot = cursor.indexOf('.');
            int n = Integer.parseInt(dot < 0 ? cursor : cursor.substring(0, dot));
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new TerminalError(TerminalError.BAD_COMMAND, "'cursor' is not a page of Veeam's query service: " + cursor);
    }

    private static Map<String, String> roots(VeeamClient c, String key, boolean again) {
        Roots kept = key == null ? null : ROOTS.get(key);
        if (!again && kept != null && kept.read().plus(ROOTS_TTL).isAfter(Instant.now())) return kept.byId();
        if (again && kept != null && kept.read().plusSeconds(5).isAfter(Instant.now())) return kept.byId();
        Map<String, String> read = roots(c);
        if (key != null) ROOTS.put(key, new Roots(read, Instant.now()));
        return read;
    }

    /** Hierarchy root id (lower case) → its Name, the vCenter host ({@code GET hierarchyRoots}, §1.4). */
    private static Map<String, String> roots(VeeamClient c) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode r : items(c.get("hierarchyRoots", TerminalError.REFUSED))) {
            String uid = text(r, "UID") != null ? text(r, "UID") : text(r, "Href");
            if (uid != null) out.put(VeeamJson.idOf(uid).toLowerCase(Locale.ROOT), text(r, "Name"));
        }
        return out;
    }
}
