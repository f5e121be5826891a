package dev.lifeboat.workflow;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupLifecycle;
import dev.lifeboat.domain.backup.BackupLifecycle.BackupRun;
import dev.lifeboat.domain.backup.BackupLifecycle.Poll;
import dev.lifeboat.domain.backup.BackupLifecycle.PollState;
import dev.lifeboat.domain.backup.BackupLifecycle.RestoreRun;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.schedule.BackupScheduler;
import dev.lifeboat.domain.schedule.EffectiveSchedule;
import dev.lifeboat.domain.schedule.Subtype;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupService.ApplyPlan;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The task states of the workflows that are not plugin calls. A state names its task in {@code "task"}; the answer
 * becomes the state's result. Failures leave as {@link TransientTaskError} (retried by the state machine) or
 * {@link TerminalTaskError} (caught and recorded), whose class names are the Step Functions error names. The input and
 * the answer never hold a password: managers travel as their secret reference.
 */
public final class WorkflowTasksHandler implements RequestStreamHandler {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final WorkflowServices services;
    private final ResultsSyncTasks sync;

    public WorkflowTasksHandler() {
        this(WorkflowServices.forEnvironment(System.getenv()));
    }

    public WorkflowTasksHandler(Map<String, String> env) {
        this(WorkflowServices.forEnvironment(env));
    }

    public WorkflowTasksHandler(WorkflowServices services) {
        this.services = services;
        this.sync = new ResultsSyncTasks(services);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode in = CommandJson.TREES.read(input);
        output.write(CommandJson.TREES.bytes(handle(in)));
    }

