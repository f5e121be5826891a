package dev.lifeboat.domain.allowance;

import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_ALLOW_BACKUP_CONFIG;
import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_RETRIEVE_DETAILS;

import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Retry;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.policy.PolicyRepository;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** Which policies of a datacenter each enterprise may select. */
public final class AllowanceService {
    public static final int MAX_POLICIES = 500;

    private final AllowanceRepository allowances;
    private final PolicyRepository policies;

    public AllowanceService(AllowanceRepository allowances, PolicyRepository policies) {
        this.allowances = allowances;
        this.policies = policies;
    }

    public Allowance get(Caller caller, String enterprise, String datacenter) {
        if (!caller.has(PHYS_DC_RETRIEVE_DETAILS) && !caller.belongsTo(enterprise)) {
            throw DomainException.forbidden("Reading the policies allowed to enterprise " + enterprise
                    + " needs the privilege PHYS_DC_RETRIEVE_DETAILS or membership of that enterprise.");
        }
        return allowances.findAllowance(enterprise, datacenter);
    }

    public Allowance put(Caller caller, String enterprise, String datacenter, Supplier<List<String>> body, ExpectedVersion expected) {
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        List<String> ids = body.get();
        Violations v = new Violations();
        if (ids == null) {
            v.add("policyIds", "is required");
        } else if (ids.size() > MAX_POLICIES) {
            v.add("policyIds", "may name at most " + MAX_POLICIES + " policies");
        } else {
            Set<String> seen = new HashSet<>();
            List<String> wellFormed = ids.stream().filter(Ids::looksLikeId).toList();
            Set<String> existing = policies.existingPolicyIds(datacenter, wellFormed);
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                if (!seen.add(id)) {
                    v.add("policyIds[" + i + "]", "names policy " + id + " twice");
                } else if (!existing.contains(id)) {
                    v.add("policyIds[" + i + "]", "datacenter " + datacenter + " has no policy " + id);
                }
            }
        }
        v.throwIfAny(Problem.VALIDATION_FAILED);
        return Retry.optimistic(expected, () -> {
            Allowance current = allowances.findAllowance(enterprise, datacenter);
            expected.check(current.version());
            Allowance next = new Allowance(enterprise, datacenter, ids, current.version() + 1);
            try {
                allowances.saveAllowance(next, current.version());
            } catch (StoreConflict conflict) {
                throw new Retry.LostRace(() -> new DomainException(Problem.PRECONDITION_FAILED,
                        "The allowance of enterprise " + enterprise + " changed while this request ran. Read it again and retry."));
            }
            return next;
        });
    }
}
