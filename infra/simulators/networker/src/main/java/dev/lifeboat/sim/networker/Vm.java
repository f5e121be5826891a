package dev.lifeboat.sim.networker;

import java.util.List;

/** A virtual machine of a simulated vCenter. {@code uuid} is the instance UUID NetWorker uses in {@code vmUuids[]}. */
public record Vm(String vCenterHostname, String name, String uuid, String moref, Placement placement, List<Disk> disks,
                 boolean poweredOn) {
    public Vm {
        disks = List.copyOf(disks);
    }

    Vm withPower(boolean on) {
        return new Vm(vCenterHostname, name, uuid, moref, placement, disks, on);
    }
}
