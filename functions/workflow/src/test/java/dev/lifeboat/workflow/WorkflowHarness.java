package dev.lifeboat.workflow;

import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupService;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.fakes.RecordingLifecycleWorkflows;
import dev.lifeboat.domain.fakes.RecordingWorkflow;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import dev.lifeboat.domain.schedule.BackupScheduler;
import dev.lifeboat.domain.schedule.Subtype;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.vm.BackupConfigDraft;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.ScheduleWorkflow.ApplyRequest;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupService;
import dev.lifeboat.domain.vm.VmDraft;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.networker.NetworkerPlugin;
import dev.lifeboat.plugin.networker.NetworkerPluginHandler;
import dev.lifeboat.processes.RepositoryRoot;
import dev.lifeboat.sim.networker.NetworkerSimulator;
import dev.lifeboat.sim.networker.Vm;
import dev.lifeboat.store.DynamoBackupStore;
import dev.lifeboat.store.DynamoClients;
import dev.lifeboat.store.DynamoConfigStore;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One datacenter on a NetWorker simulator, with the real API-side services to set it up, the real workflow task
 * handler and NetWorker plugin behind a local Lambda Invoke endpoint, and the real state machines of statemachines/
 * run in aws-local-stepfunctions. Workflow starts are recorded, then run here explicitly, so a test sees each run.
 */
final class WorkflowHarness implements AutoCloseable {
    static final AtomicInteger TABLES = new AtomicInteger();
    static final String DC = "dc1";
    static final String VC = "vcenter.local";
    static final String NW_PASSWORD = "Nw-S3cret-pw!";
    static final String VC_PASSWORD = "Vc-S3cret-pw!";

    final NetworkerSimulator sim;
    final DynamoDbClient dynamo;
    final String table;
    final DynamoConfigStore config;
    final DynamoVmStore vms;
    final DynamoBackupStore backupStore;
    final InMemorySecretStore secrets = new InMemorySecretStore();
    final RecordingWorkflow applies = new RecordingWorkflow();
    final RecordingLifecycleWorkflows lifecycles = new RecordingLifecycleWorkflows();
    final List<EventPublisher.StateChangeEvent> events = new CopyOnWriteArrayList<>();
    final List<String> schedules = new CopyOnWriteArrayList<>();
    final VirtualMachineService registry;
    final VmBackupService configurations;
    final BackupService backups;
    final BackupPropertiesService properties;
    final BackupPolicy gold;
    final LambdaInvokeServer lambdas;
    final StepFunctionsLocal stepFunctions;
    final List<Execution> executions = new ArrayList<>();
    final ByteArrayOutputStream pluginLog = new ByteArrayOutputStream();
    final Ids ids = new Ids(Clock.systemUTC());

