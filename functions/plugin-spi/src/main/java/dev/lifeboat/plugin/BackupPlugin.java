package dev.lifeboat.plugin;

import java.time.Instant;
import java.util.List;

/**
 * One backup system. Start operations return as soon as the backup system accepted the work, with a job that
 * {@link #pollJob} follows; nothing here waits for a backup or a restore. Implementations keep no state between
 * calls and never write to Lifeboat's table.
 */
public interface BackupPlugin {
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
     * time, oldest first: results sync follows what changed rather than asking VM by VM. A page stays below 32 KB as
     * JSON. A plugin that cannot list in bulk says so with UNSUPPORTED; results sync then lists VM by VM.
     *
     * @param cursor the page to read, as the previous page's {@code nextCursor} named it; null for the first
     */
    default Results.ResultPage listResultPage(Session session, Instant since, String cursor) {
        throw new TerminalError(TerminalError.UNSUPPORTED, capabilities().type() + " results are listed VM by VM, not in bulk");
    }
}
