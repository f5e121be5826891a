package dev.lifeboat.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.LifecycleWorkflows;
import dev.lifeboat.domain.backup.RestoreRequest;

/**
 * Starts the backup-lifecycle ({@code BACKUP_STATE_MACHINE_ARN}) and multi-restore ({@code RESTORE_STATE_MACHINE_ARN})
 * state machines. Executions are named after the backup or the restore request (ULIDs, valid execution names), so one
 * backup or request never runs twice.
 */
public final class StepFunctionsLifecycleWorkflows implements LifecycleWorkflows {
    private final StepFunctionsStarter starter;
    private final String backupArn;
    private final String restoreArn;

    StepFunctionsLifecycleWorkflows(StepFunctionsStarter starter, String backupArn, String restoreArn) {
        this.starter = starter;
        this.backupArn = backupArn;
        this.restoreArn = restoreArn;
    }

    /** The state machines of {@code BACKUP_STATE_MACHINE_ARN} and {@code RESTORE_STATE_MACHINE_ARN}. */
    static LifecycleWorkflows fromEnvironment(java.util.Map<String, String> env) {
        return new StepFunctionsLifecycleWorkflows(new StepFunctionsStarter(StepFunctionsStarter.client(env)),
                env.get("BACKUP_STATE_MACHINE_ARN"), env.get("RESTORE_STATE_MACHINE_ARN"));
    }

    @Override
    public void startBackup(Backup backup) {
        ObjectNode input = Json.NODES.objectNode().put("backupId", backup.id()).put("vm", backup.vm());
        start(backupArn, "BACKUP_STATE_MACHINE_ARN", "backup-" + backup.id(), input);
    }

    @Override
    public void startRestores(RestoreRequest request) {
        start(restoreArn, "RESTORE_STATE_MACHINE_ARN", "restore-" + request.id(), Json.NODES.objectNode().put("requestId", request.id()));
    }

    private void start(String arn, String variable, String name, ObjectNode input) {
        try {
            starter.start(arn, variable, name, input);
        } catch (StepFunctionsStarter.NotStarted e) {
            throw new Unavailable(e.getMessage(), e);
        }
    }
}