    WorkflowHarness(URI dynalite, Duration jobDuration, Map<String, String> extraEnv) throws IOException {
        sim = NetworkerSimulator.builder().jobDuration(jobDuration).credentials("nwadmin", NW_PASSWORD).start();
        sim.addPolicy("Lifeboat", "");
        sim.addWorkflow("Lifeboat", "GOLD", "GOLD");
        sim.addVCenter(VC);
        dynamo = DynamoClients.forEndpoint(dynalite);
        table = "workflows-" + TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        config = new DynamoConfigStore(dynamo, table);
        vms = new DynamoVmStore(dynamo, table);
        backupStore = new DynamoBackupStore(dynamo, table);
        Clock clock = Clock.systemUTC();
        new BackupManagerService(config, secrets, m -> null, clock, ids, "#", "lifeboat/test").put(ADMIN, DC,
                () -> new ManagerDraft("NetWorker", "NETWORKER", sim.baseUri().toString(), "nwadmin#administrator@vsphere.local",
                        new Secret(NW_PASSWORD + "#" + VC_PASSWORD)), ExpectedVersion.ANY);
        properties = new BackupPropertiesService(config, clock);
        switches(false);
        gold = new BackupPolicyService(config, config, clock, ids).create(ADMIN, DC, () -> dev.lifeboat.domain.fakes.Fixtures.policy("GOLD",
                dev.lifeboat.domain.fakes.Fixtures.daily("01:00:00 +0000")));
        config.saveAllowance(new Allowance("ent-1", DC, List.of(gold.id()), 1), 0);
        registry = new VirtualMachineService(vms, applies, clock);
        configurations = new VmBackupService(vms, config, config, config, applies, clock);
        backups = new BackupService(vms, backupStore, config, config, lifecycles, list -> events.addAll(list), clock, ids);

        Map<String, String> env = new HashMap<>(Map.of("TABLE_NAME", table,
                "PLUGIN_FUNCTION_NETWORKER", LambdaInvokeServer.functionArn("networker-plugin") + ":live",
                "PLUGIN_FUNCTION_VEEAM", LambdaInvokeServer.functionArn("veeam-plugin") + ":live"));
        env.putAll(extraEnv);
        EventPublisher publisher = list -> events.addAll(list);
        BackupScheduler scheduler = new BackupScheduler() {
            @Override
            public void put(ScheduledBackup backup) {
                schedules.add("put " + backup.vm() + " " + backup.subtype() + " " + backup.expression().expression());
            }

            @Override
            public void delete(String vm, String policyId, Subtype subtype) {
                schedules.add("delete " + vm + " " + subtype);
            }
        };
        WorkflowServices services = new WorkflowServices(dynamo, publisher, scheduler, env, clock);
        // A VM recreated by NetWorker goes to the simulator's own vCenter inventory; how the plugin finds a placement in
        // vCenter is the NetWorker plugin's vcsim test, not this one.
        NetworkerPlugin plugin = new NetworkerPlugin(NetworkerPlugin.Settings.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(3)),
                (session, vCenter, uuid, backup) -> new dev.lifeboat.plugin.networker.Placement("datacenter-21", "domain-c26", null, "host-28",
                        "resgroup-27", "group-v22", "datastore-31"));
        lambdas = LambdaInvokeServer.start()
                .register("workflow-tasks", new WorkflowTasksHandler(services))
                .register("networker-plugin", new NetworkerPluginHandler(plugin, secrets, new PrintStream(pluginLog, true)));
        stepFunctions = StepFunctionsLocal.fromRepository(lambdas);
    }

    void switches(boolean multipleRestore) {
        properties.put(ADMIN, DC, () -> new PropertiesDraft(multipleRestore, false, true, true), ExpectedVersion.ANY);
    }

    /** A VM on the simulator's vCenter, registered, configured with GOLD and deployed through the apply-schedule workflow. */
    VirtualMachine deployedVm(String name) throws IOException {
        Vm vm = sim.addVm(VC, name);
        String id = "lb-" + name;
        VmDraft draft = new VmDraft("ent-1", DC, name, "NOT_ALLOCATED", new Hypervisor(VC, vm.moref(), vm.uuid()));
        registry.register(TENANT, id, () -> draft, ExpectedVersion.ANY);
        configurations.put(TENANT, id, () -> new BackupConfigDraft(List.of(new BackupConfigDraft.Selection(gold.id(), null))), ExpectedVersion.ANY);
        registry.register(TENANT, id, () -> new VmDraft("ent-1", DC, name, "DEPLOYED", draft.hypervisor()), ExpectedVersion.ANY);
        Execution applied = runApply(lastApply());
        assertEquals(Execution.Status.SUCCEEDED, applied.status(), applied::describe);
        return vms.findVm(id).orElseThrow();
    }

    ApplyRequest lastApply() {
        return applies.started.get(applies.started.size() - 1);
    }

    Execution runApply(ApplyRequest request) throws IOException {
        ObjectNode input = JsonNodeFactory.instance.objectNode().put("vm", request.vm()).put("datacenter", request.datacenter())
                .put("configVersion", request.configVersion()).put("action", request.action().name());
        return run("apply-schedule", input);
    }

    Execution runBackup(Backup b) throws IOException {
        return run("backup-lifecycle", JsonNodeFactory.instance.objectNode().put("backupId", b.id()).put("vm", b.vm()));
    }

    Execution runRestores(RestoreRequest r) throws IOException {
        return run("multi-restore", JsonNodeFactory.instance.objectNode().put("requestId", r.id()));
    }

    Execution runSync() throws IOException {
        return run("results-sync", JsonNodeFactory.instance.objectNode());
    }

    Execution run(String machine, JsonNode input) throws IOException {
        Path definition = RepositoryRoot.find().resolve("statemachines/" + machine + ".asl.json");
        RunOptions base = RunOptions.fast();
        if (machine.equals("backup-lifecycle") || machine.equals("multi-restore")) {
            // Jobs of the simulator take a few hundred milliseconds: poll every 100 ms instead of 15 s.
            // A start retried after a transient error waits 50 ms instead of its growing waits.
            base = base.withWait("WaitForJob", 100).withWait("WaitToStart", 50);
        }
        RunOptions options = base
                .withSubstitution("WorkflowTasksFunctionArn", LambdaInvokeServer.functionArn("workflow-tasks"))
                .withTimeout(Duration.ofSeconds(90));
        Execution e = stepFunctions.run(definition, input, options);
        executions.add(e);
        return e;
    }

    @Override
    public void close() {
        lambdas.close();
        sim.close();
        dynamo.close();
    }
}
