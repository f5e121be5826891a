package dev.lifeboat.workflow;

import dev.lifeboat.domain.backup.BackupLifecycle;
import dev.lifeboat.domain.backup.ResultsSync;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.schedule.BackupScheduler;
import dev.lifeboat.domain.vm.ScheduleWorkflow;
import dev.lifeboat.domain.vm.VmBackupService;
import dev.lifeboat.events.EventBridgePublisher;
import dev.lifeboat.events.SchedulerBackupScheduler;
import dev.lifeboat.store.DynamoAuditStore;
import dev.lifeboat.store.DynamoBackupStore;
import dev.lifeboat.store.DynamoConfigStore;
import dev.lifeboat.store.DynamoSyncStore;
import dev.lifeboat.store.DynamoVmStore;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import dev.lifeboat.store.AwsClients;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;

/**
 * What the workflow tasks need, wired once per environment from environment variables read here:
 * {@code TABLE_NAME}; {@code EVENT_BUS_NAME}; {@code SCHEDULE_GROUP}, {@code BACKUP_STATE_MACHINE_ARN},
 * {@code SCHEDULER_ROLE_ARN} (schedules of VMWARE_SNAPSHOT policies); {@code AUDIT_RETENTION_DAYS} (default 400); {@code OPERATION_TIMEOUT_SECONDS_<TYPE>}, how long a
 * backup or restore of a manager type may run (defaults: 4 h for Veeam and NetWorker, 1 h for snapshots);
 * {@code PLUGIN_FUNCTION_<TYPE>} (see {@link PluginFunctions}); {@code START_RETRY_WINDOW_<TYPE>} (see {@link StartRetries}).
 */
public final class WorkflowServices {
    private static final Map<Map<String, String>, WorkflowServices> SHARED = new ConcurrentHashMap<>();

    final DynamoConfigStore config;
    final DynamoVmStore vms;
    final DynamoBackupStore backups;
    final DynamoSyncStore syncStore;
    final BackupLifecycle lifecycle;
    final VmBackupService configurations;
    final ResultsSync sync;
    final BackupScheduler scheduler;
    final Clock clock;
    final Map<ManagerType, Duration> timeouts;
    final RunRecorder runs;
    final PluginFunctions plugins;
    final StartRetries startRetries;

    public WorkflowServices(DynamoDbClient dynamo, EventPublisher events, BackupScheduler scheduler, Map<String, String> env, Clock clock) {
        String table = env.get("TABLE_NAME");
        if (table == null || table.isBlank()) {
            throw new IllegalStateException("environment variable TABLE_NAME is not set");
        }
        Ids ids = new Ids(clock);
        this.config = new DynamoConfigStore(dynamo, table);
        this.vms = new DynamoVmStore(dynamo, table);
        this.backups = new DynamoBackupStore(dynamo, table);
        this.syncStore = new DynamoSyncStore(dynamo, table);
        this.timeouts = timeouts(env);
        this.plugins = PluginFunctions.fromEnvironment(env);
        this.startRetries = StartRetries.fromEnvironment(env, clock);
        this.runs = new RunRecorder(events, backups, config, vms, new DynamoAuditStore(dynamo, table,
                Duration.ofDays(Long.parseLong(env.getOrDefault("AUDIT_RETENTION_DAYS", "400")))), clock);
        this.lifecycle = new BackupLifecycle(vms, backups, config, config, runs, clock, ids, timeouts);
        ScheduleWorkflow noFurtherRuns = request -> {
            throw new IllegalStateException("the workflow tasks never start an apply-schedule run");
        };
        this.configurations = new VmBackupService(vms, config, config, config, noFurtherRuns, clock);
        this.sync = new ResultsSync(backups, events, clock);
        this.scheduler = scheduler;
        this.clock = clock;
    }

    static Map<ManagerType, Duration> timeouts(Map<String, String> env) {
        Map<ManagerType, Duration> out = new EnumMap<>(ManagerType.class);
        for (ManagerType type : ManagerType.values()) {
            boolean snapshot = type == ManagerType.VMWARE_SNAPSHOT || type == ManagerType.VEEAM_SNAPSHOT;
            String value = env.get("OPERATION_TIMEOUT_SECONDS_" + type.name());
            out.put(type, value == null ? (snapshot ? Duration.ofHours(1) : Duration.ofHours(4)) : Duration.ofSeconds(Long.parseLong(value)));
        }
        return out;
    }

    public static WorkflowServices forEnvironment(Map<String, String> env) {
        return SHARED.computeIfAbsent(Map.copyOf(env), e -> new WorkflowServices(
                client(DynamoDbClient.builder(), e, "DYNAMODB"),
                EventBridgePublisher.fromEnvironment(e, AwsClients.lazy(() -> client(EventBridgeClient.builder(), e, "EVENTBRIDGE"))),
                SchedulerBackupScheduler.fromEnvironment(e, AwsClients.lazy(() -> client(SchedulerClient.builder(), e, "SCHEDULER"))),
                e, Clock.systemUTC()));
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder, Map<String, String> env, String service) {
        return AwsClients.build(builder.httpClient(UrlConnectionHttpClient.create()), env, service);
    }
}
