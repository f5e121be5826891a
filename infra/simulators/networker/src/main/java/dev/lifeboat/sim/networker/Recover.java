package dev.lifeboat.sim.networker;

/**
 * A recover accepted by the simulator, with the request body exactly as received. {@code instanceId} is null when the
 * backup-level URL was used; {@code recoveredVmUuid} is the VM made by a finished {@code New} recover (the reverted VM
 * for {@code Revert}), null until the job succeeds.
 */
public record Recover(long jobId, String vCenterHostname, String vmUuid, String backupId, String instanceId, String mode,
                      String requestBody, String recoveredVmUuid) {
}
