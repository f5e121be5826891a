package dev.lifeboat.domain.vm;

import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import java.util.Optional;

/** Who may see a VM, and the answers shared by the registry and the backup configuration. */
public final class VmAccess {
    private VmAccess() {}

    public static boolean mayAct(Caller caller, String enterprise) {
        return caller.has(Privilege.ENTERPRISE_ADMINISTER_ALL) || caller.belongsTo(enterprise);
    }

    /**
     * The VM when the caller may see it. A VM of another enterprise answers exactly as a VM that does not exist,
     * so that a tenant cannot learn which VM ids other tenants use.
     */
    public static VirtualMachine visible(Caller caller, Optional<VirtualMachine> vm, String id) {
        if (vm.isEmpty() || !mayAct(caller, vm.get().enterprise())) {
            throw notFound(id);
        }
        return vm.get();
    }

    public static DomainException notFound(String id) {
        return DomainException.notFound("There is no virtual machine " + id + ".");
    }

    static DomainException changedMeanwhile(String id) {
        return new DomainException(Problem.PRECONDITION_FAILED,
                "Virtual machine " + id + " changed while this request ran. Read it again and retry.");
    }

    /**
     * Starts the apply-schedule run of a PENDING configuration. The change is already recorded; when the workflow
     * service cannot be reached, the caller sends the same request again, which finds the change recorded and
     * starts the same run (the start is idempotent), so nothing is lost and nothing runs twice. A run that started but
     * ended without recording its outcome is not restarted this way: results sync fails such a PENDING after an hour.
     */
    static void startIfPending(ScheduleWorkflow workflow, VirtualMachine vm) {
        VmBackupConfig backup = vm.backup();
        if (!backup.pending()) {
            return;
        }
        try {
            workflow.start(new ScheduleWorkflow.ApplyRequest(vm.id(), vm.datacenter(), backup.version(), backup.action()));
        } catch (ScheduleWorkflow.Unavailable e) {
            throw new DomainException(Problem.SERVICE_UNAVAILABLE, "The backup configuration of virtual machine " + vm.id()
                    + " is recorded as PENDING, but the apply-schedule workflow could not be started. Send the same request again.");
        }
    }
}
