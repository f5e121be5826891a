package dev.lifeboat.sim.networker;

/**
 * A virtual disk as NetWorker records it in a backup's {@code vmInformation.disks[]} (backup-systems.md §2.6: key,
 * name, datastoreMoref, datastoreName, sizeInKb, thinProvisioned). A recover {@code New} names disks by {@code key}
 * and {@code name} from here (§2.7).
 */
public record Disk(int key, String name, String datastoreMoref, String datastoreName, long sizeInKb, boolean thinProvisioned) {
}
