package dev.lifeboat.api;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.LifecycleWorkflows;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.vm.ScheduleWorkflow;
import dev.lifeboat.store.AwsClients;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Step Functions and EventBridge ports of {@link Services}, whose adapters are built on first use. The JVM
 * resolves a class named in a method body only when that code first runs, so a function whose jar lacks an SDK (see
 * the README's jar table) loads none of its classes as long as it never starts a workflow, publishes an event or
 * primes them. The jar check ({@code FunctionJarLinkTest}) allows classes missing from a jar only here and in
 * {@link ManagerPorts}.
 */
final class WorkflowPorts {
    private final Supplier<ScheduleWorkflow> schedule;
    private final Supplier<LifecycleWorkflows> lifecycles;
    private final Supplier<EventPublisher> events;
    private final Map<String, String> env;

    WorkflowPorts(Map<String, String> env) {
        this.env = env;
        this.schedule = AwsClients.lazy(() -> StepFunctionsScheduleWorkflow.fromEnvironment(env));
        this.lifecycles = AwsClients.lazy(() -> StepFunctionsLifecycleWorkflows.fromEnvironment(env));
        this.events = AwsClients.lazy(() -> EventBridgeEvents.fromEnvironment(env));
    }

    /**
     * Builds the Step Functions adapters and client now, and the EventBridge ones too when {@code events}: a handler
     * whose routes start workflows calls this before the SnapStart snapshot, so a restored function does not build
     * them in its first request. No request is sent.
     */
    void prime(boolean events) {
        schedule.get();
        lifecycles.get();
        StepFunctionsStarter.client(env).get();
        if (events) {
            EventBridgeEvents.prime(env);
        }
    }

    ScheduleWorkflow scheduleWorkflow() {
        return request -> schedule.get().start(request);
    }

    LifecycleWorkflows lifecycleWorkflows() {
        return new LifecycleWorkflows() {
            @Override
            public void startBackup(Backup backup) {
                lifecycles.get().startBackup(backup);
            }

            @Override
            public void startRestores(RestoreRequest request) {
                lifecycles.get().startRestores(request);
            }
        };
    }

    EventPublisher events() {
        return (List<EventPublisher.StateChangeEvent> list) -> events.get().publish(list);
    }
}
