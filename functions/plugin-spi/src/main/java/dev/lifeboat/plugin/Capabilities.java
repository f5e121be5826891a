package dev.lifeboat.plugin;

import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.schedule.Subtype;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a backup system can do, so that the API and the workflows refuse early what the plugin would refuse late.
 *
 * @param schedulesItself the backup system runs policies' schedules itself (Lifeboat only assigns VMs); when false,
 *                        Lifeboat schedules backups with EventBridge Scheduler
 * @param subtypes schedule subtypes the backup system accepts
 * @param restoresUnallocatedVm a VM that is not allocated can be restored (recreated)
 * @param backupNowKind how a backup now is taken, for people reading a job
 */
public record Capabilities(ManagerType type, boolean schedulesItself, Set<Subtype> subtypes, boolean restoresUnallocatedVm,
                           String backupNowKind) {

    public static Capabilities of(ManagerType type) {
        Set<Subtype> subtypes = type.supportsDefinedHour() ? EnumSet.allOf(Subtype.class) : EnumSet.complementOf(EnumSet.of(Subtype.DEFINED_HOUR));
        String backupNow = switch (type) {
            case VEEAM -> "Veeam quick backup";
            case NETWORKER -> "NetWorker VM backup";
            case VMWARE_SNAPSHOT, VEEAM_SNAPSHOT -> "vCenter snapshot";
        };
        return new Capabilities(type, type != ManagerType.VMWARE_SNAPSHOT, subtypes, type.restoresUnallocatedVm(), backupNow);
    }
}
