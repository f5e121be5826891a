package dev.lifeboat.sim.networker;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The simulator's backups by id, by save time and by VM, so that a list narrowed by {@code saveTime} or a VM's backups
 * cost what they return, not what the server holds (100,000 VMs with their backups stay fast). Guarded by the
 * simulator's lock, like the rest of its state.
 */
final class BackupIndex {
    private static final Comparator<Backup> BY_SAVE_TIME = Comparator.comparing(Backup::saveTime).thenComparing(Backup::id);

    private final Map<String, Backup> byId = new HashMap<>();
    private final NavigableSet<Backup> bySaveTime = new TreeSet<>(BY_SAVE_TIME);
    private final Map<String, Map<String, Backup>> byVm = new HashMap<>();

    Backup get(String id) {
        return byId.get(id);
    }

    void put(String id, Backup b) {
        remove(id);
        byId.put(id, b);
        bySaveTime.add(b);
        byVm.computeIfAbsent(b.vmUuid(), u -> new LinkedHashMap<>()).put(id, b);
    }

    Backup remove(String id) {
        Backup b = byId.remove(id);
        if (b != null) {
            bySaveTime.remove(b);
            Map<String, Backup> ofVm = byVm.get(b.vmUuid());
            ofVm.remove(id);
            if (ofVm.isEmpty()) {
                byVm.remove(b.vmUuid());
            }
        }
        return b;
    }

    /** Every backup, oldest save time first (then by id): the order of {@code GET /backups}. */
    Collection<Backup> values() {
        return Collections.unmodifiableCollection(bySaveTime);
    }

    /** Backups saved between {@code low} and {@code high} inclusive (null: open end), oldest first. */
    Collection<Backup> savedBetween(Instant low, Instant high) {
        if (low != null && high != null && high.isBefore(low)) {
            return List.of();
        }
        NavigableSet<Backup> from = low == null ? bySaveTime : bySaveTime.tailSet(probe(low, ""), true);
        return high == null ? from : from.headSet(probe(high, "\uffff"), true);
    }

    /** A VM's backups, in the order they were made. */
    Collection<Backup> ofVm(String vmUuid) {
        Map<String, Backup> ofVm = byVm.get(vmUuid);
        return ofVm == null ? List.of() : Collections.unmodifiableCollection(ofVm.values());
    }

    private static Backup probe(Instant saveTime, String id) {
        return new Backup(id, 0, "", "", "", "", "", List.of(), saveTime, saveTime, saveTime, "", 0, null, null);
    }
}
