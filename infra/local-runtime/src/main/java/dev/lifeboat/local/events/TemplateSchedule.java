package dev.lifeboat.local.events;

/**
 * A schedule the template declares as a {@code ScheduleV2} event of a state machine or function, resolved for the
 * local run (see {@link LocalScheduler#templateSchedules}).
 *
 * @param resourceId the logical id of the state machine or function
 * @param eventName  the event's key under {@code Events}
 * @param name       the event's {@code Name}, else the event's logical id ({@code resourceId + eventName}), the name
 *                   SAM gives the schedule it generates
 * @param groupName  the event's {@code GroupName}, else {@code default}
 * @param timezone   the event's {@code ScheduleExpressionTimezone}, else {@code null} (UTC)
 * @param state      the event's {@code State}, else {@code ENABLED}
 * @param targetArn  the ARN of the state machine or function, from the refs
 * @param input      the event's {@code Input}, else {@code null}
 */
public record TemplateSchedule(String resourceId, String eventName, String name, String groupName, String expression,
        String timezone, String state, String targetArn, String input) {
}
