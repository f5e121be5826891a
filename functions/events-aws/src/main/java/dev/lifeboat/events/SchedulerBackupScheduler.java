package dev.lifeboat.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.schedule.BackupScheduler;
import dev.lifeboat.domain.schedule.SchedulerExpression;
import dev.lifeboat.domain.schedule.Subtype;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindow;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.RetryPolicy;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.scheduler.model.Target;

/**
 * The schedules Lifeboat runs itself, as EventBridge Scheduler schedules whose target starts the backup-lifecycle
 * state machine (a templated Step Functions StartExecution target: the target's {@code Input} is the execution's
 * input, https://docs.aws.amazon.com/step-functions/latest/dg/using-eventbridge-scheduler.html).
 *
 * <p>Facts of the service this follows, from the Scheduler API reference
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html, API_UpdateSchedule.html,
 * API_DeleteSchedule.html) and user guide:
 * <ul>
 *   <li>Names of schedules (as of groups) are 1..64 characters of {@code [0-9a-zA-Z-_.]}; a schedule is known by
 *       group and name ({@code ...:schedule/<group>/<name>} in its ARN).</li>
 *   <li>CreateSchedule of a name that exists answers {@code ConflictException} (HTTP 409); then the schedule is
 *       replaced with UpdateSchedule, which "uses all values, including empty values, specified in the request and
 *       overrides the existing schedule", so both calls carry the whole definition.</li>
 *   <li>DeleteSchedule of a missing schedule answers {@code ResourceNotFoundException} (HTTP 404): already gone.</li>
 *   <li>{@code ActionAfterCompletion} {@code DELETE} removes a one-time {@code at()} schedule after it has invoked
 *       its target, so DEFINED_HOUR schedules do not pile up.</li>
 *   <li>{@code <aws.scheduler.scheduled-time>} in the target's payload is replaced, on each invocation, by the
 *       time the schedule was due, e.g. {@code 2022-03-22T18:59:43Z}
 *       (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).</li>
 * </ul>
 * Expressions and time zones come computed from {@link SchedulerExpression}; this class passes them on.
 */
public final class SchedulerBackupScheduler implements BackupScheduler {
    public static final String DEFAULT_GROUP = "default";
    /** CreateSchedule API reference, Name: "Minimum length of 1. Maximum length of 64", pattern [0-9a-zA-Z-_.]+. */
    static final int MAX_NAME = 64;
    /** The Scheduler context attribute that becomes the invocation's scheduled time (see the class comment). */
    static final String SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";
    /**
     * Attempts after the first when StartExecution fails (throttling, a service error), with exponential backoff;
     * RetryPolicy API reference (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html):
     * 0..185.
     */
    static final int MAX_RETRY_ATTEMPTS = 3;
    /**
     * How long a failing invocation is retried (RetryPolicy API reference: 60..86400 s): a backup that could not
     * start within an hour is not started late, so it cannot run into the next scheduled one.
     */
    static final int MAX_EVENT_AGE_SECONDS = 3600;
    /** CreateSchedule API reference: Description, maximum length 512. */
    static final int MAX_DESCRIPTION = 512;

    private static final int HASH_HEX = 16;
    private static final int VM_PART = 20;
    private static final int POLICY_PART = 18;

    private final Supplier<SchedulerClient> client;
    private final String groupName;
    private final String stateMachineArn;
    private final String roleArn;

    /**
     * @param client          built on first use, once
     * @param groupName       the schedule group ({@code SCHEDULE_GROUP}); null or blank is the {@code default} group
     * @param stateMachineArn the backup-lifecycle state machine ({@code BACKUP_STATE_MACHINE_ARN})
     * @param roleArn         the role Scheduler assumes to start it ({@code SCHEDULER_ROLE_ARN}):
     *                        {@code states:StartExecution} on that state machine, trusted by
     *                        {@code scheduler.amazonaws.com}
     */
    public SchedulerBackupScheduler(Supplier<SchedulerClient> client, String groupName, String stateMachineArn,
                                    String roleArn) {
        this.client = new Lazy<>(client);
        this.groupName = AwsErrors.blank(groupName) ? DEFAULT_GROUP : groupName;
        this.stateMachineArn = stateMachineArn;
        this.roleArn = roleArn;
    }

    /**
     * The scheduler for a function's environment: {@code SCHEDULE_GROUP}, {@code BACKUP_STATE_MACHINE_ARN} and
     * {@code SCHEDULER_ROLE_ARN}. A missing ARN is reported by {@link #put}, not here, so that functions that only
     * delete schedules need not name a target.
     */
    public static SchedulerBackupScheduler fromEnvironment(Map<String, String> env, Supplier<SchedulerClient> client) {
        return new SchedulerBackupScheduler(client, env.get("SCHEDULE_GROUP"), env.get("BACKUP_STATE_MACHINE_ARN"),
                env.get("SCHEDULER_ROLE_ARN"));
    }

    public String groupName() {
        return groupName;
    }

