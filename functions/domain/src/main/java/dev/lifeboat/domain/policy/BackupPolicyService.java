package dev.lifeboat.domain.policy;

import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_ALLOW_BACKUP_CONFIG;
import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_RETRIEVE_DETAILS;

import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.Retry;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.manager.ManagerRepository;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.schedule.Subtype;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Supplier;

/** Backup policies of a datacenter: validation, unique codes, the VEEAM rule and the in-use rule. */
public final class BackupPolicyService {
    private final PolicyRepository policies;
    private final ManagerRepository managers;
    private final Clock clock;
    private final Supplier<String> ids;

    public BackupPolicyService(PolicyRepository policies, ManagerRepository managers, Clock clock, Supplier<String> ids) {
        this.policies = policies;
        this.managers = managers;
        this.clock = clock;
        this.ids = ids;
    }

    public BackupPolicy get(Caller caller, String datacenter, String policyId) {
        BackupPolicy policy = existing(datacenter, policyId);
        caller.require(PHYS_DC_RETRIEVE_DETAILS);
        return policy;
    }

    public Page<BackupPolicy> list(Caller caller, String datacenter, PageRequest page) {
        caller.require(PHYS_DC_RETRIEVE_DETAILS);
        return policies.listPolicies(datacenter, page);
    }

    public BackupPolicy create(Caller caller, String datacenter, Supplier<PolicyDraft> body) {
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        Instant now = now();
        PolicyRules.ValidPolicy valid = PolicyRules.validate(body.get(), now);
        refuseDefinedHourOnVeeam(datacenter, valid);
        refuseTakenCode(datacenter, valid.code(), null);
        BackupPolicy policy = new BackupPolicy(datacenter, ids.get(), valid.name(), valid.code(), valid.description(),
                valid.configurations(), false, 1, now, now);
        try {
            policies.createPolicy(policy, caller.enterprise());
        } catch (StoreConflict conflict) {
            throw translate(conflict, datacenter, policy, ExpectedVersion.ANY);
        }
        return policy;
    }

    public BackupPolicy update(Caller caller, String datacenter, String policyId, Supplier<PolicyDraft> body, ExpectedVersion expected) {
        existing(datacenter, policyId);
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        PolicyDraft draft = body.get();
        return Retry.optimistic(expected, () -> {
            BackupPolicy current = existing(datacenter, policyId);
            Instant now = now();
            PolicyRules.ValidPolicy valid = PolicyRules.validate(draft, now, current.configurations());
            refuseDefinedHourOnVeeam(datacenter, valid);
            boolean schedulesChange = !current.configurations().equals(valid.configurations());
            if (current.inUse() && schedulesChange) {
                throw inUse(current, "only its name, code and description may change");
            }
            refuseTakenCode(datacenter, valid.code(), policyId);
            expected.check(current.version());
            if (!schedulesChange && current.name().equals(valid.name()) && current.code().equals(valid.code())
                    && current.description().equals(valid.description())) {
                return current;
            }
            BackupPolicy next = new BackupPolicy(datacenter, policyId, valid.name(), valid.code(), valid.description(),
                    valid.configurations(), current.inUse(), current.version() + 1, current.createdAt(), now);
            try {
                policies.updatePolicy(current, next);
            } catch (StoreConflict conflict) {
                throw translate(conflict, datacenter, next, expected);
            }
            return next;
        });
    }

    public void delete(Caller caller, String datacenter, String policyId, ExpectedVersion expected) {
        existing(datacenter, policyId);
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        Retry.optimistic(expected, () -> {
            BackupPolicy current = existing(datacenter, policyId);
            if (current.inUse()) {
                throw inUse(current, "it cannot be deleted");
            }
            expected.check(current.version());
            try {
                policies.deletePolicy(current);
            } catch (StoreConflict conflict) {
                throw translate(conflict, datacenter, current, expected);
            }
            return null;
        });
    }

    private BackupPolicy existing(String datacenter, String policyId) {
        return policies.findPolicy(datacenter, policyId)
                .orElseThrow(() -> DomainException.notFound("Datacenter " + datacenter + " has no backup policy " + policyId + "."));
    }

    private void refuseDefinedHourOnVeeam(String datacenter, PolicyRules.ValidPolicy valid) {
        for (int i = 0; i < valid.configurations().size(); i++) {
            if (valid.configurations().get(i).subtype() == Subtype.DEFINED_HOUR
                    && managers.findManager(datacenter).map(m -> m.type() == ManagerType.VEEAM).orElse(false)) {
                throw DomainException.invalid("backupConfigurations[" + i + "].subtype",
                        "DEFINED_HOUR is not supported by the VEEAM backup manager of datacenter " + datacenter);
            }
        }
    }

    private void refuseTakenCode(String datacenter, String code, String exceptPolicyId) {
        Optional<String> holder = policies.findPolicyIdByCode(datacenter, code);
        if (holder.isPresent() && !holder.get().equals(exceptPolicyId)) {
            throw codeTaken(datacenter, code);
        }
    }

    private RuntimeException translate(StoreConflict conflict, String datacenter, BackupPolicy policy, ExpectedVersion expected) {
        return switch (conflict.reason()) {
            case CODE_TAKEN -> codeTaken(datacenter, policy.code());
            case POLICY_IN_USE -> inUse(policy, "only its name, code and description may change, and it cannot be deleted");
            case MANAGER_IS_VEEAM -> DomainException.invalid("backupConfigurations",
                    "DEFINED_HOUR is not supported by the VEEAM backup manager of datacenter " + datacenter);
            case NOT_FOUND -> DomainException.notFound("Datacenter " + datacenter + " has no backup policy " + policy.id() + ".");
            default -> new Retry.LostRace(() -> new DomainException(Problem.PRECONDITION_FAILED,
                    "Policy " + policy.id() + " changed while this request ran. Read it again and retry."));
        };
    }

    private static DomainException codeTaken(String datacenter, String code) {
        // The field is named so that a form (the web console) shows the refusal next to the code.
        return new DomainException(Problem.CONFLICT, "Datacenter " + datacenter + " already has a policy with code " + code + " (codes ignore letter case).",
                java.util.List.of(new dev.lifeboat.domain.error.FieldError("code", "is already used by another policy of datacenter " + datacenter)));
    }

    private static DomainException inUse(BackupPolicy policy, String consequence) {
        return DomainException.conflict("Policy " + policy.code() + " is selected by VMs: " + consequence + ".");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
