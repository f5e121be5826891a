package dev.lifeboat.domain.schedule;

import java.util.Objects;

/**
 * Port: the schedules that Lifeboat runs itself, for backup systems that do not schedule by themselves
 * (VMWARE_SNAPSHOT): one schedule per VM, policy and subtype, which starts the VM's backup when it fires. Both
 * operations are idempotent, so a caller may simply call again after a failure. Implementations throw
 * {@link Unavailable} when the scheduling service cannot be reached or refuses the schedule.
 */
public interface BackupScheduler {

    /** Creates the schedule of the backup, or replaces the one it already has (same VM, policy and subtype). */
    void put(ScheduledBackup backup);

    /** Removes the schedule of a VM's policy and subtype; one that does not exist (any more) is fine. */
    void delete(String vm, String policyId, Subtype subtype);

    /**
     * What a schedule runs and when. The backup it starts carries the VM, its datacenter and the policy, never a
     * secret: the workflow loads everything else itself.
     *
     * @param expression when it runs, as {@link EffectiveSchedule#scheduler()} computed it
     */
    record ScheduledBackup(String vm, String datacenter, String policyId, Subtype subtype,
                           SchedulerExpression expression) {
        public ScheduledBackup {
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(datacenter, "datacenter");
            Objects.requireNonNull(policyId, "policyId");
            Objects.requireNonNull(subtype, "subtype");
            Objects.requireNonNull(expression, "expression");
        }
    }

    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