    @Override
    public void put(ScheduledBackup backup) {
        Objects.requireNonNull(backup);
        if (AwsErrors.blank(stateMachineArn)) {
            throw new Unavailable("BACKUP_STATE_MACHINE_ARN is not set", null);
        }
        if (AwsErrors.blank(roleArn)) {
            throw new Unavailable("SCHEDULER_ROLE_ARN is not set", null);
        }
        String name = scheduleName(backup.vm(), backup.policyId(), backup.subtype());
        SchedulerExpression when = backup.expression();
        Target target = Target.builder()
                .arn(stateMachineArn)
                .roleArn(roleArn)
                .input(input(backup))
                .retryPolicy(RetryPolicy.builder()
                        .maximumRetryAttempts(MAX_RETRY_ATTEMPTS)
                        .maximumEventAgeInSeconds(MAX_EVENT_AGE_SECONDS)
                        .build())
                .build();
        FlexibleTimeWindow exact = FlexibleTimeWindow.builder().mode(FlexibleTimeWindowMode.OFF).build();
        ActionAfterCompletion after = when.expression().startsWith("at(")
                ? ActionAfterCompletion.DELETE : ActionAfterCompletion.NONE;
        String description = description(backup);
        try {
            try {
                client.get().createSchedule(r -> r.name(name).groupName(groupName).description(description)
                        .scheduleExpression(when.expression()).scheduleExpressionTimezone(when.timezone())
                        .flexibleTimeWindow(exact).actionAfterCompletion(after).state(ScheduleState.ENABLED)
                        .target(target));
            } catch (ConflictException exists) {
                try {
                    client.get().updateSchedule(r -> r.name(name).groupName(groupName).description(description)
                            .scheduleExpression(when.expression()).scheduleExpressionTimezone(when.timezone())
                            .flexibleTimeWindow(exact).actionAfterCompletion(after).state(ScheduleState.ENABLED)
                            .target(target));
                } catch (ResourceNotFoundException goneMeanwhile) {
                    // Deleted between the two calls (or a one-time schedule that just completed): create it again.
                    client.get().createSchedule(r -> r.name(name).groupName(groupName).description(description)
                            .scheduleExpression(when.expression()).scheduleExpressionTimezone(when.timezone())
                            .flexibleTimeWindow(exact).actionAfterCompletion(after).state(ScheduleState.ENABLED)
                            .target(target));
                }
            }
        } catch (SdkException e) {
            throw new Unavailable("put schedule " + groupName + "/" + name + " failed: " + AwsErrors.describe(e), e);
        }
    }

    @Override
    public void delete(String vm, String policyId, Subtype subtype) {
        String name = scheduleName(vm, policyId, subtype);
        try {
            client.get().deleteSchedule(r -> r.name(name).groupName(groupName));
        } catch (ResourceNotFoundException alreadyGone) {
            // The port promises that deleting a missing schedule is fine; one-time schedules delete themselves.
        } catch (SdkException e) {
            throw new Unavailable("delete schedule " + groupName + "/" + name + " failed: " + AwsErrors.describe(e), e);
        }
    }

    /**
     * The execution input: what the backup-lifecycle workflow needs to find its work, never a secret. Scheduler
     * fills in {@code scheduledAt} when the schedule fires.
     */
    static String input(ScheduledBackup backup) {
        ObjectNode input = Json.NODES.objectNode();
        input.put("vm", backup.vm());
        input.put("datacenter", backup.datacenter());
        input.put("policyId", backup.policyId());
        input.put("trigger", "SCHEDULED");
        input.put("scheduledAt", SCHEDULED_TIME);
        return Json.write(input);
    }

    private static String description(ScheduledBackup backup) {
        String text = "Lifeboat " + backup.subtype().name() + " backup of VM " + backup.vm() + " with policy "
                + backup.policyId();
        return text.length() > MAX_DESCRIPTION ? text.substring(0, MAX_DESCRIPTION) : text;
    }

    /**
     * {@code <vm>-<policy>-<subtype>-<hash>}: readable in the console (the ids cut to 20 and 18 characters, other
     * characters than Scheduler allows replaced by {@code _}), and a hash of the exact VM, policy and subtype, so
     * that ids that read alike after cutting or replacing never share a schedule. At most 20 + 1 + 18 + 1 + 7 + 1
     * + 16 = 64 characters.
     */
    static String scheduleName(String vm, String policyId, Subtype subtype) {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(subtype, "subtype");
        return readable(vm, VM_PART) + "-" + readable(policyId, POLICY_PART) + "-" + code(subtype) + "-"
                + hash(vm, policyId, subtype);
    }

    /** At most 7 characters, so the name's layout never depends on the subtype. */
    private static String code(Subtype subtype) {
        return switch (subtype) {
            case DEFINED_HOUR -> "at";
            case HOURLY -> "hourly";
            case DAILY -> "daily";
            case WEEKLY_PLANNED -> "weekly";
            case MONTHLY -> "monthly";
        };
    }

    private static String readable(String id, int room) {
        String safe = id.replaceAll("[^0-9A-Za-z_.-]", "_");
        return safe.length() > room ? safe.substring(0, room) : safe;
    }

    /** 64 bits of SHA-256 over the length-prefixed parts, so that no two different triples hash the same text. */
    private static String hash(String vm, String policyId, Subtype subtype) {
        String text = vm.length() + ":" + vm + "|" + policyId.length() + ":" + policyId + "|" + subtype.name();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, HASH_HEX / 2).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
