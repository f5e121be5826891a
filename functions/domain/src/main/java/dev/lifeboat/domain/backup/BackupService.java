package dev.lifeboat.domain.backup;

import static dev.lifeboat.domain.identity.Privilege.VAPP_MANAGE_BACKUP;
import static dev.lifeboat.domain.identity.Privilege.VAPP_RESTORE_BACKUP;

import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.FieldError;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.events.EventPublisher.StateChangeEvent;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ManagerRepository;
import dev.lifeboat.domain.properties.BackupProperties;
import dev.lifeboat.domain.properties.PropertiesRepository;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmAccess;
import dev.lifeboat.domain.vm.VmRepository;
import dev.lifeboat.domain.vm.VmState;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Backups and restores as users ask for them: backup now, lists, restore one VM or many. Every rule is checked here
 * with the contract's answer; the work itself runs in the backup-lifecycle and multi-restore workflows, and the VM's
 * lock (taken in the same write that creates the backup or restore) keeps two of them from running on one VM.
 */
public final class BackupService {
    public static final int MAX_RESTORE_ITEMS = 50;
    static final String WORKFLOW_UNAVAILABLE = "WORKFLOW_UNAVAILABLE";

    private final VmRepository vms;
    private final BackupRepository backups;
    private final ManagerRepository managers;
    private final PropertiesRepository properties;
    private final LifecycleWorkflows workflows;
    private final EventPublisher events;
    private final Clock clock;
    private final Supplier<String> ids;

    /**
     * @param events where a backup or restore that no workflow could start is published, QUEUED then FAILED (the
     *               workflows publish every other change, QUEUED included)
     */
    public BackupService(VmRepository vms, BackupRepository backups, ManagerRepository managers, PropertiesRepository properties,
                         LifecycleWorkflows workflows, EventPublisher events, Clock clock, Supplier<String> ids) {
        this.vms = vms;
        this.backups = backups;
        this.managers = managers;
        this.properties = properties;
        this.workflows = workflows;
        this.events = events;
        this.clock = clock;
        this.ids = ids;
    }

    private VirtualMachine vm(Caller caller, String vmId) {
        return VmAccess.visible(caller, vms.findVm(vmId), vmId);
    }

    /** A page of the VM's backups, newest first, each with its restores. */
    public Page<Detail> list(Caller caller, String vmId, PageRequest page) {
        vm(caller, vmId);
        Page<Backup> found = backups.listBackups(vmId, page);
        Map<String, List<Restore>> restores = new java.util.HashMap<>();
        if (!found.items().isEmpty()) {
            backups.allRestores(vmId).forEach(r -> restores.computeIfAbsent(r.backupId(), k -> new ArrayList<>()).add(r));
        }
        return found.map(b -> new Detail(b, restores.getOrDefault(b.id(), List.of())));
    }

    /** A backup with its restores, newest first. */
    public record Detail(Backup backup, List<Restore> restores) {}

    public Detail get(Caller caller, String vmId, String backupId) {
        vm(caller, vmId);
        Backup b = backups.findBackup(vmId, backupId).orElseThrow(() -> noBackup(vmId, backupId));
        return new Detail(b, backups.restoresOf(vmId, backupId));
    }

    private static DomainException noBackup(String vmId, String backupId) {
        return DomainException.notFound("Virtual machine " + vmId + " has no backup " + backupId + ".");
    }

    /** Backup now: {@code policyId} null means the VM's first policy. */
    public Backup backupNow(Caller caller, String vmId, Supplier<String> body) {
        VirtualMachine vm = vm(caller, vmId);
        caller.require(VAPP_MANAGE_BACKUP);
        String wanted = body.get();
        List<PolicySelection> selected = vm.backup().policies();
        if (wanted != null && selected.stream().noneMatch(s -> s.policyId().equals(wanted))) {
            throw DomainException.invalid("policyId", "virtual machine " + vmId + " has not selected policy " + wanted);
        }
        BackupProperties props = properties.findProperties(vm.datacenter());
        if (!props.backupNow()) {
            throw DomainException.conflict("Datacenter " + vm.datacenter() + " does not allow backups on request (the property backupNow is off).");
        }
        if (selected.isEmpty()) {
            throw DomainException.conflict("Virtual machine " + vmId + " has no backup configuration; select a policy first.");
        }
        if (vm.backup().status() != ConfigStatus.APPLIED) {
            throw DomainException.conflict("The backup configuration of virtual machine " + vmId + " is " + vm.backup().status()
                    + "; a backup now needs it APPLIED.");
        }
        if (vm.state() != VmState.DEPLOYED) {
            throw DomainException.conflict("Virtual machine " + vmId + " is " + vm.state() + "; only a DEPLOYED VM can be backed up.");
        }
        if (managers.findManager(vm.datacenter()).isEmpty()) {
            throw DomainException.conflict("Datacenter " + vm.datacenter() + " has no backup manager.");
        }
        refuseLocked(vmId);
        Instant now = now();
        String policyId = wanted != null ? wanted : selected.get(0).policyId();
        Backup backup = new Backup(ids.get(), vmId, vm.datacenter(), vm.enterprise(), policyId, Trigger.MANUAL, BackupStatus.QUEUED,
                now, null, null, null, null, null, null, null, 0, 1);
        try {
            backups.createLockedBackup(backup, vm);
        } catch (StoreConflict conflict) {
            throw conflict.reason() == StoreConflict.Reason.VM_LOCKED ? busy(vmId, backups.lockHolder(vmId))
                    : DomainException.conflict("Virtual machine " + vmId + " changed while this request ran; send it again.");
        }
        try {
            workflows.startBackup(backup);
        } catch (LifecycleWorkflows.Unavailable e) {
            // Nothing runs the backup: record why and free the VM, so the user sees the failure and may try again.
            Backup failed = backup.withStatus(BackupStatus.FAILED, now(), new ErrorInfo(WORKFLOW_UNAVAILABLE,
                    "The backup-lifecycle workflow could not be started."));
            backups.finishBackup(backup, failed);
            publish(List.of(BackupLifecycle.event(backup), BackupLifecycle.event(failed)));
            throw new DomainException(Problem.SERVICE_UNAVAILABLE, "The backup-lifecycle workflow could not be started; nothing was backed up. Try again.");
        }
        return backup;
    }

