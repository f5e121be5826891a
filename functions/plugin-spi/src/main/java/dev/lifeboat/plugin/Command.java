package dev.lifeboat.plugin;

import java.time.Instant;
import java.util.List;

/**
 * One plugin call, as a Step Functions state or the API sends it. Only the fields the operation needs are set.
 * {@code cursor}: the page of a LIST_RESULTS over the whole backup system (no {@code vms}) to read, as the previous
 * page named it; null for the first. {@code held}: a LIST_RESULTS of many {@code vms} that answers only the references
 * of the restore points the backup system still holds for them ({@link BackupPlugin#listHeld}), a page from
 * {@code cursor}.
 */
public record Command(Operation operation, Refs.Manager manager, Refs.Vm vm, Refs.Policy policy, Refs.Job job,
                      Refs.RestorePoint restorePoint, Refs.RestoreMode restoreMode, Instant since, List<Refs.Vm> vms,
                      String cursor, boolean held) {

    public Command(Operation operation, Refs.Manager manager, Refs.Vm vm, Refs.Policy policy, Refs.Job job,
                   Refs.RestorePoint restorePoint, Refs.RestoreMode restoreMode, Instant since, List<Refs.Vm> vms, String cursor) {
        this(operation, manager, vm, policy, job, restorePoint, restoreMode, since, vms, cursor, false);
    }

    public Command(Operation operation, Refs.Manager manager, Refs.Vm vm, Refs.Policy policy, Refs.Job job,
                   Refs.RestorePoint restorePoint, Refs.RestoreMode restoreMode, Instant since, List<Refs.Vm> vms) {
        this(operation, manager, vm, policy, job, restorePoint, restoreMode, since, vms, null);
    }

    public static Command of(Operation operation, Refs.Manager manager) {
        return new Command(operation, manager, null, null, null, null, null, null, List.of());
    }

    public Command withVm(Refs.Vm v) {
        return new Command(operation, manager, v, policy, job, restorePoint, restoreMode, since, vms);
    }

    public Command withPolicy(Refs.Policy p) {
        return new Command(operation, manager, vm, p, job, restorePoint, restoreMode, since, vms);
    }

    public Command withJob(Refs.Job j) {
        return new Command(operation, manager, vm, policy, j, restorePoint, restoreMode, since, vms);
    }

    public Command withRestore(Refs.RestorePoint point, Refs.RestoreMode mode) {
        return new Command(operation, manager, vm, policy, job, point, mode, since, vms);
    }

    public Command withResults(List<Refs.Vm> of, Instant from) {
        return new Command(operation, manager, vm, policy, job, restorePoint, restoreMode, from, of);
    }

    /** LIST_RESULTS of the whole backup system: what it created since {@code from}, one page from {@code at}. */
    public Command withResultPage(Instant from, String at) {
        return new Command(operation, manager, vm, policy, job, restorePoint, restoreMode, from, List.of(), at);
    }

    /** LIST_RESULTS of the references the backup system holds for {@code of}, the page from {@code at} (null: the first). */
    public Command withHeld(List<Refs.Vm> of, String at) {
        return new Command(operation, manager, vm, policy, job, restorePoint, restoreMode, null, of, at, true);
    }
}
