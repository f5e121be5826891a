package dev.lifeboat.api;

import dev.lifeboat.domain.allowance.AllowanceService;
import dev.lifeboat.domain.audit.AuditService;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.DatacenterDirectoryService;
import dev.lifeboat.domain.manager.ConnectionChecker;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.domain.backup.BackupService;
import dev.lifeboat.domain.backup.LifecycleWorkflows;
import dev.lifeboat.domain.backup.RestoreHistoryService;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.vm.ScheduleWorkflow;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupService;
import dev.lifeboat.store.AwsClients;
import dev.lifeboat.store.DynamoAuditStore;
import dev.lifeboat.store.DynamoBackupStore;
import dev.lifeboat.store.DynamoConfigStore;
import dev.lifeboat.store.DynamoIdempotencyStore;
import dev.lifeboat.store.DynamoVmStore;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The domain services of the API, wired once per environment. Configuration comes only from environment variables,
 * read here once:
 * <ul>
 *   <li>{@code TABLE_NAME}: the DynamoDB table (required)</li>
 *   <li>{@code SECRET_STORE}: {@code secretsmanager} (default) or {@code file:<dir>} for local runs</li>
 *   <li>{@code SECRET_PREFIX}: the secret name prefix (default {@code lifeboat})</li>
 *   <li>{@code CREDENTIAL_SEPARATOR}: joins the two parts of NETWORKER and VEEAM_SNAPSHOT credentials (default {@code #})</li>
 *   <li>{@code PLUGIN_FUNCTION_<TYPE>}: the plugin function of each manager type, for the connection check</li>
 *   <li>{@code BACKUP_STATE_MACHINE_ARN}, {@code RESTORE_STATE_MACHINE_ARN}: the backup-lifecycle and multi-restore
 *       workflows that backup now and restores start</li>
 *   <li>{@code APPLY_SCHEDULE_STATE_MACHINE_ARN}: the apply-schedule workflow, started when a deployed VM's
 *       configuration changes and when a configured VM is deployed or undeployed</li>
 *   <li>{@code AUDIT_RETENTION_DAYS}: how long audit entries are kept (default 400)</li>
 * </ul>
 */
public final class Services {
    private static final Map<Map<String, String>, Services> SHARED = new ConcurrentHashMap<>();

    public final BackupManagerService managers;
    public final BackupPropertiesService properties;
    public final BackupPolicyService policies;
    public final AllowanceService allowances;
    public final VirtualMachineService vms;
    public final VmBackupService vmBackups;
    public final BackupService backups;
    public final AuditService audit;
    public final DatacenterDirectoryService datacenters;
    public final RestoreHistoryService restoreHistory;
    final Idempotency idempotency;
    private ManagerPorts managerAdapters;
    private WorkflowPorts workflowAdapters;
    final RequestAudit requestAudit;

    public Services(DynamoDbClient dynamo, SecretStore secrets, ConnectionChecker checker, ScheduleWorkflow workflow,
                    LifecycleWorkflows lifecycles, Map<String, String> env, Clock clock) {
        this(dynamo, secrets, checker, workflow, lifecycles, new WorkflowPorts(env).events(), env, clock);
    }

    /**
     * @param events where a backup or restore that no workflow could start is published as FAILED; the API publishes
     *               nothing else (the workflows publish every other change)
     */
    public Services(DynamoDbClient dynamo, SecretStore secrets, ConnectionChecker checker, ScheduleWorkflow workflow,
                    LifecycleWorkflows lifecycles, EventPublisher events, Map<String, String> env, Clock clock) {
        String table = require(env, "TABLE_NAME");
        DynamoConfigStore store = new DynamoConfigStore(dynamo, table);
        Ids ids = new Ids(clock);
        this.managers = new BackupManagerService(store, secrets, checker, clock, ids,
                env.getOrDefault("CREDENTIAL_SEPARATOR", "#"), env.getOrDefault("SECRET_PREFIX", "lifeboat"));
        this.properties = new BackupPropertiesService(store, clock);
        this.policies = new BackupPolicyService(store, store, clock, ids);
        this.allowances = new AllowanceService(store, store);
        DynamoVmStore vmStore = new DynamoVmStore(dynamo, table);
        this.vms = new VirtualMachineService(vmStore, workflow, clock);
        this.vmBackups = new VmBackupService(vmStore, store, store, store, workflow, clock);
        DynamoBackupStore backupStore = new DynamoBackupStore(dynamo, table);
        this.backups = new BackupService(vmStore, backupStore, store, store, lifecycles, events, clock, ids);
        this.datacenters = new DatacenterDirectoryService(store);
        this.restoreHistory = new RestoreHistoryService(vmStore, backupStore);
        this.idempotency = new Idempotency(new DynamoIdempotencyStore(dynamo, table), clock);
        DynamoAuditStore auditLog = new DynamoAuditStore(dynamo, table, java.time.Duration.ofDays(Long.parseLong(env.getOrDefault("AUDIT_RETENTION_DAYS", "400"))));
        this.audit = new AuditService(auditLog);
        this.requestAudit = new RequestAudit(auditLog, vmStore, clock);
    }

    /**
     * One set per distinct environment, shared by the handlers of a JVM: in Lambda that is one function's handler;
     * in the local runtime, every function with the same environment reuses the same clients.
     */
    public static Services forEnvironment(Map<String, String> env) {
        return SHARED.computeIfAbsent(Map.copyOf(env), e -> {
            ManagerPorts manager = new ManagerPorts(e);
            WorkflowPorts workflows = new WorkflowPorts(e);
            Services services = new Services(
                    AwsClients.build(DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()), env, "DYNAMODB"),
                    manager.secretStore(), manager.connectionChecker(), workflows.scheduleWorkflow(),
                    workflows.lifecycleWorkflows(), workflows.events(), e, Clock.systemUTC());
            services.managerAdapters = manager;
            services.workflowAdapters = workflows;
            return services;
        });
    }

    /**
     * Builds the Secrets Manager and Lambda adapters now rather than on first use: the manager function calls this
     * before its SnapStart snapshot, so they are part of it. No other function does (their jars lack both SDKs).
     */
    public Services withManagerAdapters() {
        if (managerAdapters != null) {
            managerAdapters.build();
        }
        return this;
    }

    /**
     * Builds the Step Functions client and adapters (and the EventBridge ones when {@code events}) without a request:
     * the SnapStart priming of the functions whose routes start workflows, whose jars carry those SDKs.
     */
    public void primeWorkflows(boolean events) {
        if (workflowAdapters != null) {
            workflowAdapters.prime(events);
        }
    }

    static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }
}
