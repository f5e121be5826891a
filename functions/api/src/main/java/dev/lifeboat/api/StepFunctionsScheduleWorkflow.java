package dev.lifeboat.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.domain.vm.ScheduleWorkflow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Starts the apply-schedule state machine, named after the request (VM, configuration version, action), so a
 * retried start never runs the change twice.
 */
public final class StepFunctionsScheduleWorkflow implements ScheduleWorkflow {
    static final int MAX_NAME = StepFunctionsStarter.MAX_NAME;

    private final StepFunctionsStarter starter;
    private final String stateMachineArn;

    /** @param sfn built on first use, so functions that never start a workflow never build the client */
    public StepFunctionsScheduleWorkflow(Supplier<SfnClient> sfn, String stateMachineArn) {
        this.starter = new StepFunctionsStarter(sfn);
        this.stateMachineArn = stateMachineArn;
    }

    /** The apply-schedule state machine of {@code APPLY_SCHEDULE_STATE_MACHINE_ARN}. */
    static ScheduleWorkflow fromEnvironment(java.util.Map<String, String> env) {
        return new StepFunctionsScheduleWorkflow(StepFunctionsStarter.client(env), env.get("APPLY_SCHEDULE_STATE_MACHINE_ARN"));
    }

    @Override
    public void start(ApplyRequest request) {
        ObjectNode input = Json.NODES.objectNode();
        input.put("vm", request.vm());
        input.put("datacenter", request.datacenter());
        input.put("configVersion", request.configVersion());
        input.put("action", request.action().name());
        try {
            starter.start(stateMachineArn, "APPLY_SCHEDULE_STATE_MACHINE_ARN", executionName(request), input);
        } catch (StepFunctionsStarter.NotStarted e) {
            throw new Unavailable(e.getMessage(), e);
        }
    }

    /**
     * {@code <vm>-c<version>-<action>}: readable in the console, with characters Step Functions does not allow in
     * names replaced and a hash of the VM id added, so that two VM ids that read alike never share a name.
     */
    static String executionName(ApplyRequest request) {
        String suffix = "-" + hash(request.vm()) + "-c" + request.configVersion() + "-" + request.action().name().toLowerCase(java.util.Locale.ROOT);
        String readable = request.vm().replaceAll("[^A-Za-z0-9._-]", "_");
        int room = MAX_NAME - suffix.length();
        return (readable.length() > room ? readable.substring(0, room) : readable) + suffix;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
