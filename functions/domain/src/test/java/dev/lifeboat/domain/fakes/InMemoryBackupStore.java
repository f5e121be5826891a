package dev.lifeboat.domain.fakes;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupRepository;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.common.StoreConflict.Reason;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmRepository;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Backups, restores, requests and VM locks in memory, with the DynamoDB adapter's conditions; fast domain tests only. */
public final class InMemoryBackupStore implements BackupRepository {
    private final VmRepository vms;
    private final Map<String, TreeMap<String, Backup>> backups = new HashMap<>();
    private final Map<String, TreeMap<String, Restore>> restores = new HashMap<>();
    private final Map<String, RestoreRequest> requests = new HashMap<>();
    private final Map<String, String> locks = new HashMap<>();

    public InMemoryBackupStore(VmRepository vms) {
        this.vms = vms;
    }

    private TreeMap<String, Backup> of(String vm) {
        return backups.computeIfAbsent(vm, k -> new TreeMap<>());
    }

    private TreeMap<String, Restore> restoresOf(String vm) {
        return restores.computeIfAbsent(vm, k -> new TreeMap<>());
    }

    @Override
    public synchronized Optional<Backup> findBackup(String vm, String backupId) {
        return Optional.ofNullable(of(vm).get(backupId));
    }

    @Override
    public synchronized Page<Backup> listBackups(String vm, PageRequest page) {
        List<Backup> all = allBackups(vm);
        int from = page.cursor() == null ? 0 : Integer.parseInt(page.cursor());
        int to = Math.min(all.size(), from + page.limit());
        return new Page<>(all.subList(from, to), to < all.size() ? Integer.toString(to) : null);
    }

    @Override
    public synchronized List<Backup> allBackups(String vm) {
        return of(vm).descendingMap().values().stream().toList();
    }

    private void checkVm(VirtualMachine asRead) {
        VirtualMachine now = vms.findVm(asRead.id()).orElseThrow(() -> new StoreConflict(Reason.NOT_FOUND));
        if (now.version() != asRead.version() || now.backup().version() != asRead.backup().version()) {
            throw new StoreConflict(Reason.VERSION_MISMATCH);
        }
    }

    @Override
    public synchronized void createLockedBackup(Backup backup, VirtualMachine vmAsRead) {
        if (locks.containsKey(backup.vm())) throw new StoreConflict(Reason.VM_LOCKED);
        checkVm(vmAsRead);
        if (of(backup.vm()).containsKey(backup.id())) throw new StoreConflict(Reason.ALREADY_EXISTS);
        of(backup.vm()).put(backup.id(), backup);
        locks.put(backup.vm(), BackupRepository.backupHolder(backup.id()));
    }

    @Override
    public synchronized void saveBackup(Backup previous, Backup next) {
        Backup current = of(next.vm()).get(next.id());
        if (previous == null ? current != null : current == null || current.version() != previous.version()) {
            throw new StoreConflict(previous == null ? Reason.ALREADY_EXISTS : Reason.VERSION_MISMATCH);
        }
        of(next.vm()).put(next.id(), next);
    }

    @Override
    public synchronized void finishBackup(Backup previous, Backup next) {
        saveBackup(previous, next);
        locks.remove(next.vm(), BackupRepository.backupHolder(next.id()));
    }

    @Override
    public synchronized Optional<String> lockHolder(String vm) {
        return Optional.ofNullable(locks.get(vm));
    }

    @Override
    public synchronized void createLockedRestore(Restore restore, Backup backupAsRead, VirtualMachine vmAsRead) {
        if (locks.containsKey(restore.vm())) throw new StoreConflict(Reason.VM_LOCKED);
        checkVm(vmAsRead);
        Backup current = of(backupAsRead.vm()).get(backupAsRead.id());
        if (current == null || current.version() != backupAsRead.version()) throw new StoreConflict(Reason.VERSION_MISMATCH);
        of(current.vm()).put(current.id(), current.withRestoreRequested());
        restoresOf(restore.vm()).put(restore.id(), restore);
        locks.put(restore.vm(), BackupRepository.restoreHolder(restore.id()));
    }

    @Override
    public synchronized Optional<Restore> findRestore(String vm, String backupId, String restoreId) {
        return Optional.ofNullable(restoresOf(vm).get(restoreId));
    }

    @Override
    public synchronized List<Restore> restoresOf(String vm, String backupId) {
        return restoresOf(vm).values().stream().filter(r -> r.backupId().equals(backupId))
                .sorted(Comparator.comparing(Restore::id).reversed()).toList();
    }

    @Override
    public synchronized List<Restore> allRestores(String vm) {
        return restoresOf(vm).descendingMap().values().stream().toList();
    }

    @Override
    public synchronized Map<String, Restore> findRestores(Collection<RestoreRequest.Item> items) {
        Map<String, Restore> out = new HashMap<>();
        for (RestoreRequest.Item item : items) {
            if (item.restoreId() != null) {
                Restore r = restoresOf(item.vm()).get(item.restoreId());
                if (r != null) out.put(r.id(), r);
            }
        }
        return out;
    }

    @Override
    public synchronized void saveRestore(Restore previous, Restore next) {
        Restore current = restoresOf(next.vm()).get(next.id());
        if (current == null || current.version() != previous.version()) throw new StoreConflict(Reason.VERSION_MISMATCH);
        restoresOf(next.vm()).put(next.id(), next);
    }

    @Override
    public synchronized void finishRestore(Restore previous, Restore next) {
        saveRestore(previous, next);
        locks.remove(next.vm(), BackupRepository.restoreHolder(next.id()));
    }

    @Override
    public synchronized void createRequest(RestoreRequest request) {
        if (requests.putIfAbsent(request.id(), request) != null) throw new StoreConflict(Reason.ALREADY_EXISTS);
    }

    @Override
    public synchronized Optional<RestoreRequest> findRequest(String requestId) {
        return Optional.ofNullable(requests.get(requestId));
    }
}
