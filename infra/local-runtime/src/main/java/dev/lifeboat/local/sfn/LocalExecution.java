package dev.lifeboat.local.sfn;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.workflowruntime.Execution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

/**
 * One execution kept by {@link LocalStepFunctions}: RUNNING from its start until its run ends or it is stopped; the
 * first of those two decides its status, the other is ignored. Thread-safe.
 */
final class LocalExecution {

    enum Status { RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED }

    /** What DescribeExecution and ListExecutions report, at one moment. */
    record View(long sequence, String arn, String name, LocalStateMachine stateMachine, String input, Instant startDate,
                Status status, Instant stopDate, String output, String error, String cause) {}

    final long sequence;
    final String arn;
    final String name;
    final LocalStateMachine stateMachine;
    final String input;
    final Instant startDate;

    private Status status = Status.RUNNING;
    private Instant stopDate;
    private String output;
    private String error;
    private String cause;
    private List<ObjectNode> stateEvents = List.of();
    private Future<?> run;

    LocalExecution(long sequence, LocalStateMachine stateMachine, String name, String input, Instant startDate) {
        this.sequence = sequence;
        this.stateMachine = stateMachine;
        this.name = name;
        this.arn = stateMachine.executionArn(name);
        this.input = input;
        this.startDate = startDate;
    }

    synchronized View view() {
        return new View(sequence, arn, name, stateMachine, input, startDate, status, stopDate, output, error, cause);
    }

    synchronized boolean running() {
        return status == Status.RUNNING;
    }

    synchronized void runAs(Future<?> future) {
        this.run = future;
    }

    /** Records a run's result unless the execution was stopped meanwhile; then the result is discarded. */
    synchronized boolean finish(Execution result) {
        return end(Status.valueOf(result.status().name()),
                result.output() == null ? null : result.output().toString(), result.error(),
                // AWS reports a TIMED_OUT execution with error States.Timeout and no cause (see finishTimedOut).
                result.status() == Execution.Status.TIMED_OUT ? null : result.cause(),
                HistoryEvents.fromLog(result.events()));
    }

    /** The run could not produce a result of its own: a refused request, Node failing, the local time limit. */
    synchronized boolean finish(Status endStatus, String endError, String endCause, Execution partial) {
        return end(endStatus, null, endError, endCause,
                partial == null ? List.of() : HistoryEvents.fromLog(partial.events()));
    }

    /**
     * StopExecution: ABORTED now, with the caller's error and cause (both may be null; then DescribeExecution has
     * neither, as AWS answers it). The run is cancelled: a queued one never starts, a running one is interrupted,
     * which kills its Node process ({@code StepFunctionsLocal} destroys it on interrupt) and loses its event log, so
     * the history of a stopped execution is ExecutionStarted and ExecutionAborted.
     *
     * @return false when it had already ended
     */
    synchronized boolean stop(String stopError, String stopCause) {
        if (!end(Status.ABORTED, null, stopError, stopCause, List.of())) {
            return false;
        }
        if (run != null) {
            run.cancel(true);
        }
        return true;
    }

    private boolean end(Status endStatus, String endOutput, String endError, String endCause, List<ObjectNode> events) {
        if (status != Status.RUNNING) {
            return false;
        }
        status = endStatus;
        stopDate = Instant.now();
        output = endStatus == Status.SUCCEEDED ? endOutput : null;
        error = endError;
        cause = endCause;
        stateEvents = List.copyOf(events);
        return true;
    }

    /**
     * The history: ExecutionStarted, the states' events (none while running: the local run's event log arrives
     * only with its result, since {@code StepFunctionsLocal} gives no partial log), and the event that ended it.
     * Ids count from 1; each event's previousEventId is the one before it (0 for the first).
     */
    synchronized List<ObjectNode> history() {
        List<ObjectNode> history = new ArrayList<>();
        ObjectNode started = HistoryEvents.event(startDate.toEpochMilli(), "ExecutionStarted");
        ObjectNode startedDetails = started.putObject("executionStartedEventDetails");
        startedDetails.put("input", input);
        startedDetails.putObject("inputDetails").put("truncated", false);
        startedDetails.put("roleArn", stateMachine.roleArn());
        history.add(started);
        stateEvents.forEach(event -> history.add(event.deepCopy()));
        if (status != Status.RUNNING) {
            long at = stopDate.toEpochMilli();
            switch (status) {
                case SUCCEEDED -> {
                    ObjectNode succeeded = HistoryEvents.event(at, "ExecutionSucceeded");
                    ObjectNode details = succeeded.putObject("executionSucceededEventDetails");
                    details.put("output", output);
                    details.putObject("outputDetails").put("truncated", false);
                    history.add(succeeded);
                }
                case FAILED -> terminal(history, at, "ExecutionFailed", "executionFailedEventDetails");
                case TIMED_OUT -> terminal(history, at, "ExecutionTimedOut", "executionTimedOutEventDetails");
                case ABORTED -> terminal(history, at, "ExecutionAborted", "executionAbortedEventDetails");
                default -> throw new IllegalStateException(status.name());
            }
        }
        for (int i = 0; i < history.size(); i++) {
            history.get(i).put("id", i + 1L);
            history.get(i).put("previousEventId", (long) i);
        }
        return history;
    }

    private void terminal(List<ObjectNode> history, long at, String type, String detailsField) {
        ObjectNode event = HistoryEvents.event(at, type);
        // The details object is there even when empty: {"executionAbortedEventDetails": {}} for a stop without
        // error and cause (measured against AWS in github.com/floci-io/floci/issues/2965).
        HistoryEvents.errorAndCause(event.putObject(detailsField), error, cause);
        history.add(event);
    }
}
