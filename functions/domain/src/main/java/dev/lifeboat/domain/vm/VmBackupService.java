package dev.lifeboat.domain.vm;

import static dev.lifeboat.domain.identity.Privilege.VAPP_DEFINE_BACKUP_INFO;
import static dev.lifeboat.domain.identity.Privilege.VAPP_MANAGE_BACKUP;

import dev.lifeboat.domain.allowance.AllowanceRepository;
import dev.lifeboat.domain.common.Cursors;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.Retry;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.PolicyRepository;
import dev.lifeboat.domain.properties.BackupProperties;
import dev.lifeboat.domain.properties.PropertiesRepository;
import dev.lifeboat.domain.schedule.BackupConfiguration;
import dev.lifeboat.domain.schedule.EffectiveSchedule;
import dev.lifeboat.domain.schedule.ScheduleValues;
import dev.lifeboat.domain.schedule.Setting;
import dev.lifeboat.domain.schedule.Subtype;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The backup configuration of a VM: which allowed policies it selects, with its own values for the fields a policy
 * leaves to each VM, and the APPLIED / PENDING / FAILED life of a change. A change to a deployed VM is recorded
 * PENDING and handed to the apply-schedule workflow; the workflow reports the outcome through
 * {@link #recordApplied} or {@link #recordFailed}.
 */
public final class VmBackupService {
    /** Bounded so that one change, with the index entries of old and new policies, fits one DynamoDB transaction. */
    public static final int MAX_POLICIES = 20;

    private final VmRepository vms;
    private final PolicyRepository policies;
    private final AllowanceRepository allowances;
    private final PropertiesRepository properties;
    private final ScheduleWorkflow workflow;
    private final Clock clock;

    public VmBackupService(VmRepository vms, PolicyRepository policies, AllowanceRepository allowances,
                           PropertiesRepository properties, ScheduleWorkflow workflow, Clock clock) {
        this.vms = vms;
        this.policies = policies;
        this.allowances = allowances;
        this.properties = properties;
        this.workflow = workflow;
        this.clock = clock;
    }

    /** The VM with its configuration; reading needs only membership of the VM's enterprise. */
    public VirtualMachine get(Caller caller, String vmId) {
        return VmAccess.visible(caller, vms.findVm(vmId), vmId);
    }

    /** The policies the VM may select: of its datacenter, allowed to its enterprise there; oldest first. */
    public Page<BackupPolicy> available(Caller caller, String vmId, PageRequest page) {
        return available(get(caller, vmId), page);
    }

    /**
     * The policies a VM may select with the switches of its datacenter, which tenants may not read on their own
     * (GET backup-properties is for administrators), yet need in order to know how many policies they may select and
     * whether backup now and a second restore are allowed.
     */
    public record Selectable(Page<BackupPolicy> policies, BackupProperties properties) {}

    public Selectable selectable(Caller caller, String vmId, PageRequest page) {
        VirtualMachine vm = get(caller, vmId);
        return new Selectable(available(vm, page), properties.findProperties(vm.datacenter()));
    }

    private Page<BackupPolicy> available(VirtualMachine vm, PageRequest page) {
        String after = page.cursor() == null ? null : decodeCursor(page.cursor());
        List<String> allowed = allowances.findAllowance(vm.enterprise(), vm.datacenter()).policyIds().stream()
                .sorted()
                .filter(id -> after == null || id.compareTo(after) > 0)
                .toList();
        List<String> shown = allowed.subList(0, Math.min(page.limit(), allowed.size()));
        List<BackupPolicy> found = policies.findPolicies(vm.datacenter(), shown);
        String next = allowed.size() > shown.size() ? encodeCursor(shown.get(shown.size() - 1)) : null;
        return new Page<>(found, next);
    }

    /**
     * When each selected policy runs for this VM: per policy id, its schedules with the VM's values filled in and,
     * where every field is known, the EventBridge Scheduler expression. A policy deleted meanwhile has no entry.
     */
    public Map<String, List<EffectiveSchedule>> effectiveSchedules(VirtualMachine vm) {
        Map<String, BackupPolicy> byId = policies.findPolicies(vm.datacenter(),
                        vm.backup().policies().stream().map(PolicySelection::policyId).toList()).stream()
                .collect(Collectors.toMap(BackupPolicy::id, Function.identity()));
        Map<String, List<EffectiveSchedule>> out = new LinkedHashMap<>();
        for (PolicySelection selection : vm.backup().policies()) {
            BackupPolicy policy = byId.get(selection.policyId());
            if (policy != null) {
                out.put(policy.id(), EffectiveSchedule.resolve(policy.configurations(), selection.values()));
            }
        }
        return out;
    }

    /** The outcome of a PUT: the VM as stored and whether an apply-schedule run was started (202) or not (200). */
    public record Change(VirtualMachine vm, boolean started) {}

    public Change put(Caller caller, String vmId, Supplier<BackupConfigDraft> body, ExpectedVersion expected) {
        get(caller, vmId);
        caller.require(VAPP_MANAGE_BACKUP);
        BackupConfigDraft draft = body.get();
        return Retry.optimistic(expected, () -> putOnce(caller, vmId, draft, expected));
    }

    private Change putOnce(Caller caller, String vmId, BackupConfigDraft draft, ExpectedVersion expected) {
        VirtualMachine vm = get(caller, vmId);
        Instant now = now();
        Validated valid = validate(caller, vm, draft, now);
        VmBackupConfig current = vm.backup();
        if (valid.selections().equals(current.policies())) {
            // The same request again changes nothing; it only restarts a run that a failed start left unstarted.
            VmAccess.startIfPending(workflow, vm);
            return new Change(vm, false);
        }
        if (current.pending()) {
            throw DomainException.conflict("A change of the backup configuration of virtual machine " + vmId
                    + " is being applied (PENDING). Wait until it is APPLIED or FAILED, then send yours.");
        }
        BackupProperties props = properties.findProperties(vm.datacenter());
        if (valid.selections().size() > 1 && !props.multipleBackupPolicies()) {
            throw DomainException.conflict("Datacenter " + vm.datacenter()
                    + " allows one backup policy per VM (the property multipleBackupPolicies is off).");
        }
        if (vm.state() == VmState.DEPLOYED && !props.updateWhenDeployed()) {
            throw DomainException.conflict("Virtual machine " + vmId + " is DEPLOYED, and datacenter " + vm.datacenter()
                    + " does not allow changing the backup configuration of deployed VMs (the property updateWhenDeployed is off).");
        }
        expected.check(current.version());
        VmBackupConfig next = vm.state() == VmState.DEPLOYED
                ? new VmBackupConfig(valid.selections(), current.policies(), ConfigStatus.PENDING, ApplyAction.APPLY, null, current.version() + 1, now)
                : new VmBackupConfig(valid.selections(), List.of(), ConfigStatus.APPLIED, null, null, current.version() + 1, now);
        VirtualMachine changed = vm.withBackup(next);
        save(vm, changed, valid.policyVersions());
        VmAccess.startIfPending(workflow, changed);
        return new Change(changed, next.pending());
    }

    private record Validated(List<PolicySelection> selections, Map<String, Long> policyVersions) {}

    private Validated validate(Caller caller, VirtualMachine vm, BackupConfigDraft draft, Instant now) {
        Violations invalid = new Violations();
        List<BackupConfigDraft.Selection> wanted = draft.policies();
        if (wanted == null) {
            invalid.add("policies", "is required; [] removes the backup configuration");
            invalid.throwIfAny(Problem.VALIDATION_FAILED);
        }
        if (wanted.size() > MAX_POLICIES) {
            invalid.add("policies", "may select at most " + MAX_POLICIES + " policies");
            invalid.throwIfAny(Problem.VALIDATION_FAILED);
        }
        List<String> ids = wanted.stream().map(BackupConfigDraft.Selection::policyId).filter(Ids::looksLikeId).toList();
        Map<String, BackupPolicy> found = policies.findPolicies(vm.datacenter(), ids).stream()
                .collect(Collectors.toMap(BackupPolicy::id, Function.identity()));
        Set<String> allowed = new HashSet<>(allowances.findAllowance(vm.enterprise(), vm.datacenter()).policyIds());
        for (BackupPolicy p : found.values()) {
            if (!allowed.contains(p.id())) {
                throw DomainException.forbidden("Policy " + p.code() + " (" + p.id() + ") is not allowed to enterprise "
                        + vm.enterprise() + " in datacenter " + vm.datacenter() + ".");
            }
        }
        if (wanted.stream().anyMatch(s -> s.values() != null && !s.values().isEmpty())) {
            caller.require(VAPP_DEFINE_BACKUP_INFO);
        }
        Violations malformed = new Violations();
        Set<String> seen = new HashSet<>();
        List<PolicySelection> selections = new ArrayList<>();
        Map<String, Long> versions = new HashMap<>();
        for (int i = 0; i < wanted.size(); i++) {
            String path = "policies[" + i + "]";
            BackupConfigDraft.Selection s = wanted.get(i);
            if (s.policyId() == null) {
                invalid.add(path + ".policyId", "is required");
                continue;
            }
            BackupPolicy policy = found.get(s.policyId());
            if (policy == null) {
                invalid.add(path + ".policyId", "datacenter " + vm.datacenter() + " has no policy " + s.policyId());
                continue;
            }
            if (!seen.add(policy.id())) {
                invalid.add(path + ".policyId", "selects policy " + policy.id() + " twice");
                continue;
            }
            Map<String, Map<String, Object>> raw = s.values() == null ? Map.of() : s.values();
            selections.add(new PolicySelection(policy.id(), values(path + ".values", policy, raw, now, malformed, invalid)));
            versions.put(policy.id(), policy.version());
        }
        malformed.throwIfAny(Problem.BAD_REQUEST);
        invalid.throwIfAny(Problem.VALIDATION_FAILED);
        return new Validated(selections, versions);
    }

    /** Exactly the policy's DEFINE_IN_VM fields, as concrete values in the policy formats. */
    private static Map<Subtype, Map<String, Setting>> values(String path, BackupPolicy policy, Map<String, Map<String, Object>> raw,
                                                             Instant now, Violations malformed, Violations invalid) {
        Map<Subtype, BackupConfiguration> schedules = new EnumMap<>(Subtype.class);
        policy.configurations().forEach(c -> schedules.put(c.subtype(), c));
        for (Map.Entry<String, Map<String, Object>> e : raw.entrySet()) {
            Subtype subtype = Subtype.parse(e.getKey());
            BackupConfiguration schedule = subtype == null ? null : schedules.get(subtype);
            if (schedule == null) {
                invalid.add(path + "." + e.getKey(), "policy " + policy.code() + " has no " + e.getKey() + " schedule");
                continue;
            }
            for (String field : e.getValue().keySet()) {
                Setting setting = schedule.field(field);
                if (setting == null || setting.mode() != Setting.Mode.DEFINE_IN_VM) {
                    invalid.add(path + "." + e.getKey() + "." + field, "policy " + policy.code()
                            + " does not leave this field to each VM (DEFINE_IN_VM), so it cannot be given");
                }
            }
        }
        Map<Subtype, Map<String, Setting>> out = new EnumMap<>(Subtype.class);
        for (BackupConfiguration schedule : policy.configurations()) {
            Map<String, Object> given = raw.getOrDefault(schedule.subtype().name(), Map.of());
            Map<String, Setting> fields = new LinkedHashMap<>();
            schedule.fields().forEach((field, setting) -> {
                if (setting.mode() != Setting.Mode.DEFINE_IN_VM) {
                    return;
                }
                String fieldPath = path + "." + schedule.subtype() + "." + field;
                if (!given.containsKey(field) || given.get(field) == null) {
                    invalid.add(fieldPath, "is required: policy " + policy.code() + " leaves it to each VM (DEFINE_IN_VM)");
                    return;
                }
                try {
                    fields.put(field, ScheduleValues.parse(field, given.get(field), now, false));
                } catch (ScheduleValues.WrongKind wrong) {
                    malformed.add(fieldPath, wrong.getMessage());
                } catch (IllegalArgumentException bad) {
                    invalid.add(fieldPath, bad.getMessage());
                }
            });
            if (!fields.isEmpty()) {
                out.put(schedule.subtype(), fields);
            }
        }
        return out;
    }

    /**
     * What an apply-schedule run of configuration {@code configVersion} takes to the backup system: the selections to
     * apply (all current ones: applying is idempotent) and the ones to remove. Empty when the configuration has moved
     * on, so a late run does nothing.
     */
    public java.util.Optional<ApplyPlan> pendingPlan(String vmId, long configVersion) {
        return vms.findVm(vmId).filter(vm -> vm.backup().pending() && vm.backup().version() == configVersion).map(vm -> {
            VmBackupConfig b = vm.backup();
            if (b.action() == ApplyAction.REMOVE) {
                return new ApplyPlan(vm, List.of(), b.previous());
            }
            Set<String> kept = b.policies().stream().map(PolicySelection::policyId).collect(Collectors.toSet());
            return new ApplyPlan(vm, b.policies(), b.previous().stream().filter(p -> !kept.contains(p.policyId())).toList());
        });
    }

    public record ApplyPlan(VirtualMachine vm, List<PolicySelection> apply, List<PolicySelection> remove) {}

    /**
     * The apply-schedule run of configuration {@code configVersion} succeeded. Answers false when the configuration
     * has moved on since (a later change or state change owns the outcome now), so a late report changes nothing.
     */
    public boolean recordApplied(String vmId, long configVersion) {
        return finish(vmId, configVersion, current -> new VmBackupConfig(current.policies(), List.of(), ConfigStatus.APPLIED,
                null, null, current.version() + 1, now()));
    }

    /**
     * The backup system refused the run of configuration {@code configVersion}: the selection in force before the
     * change is back, with the reason. A refused removal keeps the selection.
     */
    public boolean recordFailed(String vmId, long configVersion, ErrorInfo error) {
        return finish(vmId, configVersion, current -> new VmBackupConfig(
                current.action() == ApplyAction.APPLY ? current.previous() : current.policies(),
                List.of(), ConfigStatus.FAILED, null, error, current.version() + 1, now()));
    }

    /**
     * The backstop of apply-schedule runs that ended without recording their outcome: a configuration still PENDING
     * since before {@code staleBefore} is FAILED, the previous one in force again, so the VM can change again.
     */
    public boolean failIfStale(VirtualMachine vm, Instant staleBefore) {
        VmBackupConfig b = vm.backup();
        if (!b.pending() || b.updatedAt() == null || !b.updatedAt().isBefore(staleBefore)) {
            return false;
        }
        return recordFailed(vm.id(), b.version(), new ErrorInfo("LOST",
                "The apply-schedule run ended without recording its outcome; the previous configuration is in force. Send the change again."));
    }

    private boolean finish(String vmId, long configVersion, java.util.function.UnaryOperator<VmBackupConfig> outcome) {
        return Retry.optimistic(ExpectedVersion.ANY, () -> {
            Optional<VirtualMachine> vm = vms.findVm(vmId);
            if (vm.isEmpty() || !vm.get().backup().pending() || vm.get().backup().version() != configVersion) {
                return false;
            }
            save(vm.get(), vm.get().withBackup(outcome.apply(vm.get().backup())), Map.of());
            return true;
        });
    }

    private void save(VirtualMachine previous, VirtualMachine next, Map<String, Long> policyVersions) {
        try {
            vms.saveVm(previous, next, policyVersions);
        } catch (StoreConflict conflict) {
            throw new Retry.LostRace(() -> VmAccess.changedMeanwhile(next.id()));
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    static String encodeCursor(String lastId) {
        return Cursors.encode("a1", lastId);
    }

    static String decodeCursor(String cursor) {
        return Cursors.decode("a1", cursor, Ids::looksLikeId);
    }
}