    private void refuseLocked(String vmId) {
        Optional<String> holder = backups.lockHolder(vmId);
        if (holder.isPresent()) {
            throw busy(vmId, holder);
        }
    }

    private static DomainException busy(String vmId, Optional<String> holder) {
        String what = holder.map(h -> h.startsWith("BACKUP#") ? "backup " + h.substring(7) : "restore " + h.substring(8)).orElse("another operation");
        return DomainException.conflict("Virtual machine " + vmId + " is busy: " + what + " is QUEUED or IN_PROGRESS.");
    }

    /** A single restore: a restore request of one item. */
    public record Started(RestoreRequest request, List<Restore> restores) {}

    public Started restore(Caller caller, String vmId, String backupId) {
        VirtualMachine vm = vm(caller, vmId);
        Backup backup = backups.findBackup(vmId, backupId).orElseThrow(() -> noBackup(vmId, backupId));
        caller.require(VAPP_RESTORE_BACKUP);
        String requestId = ids.get();
        Restore restore = accept(vm, backup, requestId);
        RestoreRequest request = new RestoreRequest(requestId, caller.enterprise(), caller.subject(),
                List.of(new RestoreRequest.Item(vmId, backupId, restore.id(), null)), restore.requestedAt());
        return start(request, List.of(restore));
    }

    /** One item of a multi-restore as the request gives it. */
    public record ItemDraft(String vm, String backupId) {}

