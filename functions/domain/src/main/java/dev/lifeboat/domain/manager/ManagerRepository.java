package dev.lifeboat.domain.manager;

import dev.lifeboat.domain.common.DatacenterUsage;
import dev.lifeboat.domain.common.StoreConflict;
import java.util.Optional;

/** Port: where managers are kept. Writes are conditional and throw {@link StoreConflict} with the failed condition. */
public interface ManagerRepository {
    Optional<BackupManager> findManager(String datacenter);

    /** Every datacenter that has a backup manager, in id order (results sync visits each). */
    java.util.List<String> managedDatacenters();

    /** The datacenter's counters; {@link DatacenterUsage#NONE} when it has none. */
    DatacenterUsage findUsage(String datacenter);

    /** Creates; fails with ALREADY_EXISTS, or DEFINED_HOUR_POLICIES_EXIST for a VEEAM manager. */
    void createManager(BackupManager manager);

    /** Replaces the manager whose version is {@code expectedVersion}; VERSION_MISMATCH, NOT_FOUND, DEFINED_HOUR_POLICIES_EXIST. */
    void replaceManager(BackupManager manager, long expectedVersion);

    /** Deletes; VERSION_MISMATCH, NOT_FOUND, or VMS_CONFIGURED while any VM of the datacenter has a backup configuration. */
    void deleteManager(String datacenter, long expectedVersion);
}
