package dev.lifeboat.domain.properties;

import java.time.Instant;

/** Switches of a datacenter; a datacenter never configured has them all off, at version 0. */
public record BackupProperties(
        String datacenter,
        boolean multipleRestore,
        boolean multipleBackupPolicies,
        boolean updateWhenDeployed,
        boolean backupNow,
        long version,
        Instant updatedAt) {

    public static BackupProperties defaults(String datacenter) {
        return new BackupProperties(datacenter, false, false, false, false, 0, null);
    }
}