    public JsonNode handle(JsonNode in) {
        String task = in.path("task").asText("");
        try {
            return switch (task) {
                case "backup.begin" -> backupBegin(in.path("input"));
                case "backup.job" -> backupJob(in);
                case "backup.poll" -> backupPoll(in);
                case "backup.finish" -> backupFinish(in);
                case "backup.fail" -> backupFail(in.path("input"));
                case "restore.items" -> restoreItems(in);
                case "restore.begin" -> restoreBegin(in);
                case "restore.job" -> restoreJob(in);
                case "restore.poll" -> restorePoll(in);
                case "restore.finish" -> restoreFinish(in);
                case "restore.fail" -> restoreFail(in.path("input"));
                case "restore.abandon" -> restoreAbandon(in);
                case "apply.begin" -> applyBegin(in.path("input"));
                case "apply.finish" -> applyFinish(in);
                case "apply.fail" -> applyFail(in.path("input"));
                case "retry.next" -> services.startRetries.next(ManagerType.valueOf(text(in, "managerType")), in.path("retry"));
                case "sync.backstop" -> sync.backstop();
                case "sync.datacenters" -> syncDatacenters();
                case "sync.begin" -> sync.begin(in);
                case "sync.record" -> sync.record(in);
                case "sync.finish" -> sync.finish(in);
                case "sync.report" -> syncReport(in);
                default -> throw new TerminalTaskError("unknown task '" + task + "'");
            };
        } catch (BackupLifecycle.Gone e) {
            throw new TerminalTaskError(e.getMessage());
        } catch (SdkException | EventPublisher.Unavailable | BackupScheduler.Unavailable | DomainException
                 | dev.lifeboat.domain.common.StoreConflict e) {
            // Every step reads its state again when it runs, so a lost race (a transaction that met another on the
            // VM's lock) is retried, never recorded as the operation's failure.
            // The table, the bus or the scheduler did not answer, or a retried step met its own earlier write.
            throw new TransientTaskError(task + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    static String text(JsonNode in, String field) {
        JsonNode n = in.path(field);
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new TerminalTaskError("the task input has no '" + field + "'");
        }
        return n.asText();
    }

    private static ObjectNode poll(Poll p) {
        return NODES.objectNode().put("state", p.state().name()).put("attempt", p.attempt()).put("waitSeconds", p.waitSeconds())
                .put("recordBy", timestamp(p.recordBy()));
    }

    // A poll loop's Choice compares these with $$.State.EnteredTime (TimestampGreaterThanEqualsPath), which AWS gives with
    // milliseconds: one fixed RFC 3339 form for both, rather than Instant.toString's nanoseconds or none.
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    static String timestamp(Instant t) {
        return TIMESTAMP.format(t);
    }

    /** When the poll being recorded was made (its state's EnteredTime), or null when no poll was made yet. */
    private static Instant polledAt(JsonNode in) {
        return in.hasNonNull("polledAt") ? Instant.parse(text(in, "polledAt")) : null;
    }

    /**
     * What RecordOutcome records: the job's end as the backup system answered it, or TIMED_OUT for a job still running
     * (or not answering) at a poll made past the deadline; the poll loop's Choice sends nothing else there.
     */
    private static PollState outcome(JsonNode in) {
        String state = text(in.path("status"), "state");
        switch (state) {
            case "SUCCEEDED" -> { return PollState.SUCCEEDED; }
            case "FAILED" -> { return PollState.FAILED; }
            case "RUNNING" -> {
                if (!Instant.parse(text(in, "polledAt")).isBefore(Instant.parse(text(in, "deadline")))) {
                    return PollState.TIMED_OUT;
                }
                throw new TerminalTaskError("the job is still running and its deadline has not passed");
            }
            default -> throw new TerminalTaskError("the backup system answered the unknown job state '" + state + "'");
        }
    }

    // ---- backup lifecycle -----------------------------------------------------------------------------------------

    private JsonNode backupBegin(JsonNode input) {
        String vm = text(input, "vm");
        BackupRun run = input.hasNonNull("backupId")
                ? services.lifecycle.beginBackup(vm, text(input, "backupId"))
                : services.lifecycle.beginScheduled(vm, text(input, "policyId"),
                        input.hasNonNull("scheduledAt") ? Instant.parse(input.get("scheduledAt").asText()) : null);
        ObjectNode out = NODES.objectNode().put("runs", run.runs()).put("backupId", run.backup().id()).put("vm", vm);
        if (run.runs()) {
            out.put("managerType", run.manager().type().name());
            out.put("pluginFunction", services.plugins.of(run.manager().type()));
            out.putObject("retry").put("attempt", 0);
            out.put("deadline", timestamp(run.deadline()));
            out.set("startCommand", Commands.startBackup(run.manager(), run.vm(), run.backup(), run.policyCode()));
        }
        return out;
    }

    private JsonNode backupJob(JsonNode in) {
        String vm = text(in, "vm");
        String backupId = text(in, "backupId");
        services.lifecycle.recordBackupJob(vm, backupId, text(in.path("started").path("job"), "ref"));
        return poll(services.lifecycle.recordBackupRunning(vm, backupId, null, 0, null, Instant.parse(text(in, "deadline"))));
    }

    private JsonNode backupPoll(JsonNode in) {
        JsonNode status = in.path("status");
        if (!text(status, "state").equals("RUNNING")) {
            throw new TerminalTaskError("backup.poll records a running job; an ended one goes to backup.finish");
        }
        Integer progress = status.hasNonNull("progress") ? status.get("progress").asInt() : null;
        return poll(services.lifecycle.recordBackupRunning(text(in, "vm"), text(in, "backupId"), progress,
                in.path("attempt").asInt(0), polledAt(in), Instant.parse(text(in, "deadline"))));
    }

    private JsonNode backupFinish(JsonNode in) {
        String vm = text(in, "vm");
        String backupId = text(in, "backupId");
        JsonNode status = in.path("status");
        switch (outcome(in)) {
            case SUCCEEDED -> {
                JsonNode point = status.path("restorePoint");
                // No restore point named (NetWorker may list it only a while after the job): the backup keeps none rather
                // than a job reference that no restore could use; results sync adds the restore point when it is listed.
                services.lifecycle.succeedBackup(vm, backupId, point.hasNonNull("ref") ? point.get("ref").asText() : null,
                        point.hasNonNull("sizeBytes") ? point.get("sizeBytes").asLong() : null);
            }
            case FAILED -> services.lifecycle.failBackup(vm, backupId, jobError(status));
            case TIMED_OUT -> services.lifecycle.failBackup(vm, backupId, services.lifecycle.timedOut(ManagerType.valueOf(text(in, "managerType"))));
            case RUNNING -> throw new TerminalTaskError("backup.finish needs an ended job");
        }
        return NODES.objectNode().put("backupId", backupId).put("recorded", true);
    }

    private static ErrorInfo jobError(JsonNode status) {
        JsonNode e = status.path("error");
        return new ErrorInfo(e.path("code").asText("BACKUP_SYSTEM"), e.path("message").asText("The backup system reports the job failed."));
    }

    /** The Catch of every state ends here with the state's input and the failure in {@code failure}. */
    private JsonNode backupFail(JsonNode input) {
        String backupId = input.path("run").path("backupId").asText(input.path("backupId").asText(null));
        if (backupId == null && input.hasNonNull("policyId") && input.hasNonNull("scheduledAt")) {
            // A schedule's backup whose first step failed: its id follows from the firing.
            backupId = BackupLifecycle.scheduledBackupId(text(input, "vm"), text(input, "policyId"),
                    Instant.parse(input.get("scheduledAt").asText()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            if (services.backups.findBackup(text(input, "vm"), backupId).isEmpty()) {
                return NODES.objectNode().put("recorded", false);
            }
        }
        if (backupId == null) {
            return NODES.objectNode().put("recorded", false);
        }
        services.lifecycle.failBackup(text(input, "vm"), backupId, Failures.of(input.path("failure")));
        return NODES.objectNode().put("backupId", backupId).put("recorded", true);
    }

    // ---- restores -----------------------------------------------------------------------------------------------

    private JsonNode restoreItems(JsonNode in) {
        ArrayNode out = NODES.arrayNode();
        for (RestoreRequest.Item item : services.lifecycle.acceptedItems(text(in, "requestId"))) {
            out.addObject().put("vm", item.vm()).put("backupId", item.backupId()).put("restoreId", item.restoreId());
        }
        return out;
    }

    private JsonNode restoreBegin(JsonNode in) {
        RestoreRun run = services.lifecycle.beginRestore(text(in, "vm"), text(in, "backupId"), text(in, "restoreId"));
        ObjectNode out = NODES.objectNode().put("runs", run.runs());
        if (run.runs()) {
            out.put("managerType", run.manager().type().name());
            out.put("pluginFunction", services.plugins.of(run.manager().type()));
            out.putObject("retry").put("attempt", 0);
            out.put("deadline", timestamp(run.deadline()));
            out.set("startCommand", Commands.startRestore(run.manager(), run.vm(), run.backup(), run.restore()));
        }
        return out;
    }

    private JsonNode restoreJob(JsonNode in) {
        services.lifecycle.recordRestoreJob(text(in, "vm"), text(in, "backupId"), text(in, "restoreId"), text(in.path("started").path("job"), "ref"));
        return poll(services.lifecycle.recordRestoreRunning(0, null, Instant.parse(text(in, "deadline"))));
    }

    private JsonNode restorePoll(JsonNode in) {
        if (!text(in.path("status"), "state").equals("RUNNING")) {
            throw new TerminalTaskError("restore.poll plans the next poll of a running job; an ended one goes to restore.finish");
        }
        return poll(services.lifecycle.recordRestoreRunning(in.path("attempt").asInt(0), polledAt(in), Instant.parse(text(in, "deadline"))));
    }

    private JsonNode restoreFinish(JsonNode in) {
        String vm = text(in, "vm");
        String backupId = text(in, "backupId");
        String restoreId = text(in, "restoreId");
        switch (outcome(in)) {
            case SUCCEEDED -> services.lifecycle.succeedRestore(vm, backupId, restoreId);
            case FAILED -> services.lifecycle.failRestore(vm, backupId, restoreId, jobError(in.path("status")));
            case TIMED_OUT -> services.lifecycle.failRestore(vm, backupId, restoreId,
                    services.lifecycle.timedOut(ManagerType.valueOf(text(in, "managerType"))));
            case RUNNING -> throw new TerminalTaskError("restore.finish needs an ended job");
        }
        return NODES.objectNode().put("restoreId", restoreId).put("recorded", true);
    }

    private JsonNode restoreFail(JsonNode input) {
        services.lifecycle.failRestore(text(input, "vm"), text(input, "backupId"), text(input, "restoreId"), Failures.of(input.path("failure")));
        return NODES.objectNode().put("restoreId", input.path("restoreId").asText()).put("recorded", true);
    }

    /** The request could not run at all: every restore of it that has not ended is FAILED, its VM free again. */
    private JsonNode restoreAbandon(JsonNode in) {
        String requestId = text(in, "requestId");
        ErrorInfo error = Failures.of(in.path("failure"));
        int items = 0;
        for (RestoreRequest.Item item : services.lifecycle.acceptedItems(requestId)) {
            services.lifecycle.failRestore(item.vm(), item.backupId(), item.restoreId(), error);
            items++;
        }
        return NODES.objectNode().put("requestId", requestId).put("items", items).put("recorded", true);
    }

    // ---- apply-schedule -------------------------------------------------------------------------------------------

    private JsonNode applyBegin(JsonNode input) {
        String vm = text(input, "vm");
        long version = input.path("configVersion").asLong(-1);
        Optional<ApplyPlan> plan = services.configurations.pendingPlan(vm, version);
        ObjectNode out = NODES.objectNode().put("vm", vm).put("configVersion", version);
        if (plan.isEmpty()) {
            return out.put("runs", false);
        }
        VirtualMachine machine = plan.get().vm();
        Optional<BackupManager> manager = services.config.findManager(machine.datacenter());
        if (manager.isEmpty()) {
            services.configurations.recordFailed(vm, version, new ErrorInfo("NO_MANAGER", "Datacenter " + machine.datacenter() + " has no backup manager."));
            return out.put("runs", false);
        }
        ArrayNode steps = out.putArray("steps");
        for (PolicySelection s : plan.get().remove()) {
            steps.add(Commands.schedule(Operation.REMOVE_SCHEDULE, manager.get(), machine, s.policyId(), code(machine.datacenter(), s.policyId())));
        }
        for (PolicySelection s : plan.get().apply()) {
            steps.add(Commands.schedule(Operation.APPLY_SCHEDULE, manager.get(), machine, s.policyId(), code(machine.datacenter(), s.policyId())));
        }
        return out.put("runs", true).put("managerType", manager.get().type().name())
                .put("pluginFunction", services.plugins.of(manager.get().type()));
    }

    private String code(String datacenter, String policyId) {
        return services.config.findPolicy(datacenter, policyId).map(BackupPolicy::code).orElse(policyId);
    }

    /**
     * The backup system took the change. When Lifeboat itself runs the schedules (VMWARE_SNAPSHOT), its EventBridge
     * Scheduler schedules follow the change here, before the configuration is marked APPLIED.
     */
    private JsonNode applyFinish(JsonNode in) {
        String vm = text(in, "vm");
        long version = in.path("configVersion").asLong(-1);
        Optional<ApplyPlan> plan = services.configurations.pendingPlan(vm, version);
        if (plan.isPresent()) {
            VirtualMachine machine = plan.get().vm();
            boolean lifeboatSchedules = services.config.findManager(machine.datacenter()).map(m -> m.type() == ManagerType.VMWARE_SNAPSHOT).orElse(false);
            if (lifeboatSchedules) {
                for (PolicySelection s : plan.get().remove()) {
                    for (Subtype subtype : Subtype.values()) {
                        services.scheduler.delete(vm, s.policyId(), subtype);
                    }
                }
                for (PolicySelection s : plan.get().apply()) {
                    Optional<BackupPolicy> policy = services.config.findPolicy(machine.datacenter(), s.policyId());
                    if (policy.isEmpty()) continue;
                    for (EffectiveSchedule e : EffectiveSchedule.resolve(policy.get().configurations(), s.values())) {
                        if (e.concrete()) {
                            services.scheduler.put(new BackupScheduler.ScheduledBackup(vm, machine.datacenter(), s.policyId(), e.subtype(), e.scheduler()));
                        } else {
                            services.scheduler.delete(vm, s.policyId(), e.subtype());
                        }
                    }
                }
            }
        }
        boolean recorded = services.configurations.recordApplied(vm, version);
        if (recorded) services.runs.configurationEnded(vm, version, "APPLIED");
        return NODES.objectNode().put("vm", vm).put("recorded", recorded);
    }

    private JsonNode applyFail(JsonNode input) {
        String vm = text(input, "vm");
        long version = input.path("configVersion").asLong(-1);
        boolean recorded = services.configurations.recordFailed(vm, version, Failures.of(input.path("failure")));
        if (recorded) services.runs.configurationEnded(vm, version, "FAILED");
        return NODES.objectNode().put("vm", vm).put("recorded", recorded);
    }

    // ---- results sync -------------------------------------------------------------------------------------------

    private JsonNode syncDatacenters() {
        ArrayNode out = NODES.arrayNode();
        services.config.managedDatacenters().forEach(out::add);
        if (out.isEmpty()) SyncMetrics.noDatacenters();
        return out;
    }

    /** A datacenter that failed is reported and skipped; the others go on. */
    private JsonNode syncReport(JsonNode in) {
        String datacenter = in.path("datacenter").asText("?");
        ErrorInfo error = Failures.of(in.path("failure"));
        ObjectNode out = NODES.objectNode().put("datacenter", datacenter).put("ok", false);
        out.putObject("error").put("code", error.code()).put("message", error.message());
        log("ERROR", "results sync skipped a datacenter", datacenter, out.get("error"));
        SyncMetrics.failed(datacenter);
        return out;
    }

    static void log(String level, String message, String datacenter, JsonNode detail) {
        ObjectNode line = NODES.objectNode().put("level", level).put("message", message).put("datacenter", datacenter);
        line.set("detail", detail);
        System.out.println(CommandJson.TREES.write(line));
    }
}
