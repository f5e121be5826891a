package dev.lifeboat.workflow;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.schedule.BackupScheduler;
import dev.lifeboat.domain.schedule.Subtype;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupConfig;
import dev.lifeboat.domain.vm.VmState;
import dev.lifeboat.plugin.veeam.VeeamClient;
import dev.lifeboat.plugin.veeam.VeeamPlugin;
import dev.lifeboat.plugin.veeam.VeeamPluginHandler;
import dev.lifeboat.processes.RepositoryRoot;
import dev.lifeboat.sim.veeam.VeeamSimulator;
import dev.lifeboat.store.BulkLoad;
import dev.lifeboat.store.DynamoBackupStore;
import dev.lifeboat.store.DynamoClients;
import dev.lifeboat.store.DynamoConfigStore;
import dev.lifeboat.store.DynamoSyncStore;
import dev.lifeboat.store.DynamoVmStore;
import dev.lifeboat.store.LifeboatTable;
import dev.lifeboat.workflowruntime.Execution;
import dev.lifeboat.workflowruntime.LambdaInvokeServer;
import dev.lifeboat.workflowruntime.RunOptions;
import dev.lifeboat.workflowruntime.StepFunctionsLocal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A datacenter on the Veeam simulator with many VMs: VMs seeded in bulk into dynalite and into the simulator's
 * vCenter, the real workflow task handler and Veeam plugin behind a local Lambda endpoint, and the real results-sync
 * definition in aws-local-stepfunctions, whose 256 KB and 25,000-event limits are on. The workflow handler's DynamoDB
 * requests are counted.
 */
final class VeeamSyncFixture implements AutoCloseable {
    static final AtomicInteger TABLES = new AtomicInteger();
    static final String DC = "dc1";
    static final String VC = "vcenter.local";
    static final String PASSWORD = "Veeam-S3cret-pw!";

    final VeeamSimulator sim;
    final DynamoDbClient dynamo;
    final String table;
    final DynamoConfigStore config;
    final DynamoVmStore vms;
    final DynamoBackupStore backups;
    final DynamoSyncStore sync;
    final BackupPolicy gold;
    final InMemorySecretStore secrets = new InMemorySecretStore();
    final AtomicInteger dynamoRequests = new AtomicInteger();
    /** The workflow handler's DynamoDB requests by kind ("TransactWriteItemsRequest", ...). */
    final Map<String, AtomicInteger> dynamoRequestsByKind = new java.util.concurrent.ConcurrentHashMap<>();
    final LambdaInvokeServer lambdas;
    final StepFunctionsLocal stepFunctions;
    final List<EventPublisher.StateChangeEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
    final WorkflowServices services;

    VeeamSyncFixture(URI dynalite, Map<String, String> extraEnv) throws IOException {
        sim = VeeamSimulator.builder().credentials("lifeboat", PASSWORD).instant().start();
        sim.addHierarchyRoot(VC);
        dynamo = DynamoClients.forEndpoint(dynalite);
        table = "veeam-sync-" + TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        config = new DynamoConfigStore(dynamo, table);
        vms = new DynamoVmStore(dynamo, table);
        backups = new DynamoBackupStore(dynamo, table);
        sync = new DynamoSyncStore(dynamo, table);
        Clock clock = Clock.systemUTC();
        Ids ids = new Ids(clock);
        new BackupManagerService(config, secrets, m -> null, clock, ids, "#", "lifeboat/test").put(ADMIN, DC,
                () -> new ManagerDraft("Veeam", "VEEAM", sim.baseUri().toString(), "lifeboat", new Secret(PASSWORD)), ExpectedVersion.ANY);
        gold = new BackupPolicyService(config, config, clock, ids).create(ADMIN, DC, () -> Fixtures.policy("GOLD", Fixtures.daily("01:00:00 +0000")));
        config.saveAllowance(new Allowance("ent-1", DC, List.of(gold.id()), 1), 0);

        Map<String, String> env = new HashMap<>(Map.of("TABLE_NAME", table,
                "PLUGIN_FUNCTION_VEEAM", LambdaInvokeServer.functionArn("veeam-plugin")));
        env.putAll(extraEnv);
        DynamoDbClient counted = DynamoClients.forEndpoint(dynalite, new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        dynamoRequests.incrementAndGet();
                        dynamoRequestsByKind.computeIfAbsent(context.request().getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                    }
                });
        BackupScheduler noSchedules = new BackupScheduler() {
            @Override
            public void put(ScheduledBackup backup) {
                throw new IllegalStateException("results sync schedules nothing");
            }

            @Override
            public void delete(String vm, String policyId, Subtype subtype) {
                throw new IllegalStateException("results sync schedules nothing");
            }
        };
        services = new WorkflowServices(counted, events::addAll, noSchedules, env, clock);
        VeeamPlugin plugin = new VeeamPlugin(VeeamClient.Options.defaults().withRequestTimeout(Duration.ofSeconds(10)));
        lambdas = LambdaInvokeServer.start()
                .register("workflow-tasks", new WorkflowTasksHandler(services))
                .register("veeam-plugin", new VeeamPluginHandler(plugin, secrets, new PrintStream(new ByteArrayOutputStream(), true)));
        stepFunctions = StepFunctionsLocal.fromRepository(lambdas);
    }

    static String name(int i) {
        return String.format("vm-%06d", i);
    }

    static String moref(int i) {
        return "vm-" + (1000 + i);
    }

    /**
     * {@code count} VMs configured with GOLD, in Lifeboat (batch writes) and in the simulator's vCenter, each with
     * {@code oldPoints} restore points made two days ago.
     */
    List<VirtualMachine> seed(int count, int oldPoints) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        VmBackupConfig configured = new VmBackupConfig(List.of(new PolicySelection(gold.id(), Map.of())), List.of(), ConfigStatus.APPLIED,
                null, null, 1, now);
        List<VirtualMachine> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String uuid = UUID.nameUUIDFromBytes(name(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
            sim.addVm(VC, name(i), moref(i), uuid);
            for (int p = 0; p < oldPoints; p++) {
                sim.addRestorePoint(name(i), now.minus(Duration.ofDays(2)).plusSeconds(p));
            }
            out.add(new VirtualMachine("lb-" + name(i), "ent-1", DC, name(i), VmState.DEPLOYED, new Hypervisor(VC, moref(i), uuid), 1, now, now,
                    configured));
        }
        BulkLoad.vms(dynamo, table, out);
        return out;
    }

    Execution runSync() throws IOException {
        // Only the Veeam plugin: the other types' Tasks keep their ${placeholders}, which a Veeam datacenter never reaches.
        RunOptions options = RunOptions.fast()
                .withSubstitution("WorkflowTasksFunctionArn", LambdaInvokeServer.functionArn("workflow-tasks"))
                .withTimeout(Duration.ofSeconds(300));
        return stepFunctions.run(RepositoryRoot.find().resolve("statemachines/results-sync.asl.json"), JsonNodeFactory.instance.objectNode(), options);
    }

    static JsonNode report(Execution e) {
        return e.output().get(0);
    }

    @Override
    public void close() {
        lambdas.close();
        sim.close();
        dynamo.close();
    }
}
