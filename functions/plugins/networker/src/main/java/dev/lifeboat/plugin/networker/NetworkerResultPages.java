package dev.lifeboat.plugin.networker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.plugin.ResultPageBudget;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.TerminalError;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * LIST_RESULTS over a whole NetWorker server: the VM backups saved since a time, one {@code GET /global/backups} per
 * page, whatever the number of VMs.
 *
 * <p>{@code GET backups?q=saveTime:['<since>' TO '<upper>']&fl=…&limit=N&offset=K}: the range syntax is CS-N's
 * ({@code saveTime:['2024-01-01T10:00:00' TO '…']}, times without offset in UTC, backup-systems.md §2.2) and the
 * {@code /global/backups} items carry {@code saveTime}, {@code completionTime}, {@code retentionTime}, {@code size}
 * and, for VMware backups, {@code vmInformation} (§2.6). {@code limit}/{@code offset} paging and the names of the VM
 * fields in {@code vmInformation} ({@code vCenterHostname}, {@code vmMoref}, {@code vmUuid}, {@code vmName}) are
 * [U]: the alternatives {@code morefId}/{@code uuid} are read too, and a server that ignores the paging parameters
 * (answering more than {@code limit}) is paged here, from its whole answer.
 *
 * <p>The cursor is {@code <offset>@<upper>} (upper: epoch seconds of the first page's request), under 30 characters.
 * The upper bound keeps the run's set fixed while it pages; a backup saved meanwhile is read by the next run, whose
 * {@code since} goes back by the operation timeout. Whatever NetWorker's order, a backup that appears meanwhile
 * before the offset only moves others forward, so they are read twice (recorded once), not skipped.
 */
final class NetworkerResultPages {
    /**
     * Backups asked for per request: about 420 bytes each in Lifeboat's answer. A page ends early when the next one
     * would pass {@link dev.lifeboat.plugin.BackupPlugin#RESULT_PAGE_BYTES} (long names), and the next starts there.
     */
    static final int PAGE_SIZE = 60;
    private static final String FIELDS = "id,saveTime,creationTime,completionTime,retentionTime,size,name,clientHostname,vmInformation";
    private static final DateTimeFormatter QUERY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private NetworkerResultPages() {}

    static Results.ResultPage page(NetworkerClient c, Instant since, String cursor, Instant now) {
        int offset = 0;
        Instant upper = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        if (cursor != null) {
            int at = cursor.indexOf('@');
            try {
                offset = Integer.parseInt(cursor.substring(0, Math.max(at, 0)));
                upper = Instant.ofEpochSecond(Long.parseLong(cursor.substring(at + 1)));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                offset = -1;
            }
            if (at < 0 || offset < 0) {
                throw new TerminalError(TerminalError.BAD_COMMAND, "'cursor' is not a page of NetWorker's backups: " + cursor);
            }
        }
        String q = "saveTime:['" + QUERY_TIME.format(since) + "' TO '" + QUERY_TIME.format(upper) + "']";
        JsonNode doc = c.get("backups?q=" + NetworkerClient.query(q) + "&fl=" + FIELDS + "&limit=" + PAGE_SIZE + "&offset=" + offset,
                new NetworkerClient.Lookup(TerminalError.REFUSED, "the backup list"));
        List<JsonNode> items = Wire.items(doc, "backups");
        boolean more;
        if (items.size() > PAGE_SIZE) {
            // The server ignored limit and offset: this is the whole list, and the page is cut from it here.
            more = offset + PAGE_SIZE < items.size();
            items = items.subList(Math.min(offset, items.size()), Math.min(offset + PAGE_SIZE, items.size()));
        } else {
            JsonNode count = doc.get("count");
            more = items.size() >= PAGE_SIZE || count != null && count.canConvertToLong() && count.asLong() > offset + items.size();
        }
        List<Results.FoundBackup> found = new ArrayList<>();
        ResultPageBudget budget = new ResultPageBudget(40);
        int consumed = 0;
        for (JsonNode b : items) {
            Results.FoundBackup f = found(b, since, upper, now);
            if (f != null) {
                if (!budget.take(f)) {
                    more = true;
                    break;
                }
                found.add(f);
            }
            consumed++;
        }
        return new Results.ResultPage(found, more ? (offset + consumed) + "@" + upper.getEpochSecond() : null);
    }

    /** The backup as Lifeboat names it, or null: not a VM's, expired, or outside the range (a server ignoring q). */
    private static Results.FoundBackup found(JsonNode b, Instant since, Instant upper, Instant now) {
        JsonNode vm = b.path("vmInformation");
        String id = Wire.text(b, "id");
        String vCenter = first(vm, "vCenterHostname", "vcenterHostname");
        String uuid = first(vm, "vmUuid", "uuid");
        Instant saved = Wire.time(b, "saveTime") != null ? Wire.time(b, "saveTime") : Wire.time(b, "creationTime");
        Instant retention = Wire.time(b, "retentionTime");
        if (id == null || vCenter == null || uuid == null || saved == null || saved.isBefore(since) || saved.isAfter(upper)
                || retention != null && retention.isBefore(now)) {
            return null;
        }
        String name = first(vm, "vmName", "name");
        if (name == null) {
            name = Wire.text(b, "clientHostname") != null ? Wire.text(b, "clientHostname") : Wire.text(b, "name");
        }
        return new Results.FoundBackup(vCenter, first(vm, "vmMoref", "morefId"), uuid, name, NetworkerRefs.restorePoint(vCenter, uuid, id),
                Results.BackupResult.Status.SUCCESS, saved, Wire.time(b, "completionTime"), Wire.sizeBytes(b));
    }

    private static String first(JsonNode n, String field, String alternative) {
        return Wire.text(n, field) != null ? Wire.text(n, field) : Wire.text(n, alternative);
    }
}
