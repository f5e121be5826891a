package dev.lifeboat.domain.properties;

import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_ALLOW_BACKUP_CONFIG;
import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_RETRIEVE_DETAILS;

import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Retry;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.identity.Caller;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

/** The datacenter switches that allow multiple restore, multiple policies, changes to deployed VMs and backup now. */
public final class BackupPropertiesService {
    private final PropertiesRepository properties;
    private final Clock clock;

    public BackupPropertiesService(PropertiesRepository properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    public BackupProperties get(Caller caller, String datacenter) {
        caller.require(PHYS_DC_RETRIEVE_DETAILS);
        return properties.findProperties(datacenter);
    }

    public BackupProperties put(Caller caller, String datacenter, Supplier<PropertiesDraft> body, ExpectedVersion expected) {
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        PropertiesDraft draft = body.get();
        Violations v = new Violations();
        if (draft.multipleRestore() == null) v.add("multipleRestore", "is required");
        if (draft.multipleBackupPolicies() == null) v.add("multipleBackupPolicies", "is required");
        if (draft.updateWhenDeployed() == null) v.add("updateWhenDeployed", "is required");
        if (draft.backupNow() == null) v.add("backupNow", "is required");
        v.throwIfAny(Problem.VALIDATION_FAILED);
        return Retry.optimistic(expected, () -> {
            BackupProperties current = properties.findProperties(datacenter);
            expected.check(current.version());
            BackupProperties next = new BackupProperties(datacenter, draft.multipleRestore(), draft.multipleBackupPolicies(),
                    draft.updateWhenDeployed(), draft.backupNow(), current.version() + 1, clock.instant().truncatedTo(ChronoUnit.MILLIS));
            try {
                properties.saveProperties(next, current.version());
            } catch (StoreConflict conflict) {
                throw new Retry.LostRace(() -> new DomainException(Problem.PRECONDITION_FAILED,
                        "The properties of datacenter " + datacenter + " changed while this request ran. Read them again and retry."));
            }
            return next;
        });
    }
}
