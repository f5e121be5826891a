package dev.lifeboat.plugin;

import java.time.Instant;
import java.util.List;

/**
 * One backup system. Start operations return as soon as the backup system accepted the work, with a job that
 * {@link #pollJob} follows; nothing here waits for a backup or a restore. Implementations keep no state between
 * calls and never write to Lifeboat's table.
 */
public interface BackupPlugin {
    /**
     * Bytes of JSON (UTF-8) one {@link #listResultPage} answer holds at most ({@link ResultPageBudget}). Results sync carries the page beside its run
     * object (at most about 6 KB without VMs), and each state's input and output must stay at most 32 KB. The more
     * points a page holds, the fewer plugin calls, Record tasks and transitions a run takes (at 20 KB, 64 Veeam points
     * a page; at 24 KB, 84).
     */
    int RESULT_PAGE_BYTES = 24 * 1024;
    Capabilities capabilities();

    /** Never throws for bad credentials or an unreachable endpoint: the answer says so, for the API's check. */
    Results.Connection checkConnection(Session session);

    List<Results.ExternalPolicy> listPolicies(Session session);

    Results.Schedule applySchedule(Session session, Refs.Vm vm, Refs.Policy policy);

    Results.Schedule removeSchedule(Session session, Refs.Vm vm, Refs.Policy policy);

    Refs.Job startBackup(Session session, Refs.Vm vm, Refs.Policy policy);

    Refs.Job startRestore(Session session, Refs.Vm vm, Refs.RestorePoint restorePoint, Refs.RestoreMode mode);

    Results.JobStatus pollJob(Session session, Refs.Job job);

    Results.ResultList listResults(Session session, List<Refs.Vm> vms, Instant since);

    /**
     * The restore points the backup system created since {@code since}, over all its VMs, in bulk and a page at a
     * time, oldest first: results sync follows what changed rather than asking VM by VM. A page stays within
     * {@link #RESULT_PAGE_BYTES} as JSON. A plugin that cannot list in bulk says so with UNSUPPORTED; results sync then lists VM by VM.
     *
     * @param cursor the page to read, as the previous page's {@code nextCursor} named it; null for the first
     */
    default Results.ResultPage listResultPage(Session session, Instant since, String cursor) {
        throw new TerminalError(TerminalError.UNSUPPORTED, capabilities().type() + " results are listed VM by VM, not in bulk");
    }

    /**
     * The references of the restore points the backup system holds now for many VMs (results sync compares them with
     * Lifeboat's backups: the ones no longer held are EXPIRED), a page of whole VMs at a time, each page at most
     * {@link HeldPages#BUDGET_BYTES} as JSON. A VM with more points than a page carries is a failure
     * {@link HeldPages#TOO_MANY_RESTORE_POINTS}, never an empty list. This default lists through {@link #listResults}, a
     * few VMs at a time; a plugin whose backup system answers for many VMs in one request overrides it.
     *
     * @param cursor the page to read, as the previous page's {@code nextCursor} named it; null for the first
     */
    default Results.HeldPage listHeld(Session session, List<Refs.Vm> vms, String cursor) {
        return HeldPages.page(vms, cursor, HeldPages.DEFAULT_CHUNK, part -> HeldPages.of(part, listResults(session, part, null)));
    }
}
