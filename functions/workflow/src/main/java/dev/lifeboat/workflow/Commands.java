package dev.lifeboat.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmState;
import dev.lifeboat.plugin.Command;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Operation;
import dev.lifeboat.plugin.Refs;
import java.util.List;

/** Plugin commands from domain objects. The manager's password travels only as its secret reference. */
final class Commands {
    private Commands() {}

    static Refs.Manager manager(BackupManager m) {
        return new Refs.Manager(m.datacenter(), m.type(), m.endpoint(), m.user(), m.password(), null, false);
    }

    static Refs.Vm vm(VirtualMachine vm) {
        return new Refs.Vm(vm.id(), vm.name(), vm.hypervisor().vcenter(), vm.hypervisor().moref(), vm.hypervisor().uuid(),
                vm.state() == VmState.DEPLOYED);
    }

    static ObjectNode startBackup(BackupManager m, VirtualMachine vm, String policyId, String policyCode) {
        Command c = Command.of(Operation.START_BACKUP, manager(m)).withVm(vm(vm));
        if (policyCode != null) {
            c = c.withPolicy(new Refs.Policy(policyId, policyCode));
        }
        return CommandJson.toJson(c);
    }

    /**
     * The start command of a backup with its run (the backup's id and when it began), so that a start retried after
     * its answer was lost adopts the job it started instead of starting a second one.
     */
    static ObjectNode startBackup(BackupManager m, VirtualMachine vm, Backup backup, String policyCode) {
        ObjectNode out = startBackup(m, vm, backup.policyId(), policyCode);
        out.set("run", CommandJson.run(new Refs.Run(backup.id(), backup.startedAt() != null ? backup.startedAt() : backup.requestedAt())));
        return out;
    }

    /** A VM that is not allocated is recreated (NetWorker); any other restore goes back in place. */
    static ObjectNode startRestore(BackupManager m, VirtualMachine vm, Backup backup) {
        Refs.RestoreMode mode = vm.state() == VmState.DEPLOYED ? Refs.RestoreMode.IN_PLACE : Refs.RestoreMode.NEW_VM;
        return CommandJson.toJson(Command.of(Operation.START_RESTORE, manager(m)).withVm(vm(vm))
                .withRestore(new Refs.RestorePoint(backup.providerRef(), backup.finishedAt(), backup.sizeBytes()), mode));
    }

    /** The start command of a restore with its run (see {@link #startBackup(BackupManager, VirtualMachine, Backup, String)}). */
    static ObjectNode startRestore(BackupManager m, VirtualMachine vm, Backup backup, Restore restore) {
        ObjectNode out = startRestore(m, vm, backup);
        out.set("run", CommandJson.run(new Refs.Run(restore.id(), restore.startedAt() != null ? restore.startedAt() : restore.requestedAt())));
        return out;
    }

    static ObjectNode schedule(Operation operation, BackupManager m, VirtualMachine vm, String policyId, String policyCode) {
        return CommandJson.toJson(Command.of(operation, manager(m)).withVm(vm(vm)).withPolicy(new Refs.Policy(policyId, policyCode)));
    }

    static ObjectNode listResults(Refs.Manager m, List<VirtualMachine> vms) {
        return CommandJson.toJson(Command.of(Operation.LIST_RESULTS, m).withResults(vms.stream().map(Commands::vm).toList(), null));
    }

    /** LIST_RESULTS of the references the backup system holds for {@code vms}: the slice that finds expired points. */
    static ObjectNode listHeld(Refs.Manager m, List<VirtualMachine> vms) {
        return CommandJson.toJson(Command.of(Operation.LIST_RESULTS, m).withHeld(vms.stream().map(Commands::vm).toList(), null));
    }
}
