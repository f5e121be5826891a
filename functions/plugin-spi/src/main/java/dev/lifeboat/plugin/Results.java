package dev.lifeboat.plugin;

import java.time.Instant;
import java.util.List;

/** What plugins answer, one record per operation. */
public final class Results {
    private Results() {}

    public record Connection(boolean reachable, boolean authenticated, long latencyMs, String details) {}

    /** A job or protection policy of the backup system; {@code code} is what Lifeboat policies match. */
    public record ExternalPolicy(String code, String name, String ref) {}

    public record Schedule(boolean applied, String details) {}

    public record JobStatus(Refs.Job job, State state, Integer progress, Refs.RestorePoint restorePoint, Failure error) {
        public enum State { RUNNING, SUCCEEDED, FAILED }
    }

    public record Failure(String code, String message) {}

    /**
     * A backup the backup system holds for a VM, found by results sync. {@code startedAt} must be the same in every
     * listing of the point, this one and {@link FoundBackup}'s: Lifeboat derives the key of its discovery from it.
     */
    public record BackupResult(String vmId, String ref, Status status, Instant startedAt, Instant finishedAt, Long sizeBytes) {
        public enum Status { RUNNING, SUCCESS, FAILED }
    }

    /** Results of many VMs: one VM's failure is reported beside the others, never instead of them. */
    public record ResultList(List<BackupResult> results, List<VmFailure> failures) {}

    public record VmFailure(String vmId, String code, String message) {}

    /**
     * A backup found by listing the whole backup system: it names its VM as the hypervisor knows it (vCenter with
     * moref, or BIOS uuid, and the VM's name there), and Lifeboat finds its VM by that identity.
     */
    public record FoundBackup(String vcenter, String moref, String uuid, String vmName, String ref, BackupResult.Status status,
                              Instant startedAt, Instant finishedAt, Long sizeBytes) {}

    /** One page of what the backup system created since a time; {@code nextCursor} null on the last page. */
    public record ResultPage(List<FoundBackup> results, String nextCursor) {}

    /** The references of every restore point the backup system holds for one VM: results sync expires the others. */
    public record HeldVm(String vmId, List<String> refs) {}

    /**
     * One page of {@link BackupPlugin#listHeld}: whole VMs only (a VM's references are never split over pages), the
     * VMs that could not be looked at beside them, and {@code nextCursor} null on the last page.
     */
    public record HeldPage(List<HeldVm> held, List<VmFailure> failures, String nextCursor) {}
}
