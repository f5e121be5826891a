package dev.lifeboat.domain.vm;

import static dev.lifeboat.domain.identity.Privilege.ENTERPRISE_ADMINISTER_ALL;
import static dev.lifeboat.domain.identity.Privilege.VAPP_MANAGE_BACKUP;

import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.Retry;
import dev.lifeboat.domain.common.Saved;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.identity.Caller;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The VM registry: what the cloud platform tells Lifeboat about its VMs, by API or by event (both call
 * {@link #register}). A change of state takes the VM's backup configuration to the backup system (deploy) or out of
 * it (undeploy) through the apply-schedule workflow; the answer does not wait for it.
 */
public final class VirtualMachineService {
    public static final int MAX_NAME = 128;
    public static final int MAX_REFERENCE = 256;

    private final VmRepository vms;
    private final ScheduleWorkflow workflow;
    private final Clock clock;

    public VirtualMachineService(VmRepository vms, ScheduleWorkflow workflow, Clock clock) {
        this.vms = vms;
        this.workflow = workflow;
        this.clock = clock;
    }

    public VirtualMachine get(Caller caller, String id) {
        return VmAccess.visible(caller, vms.findVm(id), id);
    }

    /** Without ENTERPRISE_ADMINISTER_ALL a caller lists its own enterprise's VMs only. */
    public Page<VirtualMachine> list(Caller caller, String enterprise, String datacenter, PageRequest page) {
        Violations malformed = new Violations();
        if (enterprise != null && !Text.isPathId(enterprise)) {
            malformed.add("enterprise", "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        if (datacenter != null && !Text.isPathId(datacenter)) {
            malformed.add("datacenter", "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        if (caller.has(ENTERPRISE_ADMINISTER_ALL)) {
            malformed.throwIfAny(Problem.BAD_REQUEST);
            return vms.listVms(enterprise, datacenter, page);
        }
        if (caller.enterprise() == null) {
            throw DomainException.forbidden("The token names no enterprise; listing VMs needs one, or ENTERPRISE_ADMINISTER_ALL.");
        }
        if (enterprise != null && !caller.belongsTo(enterprise)) {
            throw DomainException.forbidden("Listing the VMs of another enterprise needs the privilege ENTERPRISE_ADMINISTER_ALL.");
        }
        malformed.throwIfAny(Problem.BAD_REQUEST);
        return vms.listVms(caller.enterprise(), datacenter, page);
    }

    public Saved<VirtualMachine> register(Caller caller, String id, Supplier<VmDraft> body, ExpectedVersion expected) {
        Optional<VirtualMachine> existing = vms.findVm(id);
        if (existing.isPresent()) {
            VmAccess.visible(caller, existing, id);
        }
        caller.require(VAPP_MANAGE_BACKUP);
        VmDraft draft = body.get();
        if (draft.enterprise() != null && !VmAccess.mayAct(caller, draft.enterprise())) {
            throw DomainException.forbidden("A VM of enterprise " + draft.enterprise()
                    + " can only be registered by its members or with the privilege ENTERPRISE_ADMINISTER_ALL.");
        }
        ValidVm valid = validate(draft);
        return Retry.optimistic(expected, () -> registerOnce(caller, id, valid, expected));
    }

    private record ValidVm(String enterprise, String datacenter, String name, VmState state, Hypervisor hypervisor) {}

    private static ValidVm validate(VmDraft d) {
        Violations v = new Violations();
        pathId(v, "enterprise", d.enterprise());
        pathId(v, "datacenter", d.datacenter());
        Text.requireText(v, "name", d.name(), MAX_NAME);
        VmState state = VmState.parse(d.state());
        if (d.state() == null) {
            v.add("state", "is required: DEPLOYED or NOT_ALLOCATED");
        } else if (state == null) {
            v.add("state", "must be DEPLOYED or NOT_ALLOCATED");
        }
        Hypervisor h = d.hypervisor() == null ? Hypervisor.NONE : d.hypervisor();
        reference(v, "hypervisor.vcenter", h.vcenter());
        reference(v, "hypervisor.moref", h.moref());
        reference(v, "hypervisor.uuid", h.uuid());
        v.throwIfAny(Problem.VALIDATION_FAILED);
        return new ValidVm(d.enterprise(), d.datacenter(), d.name(), state, h);
    }

    private static void pathId(Violations v, String field, String value) {
        if (value == null) {
            v.add(field, "is required");
        } else if (!Text.isPathId(value)) {
            v.add(field, "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
    }

    private static void reference(Violations v, String field, String value) {
        if (value != null && (value.isBlank() || Text.length(value) > MAX_REFERENCE)) {
            v.add(field, "must have 1 to " + MAX_REFERENCE + " characters when given");
        }
    }

    private Saved<VirtualMachine> registerOnce(Caller caller, String id, ValidVm valid, ExpectedVersion expected) {
        Optional<VirtualMachine> found = vms.findVm(id);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (found.isEmpty()) {
            if (!expected.isAny()) {
                throw new DomainException(Problem.PRECONDITION_FAILED, "There is no virtual machine " + id + " to match If-Match.");
            }
            VirtualMachine created = new VirtualMachine(id, valid.enterprise(), valid.datacenter(), valid.name(), valid.state(),
                    valid.hypervisor(), 1, now, now, VmBackupConfig.NONE);
            write(null, created);
            return new Saved<>(created, true);
        }
        VirtualMachine current = VmAccess.visible(caller, found, id);
        List<String> fixed = new ArrayList<>();
        if (!current.enterprise().equals(valid.enterprise())) fixed.add("enterprise (" + current.enterprise() + ")");
        if (!current.datacenter().equals(valid.datacenter())) fixed.add("datacenter (" + current.datacenter() + ")");
        if (!fixed.isEmpty()) {
            throw DomainException.conflict("Virtual machine " + id + " cannot change its " + String.join(" or ", fixed) + " once set.");
        }
        expected.check(current.version());
        boolean same = current.name().equals(valid.name()) && current.state() == valid.state()
                && Objects.equals(current.hypervisor(), valid.hypervisor());
        if (same) {
            // A repeated report changes nothing; it only restarts a run that a failed start may have left unstarted.
            VmAccess.startIfPending(workflow, current);
            return new Saved<>(current, false);
        }
        VmBackupConfig backup = afterStateChange(current.backup(), current.state(), valid.state(), now);
        VirtualMachine next = new VirtualMachine(id, current.enterprise(), current.datacenter(), valid.name(), valid.state(),
                valid.hypervisor(), current.version() + 1, current.createdAt(), now, backup);
        write(current, next);
        if (backup != current.backup()) {
            VmAccess.startIfPending(workflow, next);
        }
        return new Saved<>(next, false);
    }

    /**
     * A deploy takes the selected policies to the backup system; an undeploy takes out every policy the backup system
     * may hold for the VM (with a change in flight, the old and the new ones). The selection itself stays, so a
     * VM deployed again is backed up as before.
     */
    static VmBackupConfig afterStateChange(VmBackupConfig backup, VmState from, VmState to, Instant now) {
        if (from == to) {
            return backup;
        }
        if (to == VmState.DEPLOYED) {
            if (backup.policies().isEmpty()) {
                return backup;
            }
            return new VmBackupConfig(backup.policies(), backup.policies(), ConfigStatus.PENDING, ApplyAction.APPLY, null,
                    backup.version() + 1, now);
        }
        if (backup.policiesInUse().isEmpty()) {
            return backup;
        }
        Map<String, PolicySelection> held = new LinkedHashMap<>();
        backup.previous().forEach(p -> held.put(p.policyId(), p));
        backup.policies().forEach(p -> held.put(p.policyId(), p));
        return new VmBackupConfig(backup.policies(), List.copyOf(held.values()), ConfigStatus.PENDING, ApplyAction.REMOVE, null,
                backup.version() + 1, now);
    }

    private void write(VirtualMachine previous, VirtualMachine next) {
        try {
            vms.saveVm(previous, next, Map.of());
        } catch (StoreConflict conflict) {
            throw new Retry.LostRace(() -> VmAccess.changedMeanwhile(next.id()));
        }
    }
}
