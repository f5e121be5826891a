package dev.lifeboat.local.events;

/**
 * What a {@link LocalScheduler} calls when a schedule fires: the schedule's {@code Target.Arn} (a state machine, a
 * function, ...) and its {@code Target.Input} with the context attributes filled in, or {@code null} when the
 * schedule has no input (Step Functions then starts the execution with {@code {}}).
 *
 * <p>Called on a thread of the scheduler's own, never on the one that keeps time, so a slow target delays no other
 * schedule; calls may overlap. An exception is logged; Scheduler's retries ({@code RetryPolicy}) are not reproduced.
 */
@FunctionalInterface
public interface ScheduleTarget {
    void invoke(String targetArn, String input) throws Exception;
}
