package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.vm.VirtualMachine;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port: backups, restores and restore requests, and the VM lock that a running backup or restore holds. Writes are
 * conditional and throw {@link StoreConflict}: VM_LOCKED when another operation holds the VM, VERSION_MISMATCH when
 * the VM, the backup or the restore changed since it was read, ALREADY_EXISTS for a second create.
 */
public interface BackupRepository {
    /** The lock's holder names the operation: {@code BACKUP#<id>} or {@code RESTORE#<id>}. */
    static String backupHolder(String backupId) {
        return "BACKUP#" + backupId;
    }

    static String restoreHolder(String restoreId) {
        return "RESTORE#" + restoreId;
    }

    Optional<Backup> findBackup(String vm, String backupId);

    /** The VM's backups, newest first. */
    Page<Backup> listBackups(String vm, PageRequest page);

    /** Every backup of the VM, newest first (results sync compares them with the backup system's list). */
    List<Backup> allBackups(String vm);

    /**
     * Creates a QUEUED backup and takes the VM's lock for it, while the VM is as {@code vmAsRead} (its version and its
     * configuration's version). VM_LOCKED, VERSION_MISMATCH.
     */
    void createLockedBackup(Backup backup, VirtualMachine vmAsRead);

    /** Writes a backup that takes no lock ({@code previous} null: a new one, e.g. DISCOVERED). */
    void saveBackup(Backup previous, Backup next);

    /**
     * Creates each of {@code found} (new backups, e.g. DISCOVERED) that does not exist yet, and leaves alone the
     * ones that do (another run wrote them first). @return the ones this call created
     */
    default List<Backup> createAll(List<Backup> found) {
        List<Backup> created = new java.util.ArrayList<>();
        for (Backup b : found) {
            try {
                saveBackup(null, b);
                created.add(b);
            } catch (dev.lifeboat.domain.common.StoreConflict alreadyThere) {
                // written by another run: one backup, one event
            }
        }
        return created;
    }

    /** Writes the backup's final state and frees the VM's lock if {@code holder} still holds it, in one transaction. */
    void finishBackup(Backup previous, Backup next);

    Optional<String> lockHolder(String vm);

    /**
     * Creates a QUEUED restore of {@code backupAsRead} (whose restore count goes up, if the backup is still as read)
     * and takes the VM's lock. VM_LOCKED, VERSION_MISMATCH.
     */
    void createLockedRestore(Restore restore, Backup backupAsRead, VirtualMachine vmAsRead);

    Optional<Restore> findRestore(String vm, String backupId, String restoreId);

    /** The restores of a backup, newest first. */
    List<Restore> restoresOf(String vm, String backupId);

    /** Every restore of the VM's backups, newest first (one read for a page of backups with their restores). */
    List<Restore> allRestores(String vm);

    /** The restores a request's items name, by restore id. */
    Map<String, Restore> findRestores(Collection<RestoreRequest.Item> items);

    void saveRestore(Restore previous, Restore next);

    /** Writes the restore's final state and frees the VM's lock if the restore still holds it. */
    void finishRestore(Restore previous, Restore next);

    void createRequest(RestoreRequest request);

    Optional<RestoreRequest> findRequest(String requestId);
}
