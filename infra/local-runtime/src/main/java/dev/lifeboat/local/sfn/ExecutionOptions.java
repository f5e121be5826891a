package dev.lifeboat.local.sfn;

import dev.lifeboat.workflowruntime.RunOptions;

/**
 * How {@link LocalStepFunctions} runs each execution: Wait and retry overrides (a 15 s poll can become 2 s locally),
 * and the time limit. Called once per execution, when it starts running; the execution's name is set afterwards
 * ({@link RunOptions#withName}), so any name given here is replaced. Substitutions are already in the state machine's
 * definition, and a Wait override must name a Wait state of that definition (or be {@code "*"}), else the execution
 * fails with {@code States.Runtime}.
 */
@FunctionalInterface
public interface ExecutionOptions {

    RunOptions forExecution(LocalStateMachine stateMachine, String executionName);

    /** The same options for every execution. */
    static ExecutionOptions always(RunOptions options) {
        return (stateMachine, executionName) -> options;
    }
}