    public Started multiRestore(Caller caller, Supplier<List<ItemDraft>> body) {
        caller.require(VAPP_RESTORE_BACKUP);
        List<ItemDraft> items = body.get();
        Violations v = new Violations();
        if (items == null) {
            v.add("items", "is required: 1 to " + MAX_RESTORE_ITEMS + " items {vm, backupId}");
        } else if (items.isEmpty() || items.size() > MAX_RESTORE_ITEMS) {
            v.add("items", "must have 1 to " + MAX_RESTORE_ITEMS + " items");
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                ItemDraft d = items.get(i);
                if (d.vm() == null) v.add("items[" + i + "].vm", "is required");
                else if (!dev.lifeboat.domain.common.Text.isPathId(d.vm())) v.add("items[" + i + "].vm", "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
                if (d.backupId() == null) v.add("items[" + i + "].backupId", "is required");
                if (d.vm() != null && d.backupId() != null && !seen.add(d.vm() + "/" + d.backupId())) {
                    v.add("items[" + i + "]", "restores backup " + d.backupId() + " of " + d.vm() + " twice");
                }
            }
        }
        v.throwIfAny(Problem.VALIDATION_FAILED);
        String requestId = ids.get();
        List<RestoreRequest.Item> out = new ArrayList<>();
        List<Restore> accepted = new ArrayList<>();
        for (ItemDraft d : items) {
            try {
                VirtualMachine vm = vm(caller, d.vm());
                Backup backup = backups.findBackup(d.vm(), d.backupId()).orElseThrow(() -> noBackup(d.vm(), d.backupId()));
                Restore r = accept(vm, backup, requestId);
                accepted.add(r);
                out.add(new RestoreRequest.Item(d.vm(), d.backupId(), r.id(), null));
            } catch (DomainException refused) {
                out.add(new RestoreRequest.Item(d.vm(), d.backupId(), null,
                        new ErrorInfo(refused.problem() == Problem.NOT_FOUND ? "NOT_FOUND" : "CONFLICT", refused.getMessage())));
            }
        }
        if (accepted.isEmpty()) {
            List<FieldError> reasons = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                reasons.add(new FieldError("items[" + i + "]", out.get(i).rejection().message()));
            }
            throw new DomainException(Problem.CONFLICT, "Every item was rejected; nothing is restored.", reasons);
        }
        RestoreRequest request = new RestoreRequest(requestId, caller.enterprise(), caller.subject(), out, now());
        return start(request, accepted);
    }

    /** The restore rules of one item; a refusal is a 409 (or 404) naming the reason. On success the restore holds the VM's lock. */
    private Restore accept(VirtualMachine vm, Backup backup, String requestId) {
        String vmId = vm.id();
        if (backup.status() != BackupStatus.SUCCESS) {
            throw DomainException.conflict("Backup " + backup.id() + " of " + vmId + " is " + backup.status() + "; only a SUCCESS backup can be restored.");
        }
        if (backup.providerRef() == null) {
            throw DomainException.conflict("Backup " + backup.id() + " of " + vmId + " has no restore point: the backup system had not listed "
                    + "one when the job ended. Results sync adds the backups the system lists; restore one of those.");
        }
        List<Restore> earlier = backups.restoresOf(vmId, backup.id());
        if (earlier.stream().anyMatch(r -> !r.status().ended())) {
            throw DomainException.conflict("Backup " + backup.id() + " of " + vmId + " is being restored; wait until that restore has ended.");
        }
        // A restore whose workflow never started restored nothing: it does not count against multipleRestore.
        boolean restoredBefore = earlier.stream().anyMatch(r -> r.error() == null || !WORKFLOW_UNAVAILABLE.equals(r.error().code()));
        if (restoredBefore && !properties.findProperties(vm.datacenter()).multipleRestore()) {
            throw DomainException.conflict("Backup " + backup.id() + " of " + vmId + " was restored before, and datacenter " + vm.datacenter()
                    + " does not allow restoring a backup again (the property multipleRestore is off).");
        }
        Optional<BackupManager> manager = managers.findManager(vm.datacenter());
        if (manager.isEmpty()) {
            throw DomainException.conflict("Datacenter " + vm.datacenter() + " has no backup manager.");
        }
        if (vm.state() != VmState.DEPLOYED && !manager.get().type().restoresUnallocatedVm()) {
            throw DomainException.conflict("Virtual machine " + vmId + " is " + vm.state() + ", and " + manager.get().type()
                    + " restores only a DEPLOYED VM.");
        }
        refuseLocked(vmId);
        Restore restore = new Restore(ids.get(), backup.id(), vmId, requestId, RestoreStatus.QUEUED, now(), null, null, null, null, 1);
        try {
            backups.createLockedRestore(restore, backup, vm);
        } catch (StoreConflict conflict) {
            throw conflict.reason() == StoreConflict.Reason.VM_LOCKED ? busy(vmId, backups.lockHolder(vmId))
                    : DomainException.conflict("Virtual machine " + vmId + " or backup " + backup.id() + " changed while this request ran; send it again.");
        }
        return restore;
    }

    private Started start(RestoreRequest request, List<Restore> accepted) {
        backups.createRequest(request);
        try {
            workflows.startRestores(request);
        } catch (LifecycleWorkflows.Unavailable e) {
            List<StateChangeEvent> changes = new ArrayList<>();
            for (Restore r : accepted) {
                Restore failed = r.withStatus(RestoreStatus.FAILED, now(), new ErrorInfo(WORKFLOW_UNAVAILABLE,
                        "The multi-restore workflow could not be started."));
                backups.finishRestore(r, failed);
                Optional<Backup> of = backups.findBackup(r.vm(), r.backupId());
                if (of.isPresent()) {
                    changes.add(BackupLifecycle.event(r, of.get()));
                    changes.add(BackupLifecycle.event(failed, of.get()));
                }
            }
            publish(changes);
            throw new DomainException(Problem.SERVICE_UNAVAILABLE, "The multi-restore workflow could not be started; nothing was restored. Try again.");
        }
        return new Started(request, accepted);
    }

    /**
     * Best effort: the failure is recorded and the caller is told (503) whatever the bus does; events it could not take
     * are lost, as for a workflow whose bus is down after its retries.
     */
    private void publish(List<StateChangeEvent> changes) {
        try {
            events.publish(changes);
        } catch (EventPublisher.Unavailable | IllegalArgumentException e) {
            // nothing more to do: the status is recorded and the answer says it
        }
    }

    /** A restore request with the current state of its restores; visible to the requester's enterprise. */
    public record RequestView(RestoreRequest request, Map<String, Restore> restores) {}

    public RequestView getRequest(Caller caller, String requestId) {
        RestoreRequest request = backups.findRequest(requestId)
                .filter(r -> VmAccess.mayAct(caller, r.enterprise()))
                .orElseThrow(() -> DomainException.notFound("There is no restore request " + requestId + "."));
        return new RequestView(request, backups.findRestores(request.items()));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
