package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.vm.VirtualMachine;
import java.time.Instant;
import java.util.Optional;

/** Port: where results sync of a datacenter stands, and its VMs found by their identity in the hypervisor. */
public interface SyncRepository {

    /**
     * Where results sync of a datacenter stands.
     *
     * @param watermark when the last run that went through every page began (null before the first): the next run
     *                  asks for what was created since then, less an overlap
     * @param sliceCursor where the rotating check for expired restore points goes on (null: from the first VM)
     */
    record Mark(Instant watermark, String sliceCursor, long version) {
        public static final Mark NONE = new Mark(null, null, 0);
    }

    Mark mark(String datacenter);

    /**
     * Writes the next mark unless another run wrote a later watermark meanwhile (runs may overlap: the later one
     * wins, an earlier one never moves the watermark back). @return whether it was written
     */
    boolean advance(String datacenter, Mark next);

    /**
     * The datacenter's VM that the hypervisor knows as {@code moref} in {@code vcenter}, or else by BIOS {@code uuid}:
     * one indexed read, whatever the number of VMs.
     */
    Optional<VirtualMachine> vmByHypervisor(String datacenter, String vcenter, String moref, String uuid);

    /**
     * What results sync needs of a VM to record the restore points listed with its identity: whose it is, and whether
     * it has a backup configuration (a VM without one is not Lifeboat's to record). The identity pointer of a VM carries
     * it, so a page of points is matched without reading the VMs themselves.
     */
    record PointedVm(String id, String datacenter, String enterprise, boolean configured) {
        public static PointedVm of(VirtualMachine vm) {
            return new PointedVm(vm.id(), vm.datacenter(), vm.enterprise(), !vm.backup().policies().isEmpty());
        }
    }

    /**
     * The datacenter's VMs of many hypervisor identities at once, in their order, by the pointer each VM write keeps
     * (a read per hundred identities): an empty answer means only that no pointer names a matching VM, since a VM
     * written before the pointers existed has none. {@link #vmByHypervisor} decides those.
     */
    java.util.List<Optional<PointedVm>> vmsByPointer(String datacenter, java.util.List<dev.lifeboat.domain.vm.Hypervisor> identities);

    /**
     * A restore point as the backup system lists it, as far as finding Lifeboat's backup of it goes.
     *
     * @param ref the point's (or, while it runs, its job's) reference
     * @param startedAt its start as listed, or null: a discovery of it is then found by its reference pointer only
     */
    record ListedPoint(String ref, Instant startedAt) {}

    /**
     * A page of listed points at once: per identity, in their order, its VM as {@link #vmsByPointer} finds it; and for
     * each VM found, Lifeboat's backups of it of the points listed with its identities, as {@link #backupsOf} finds them
     * (an entry, maybe empty, for every VM found). The reference pointers and the discoveries' keys are read together
     * (with the VMs whose pointer carries nothing but their id), so a page takes one round trip fewer than the two calls.
     *
     * @param points per identity, the point listed with it, or null (same order and size as {@code identities})
     */
    PointPage pointPage(String datacenter, java.util.List<dev.lifeboat.domain.vm.Hypervisor> identities, java.util.List<ListedPoint> points);

    /** What {@link #pointPage} found. */
    record PointPage(java.util.List<Optional<PointedVm>> vms, java.util.Map<String, java.util.List<Backup>> knownByVm) {}

    /**
     * Lifeboat's backups of the given listed points of their VM, by VM id, with an entry (maybe empty) for every VM
     * asked, each backup once: those a reference (restore point or job) names through its pointer, and the discoveries
     * whose key derives from a point ({@link Backup#keyedBy}). A read per fifty points (two keys each), then one of the
     * backups the pointers name, whatever the VMs' other backups.
     */
    java.util.Map<String, java.util.List<Backup>> backupsOf(java.util.Map<String, java.util.Set<ListedPoint>> pointsByVm);

    /**
     * The datacenter's SUCCESS backups with a restore point reference of the VMs whose ids lie in {@code fromVm..toVm}
     * (both included, in the order of the VM listing), by VM id: results sync's expiry slice, in reads that grow with
     * the backups returned, not with the number of VMs. Read from an index that may lag the table by a moment: a
     * backup written from it must be conditional on its version.
     */
    java.util.Map<String, java.util.List<Backup>> heldBackups(String datacenter, String fromVm, String toVm);
}
