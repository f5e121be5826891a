package dev.lifeboat.sim.networker;

import java.time.Instant;
import java.util.List;

/**
 * A completed VM backup (a NetWorker save set with one instance). The VM it came from may be gone from vCenter; the
 * backup keeps what a recover needs ({@code vmInformation}, backup-systems.md §2.6). {@code policy}/{@code workflow}
 * are null for a backup added without a workflow.
 */
public record Backup(String id, long shortId, String vCenterHostname, String vmUuid, String vmName, String vmMoref,
                     String datastoreMoref, List<Disk> disks, Instant saveTime, Instant completionTime,
                     Instant retentionTime, String instanceId, long sizeBytes, String policy, String workflow) {
    public Backup {
        disks = List.copyOf(disks);
    }

    /** Whether NetWorker would still keep it (CS-N skips backups whose {@code retentionTime} has passed). */
    public boolean expiredAt(Instant now) {
        return retentionTime.isBefore(now);
    }
}
