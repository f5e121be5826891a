package dev.lifeboat.workflow;

import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
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
import dev.lifeboat.domain.vm.ScheduleWorkflow.ApplyRequest;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupService;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.store.DynamoBackupStore;
import dev.lifeboat.store.DynamoClients;
import dev.lifeboat.store.DynamoConfigStore;
import dev.lifeboat.store.DynamoVmStore;
import dev.lifeboat.store.LifeboatTable;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * VMWARE_SNAPSHOT policies are scheduled by Lifeboat: the apply-schedule run's last task keeps one EventBridge Scheduler
 * schedule per VM, policy and subtype in step with the configuration, and a schedule firing starts a SCHEDULED backup.
 * The task handler is called as the state machine calls it, over dynalite.
 */
@ExtendWith(Dynalite.class)
class LifeboatSchedulesTest {
    static int tables;
    DynamoDbClient dynamo;
    WorkflowTasksHandler tasks;
    DynamoVmStore vms;
    DynamoBackupStore backups;
    VirtualMachineService registry;
    VmBackupService configurations;
    RecordingWorkflow applies = new RecordingWorkflow();
    List<String> schedules = new ArrayList<>();
    BackupPolicy daily;
    BackupPolicy flexible;

    @BeforeEach
    void start(URI endpoint) {
        dynamo = DynamoClients.forEndpoint(endpoint);
        String table = "schedules-" + (++tables);
        LifeboatTable.create(dynamo, table);
        DynamoConfigStore config = new DynamoConfigStore(dynamo, table);
        vms = new DynamoVmStore(dynamo, table);
        backups = new DynamoBackupStore(dynamo, table);
        Clock clock = Clock.systemUTC();
        Ids ids = new Ids(clock);
        new BackupManagerService(config, new InMemorySecretStore(), m -> null, clock, ids, "#", "lifeboat/test")
                .put(ADMIN, "dc1", () -> new ManagerDraft("vc", "VMWARE_SNAPSHOT", "https://vc.example.com/sdk", "u", new Secret("p")), ExpectedVersion.ANY);
        new BackupPropertiesService(config, clock).put(ADMIN, "dc1", () -> new PropertiesDraft(false, true, true, true), ExpectedVersion.ANY);
        BackupPolicyService policies = new BackupPolicyService(config, config, clock, ids);
        daily = policies.create(ADMIN, "dc1", () -> Fixtures.policy("DAILY", Fixtures.daily("01:30:00 +0200")));
        flexible = policies.create(ADMIN, "dc1", () -> Fixtures.policy("FLEX",
                Fixtures.config("WEEKLY_PLANNED", Map.of("days", List.of("monday"), "time", "DEFINE_IN_VM")),
                Fixtures.config("HOURLY", Map.of("hours", "NOT_APPLY"))));
        config.saveAllowance(new Allowance("ent-1", "dc1", List.of(daily.id(), flexible.id()), 1), 0);
        registry = new VirtualMachineService(vms, applies, clock);
        configurations = new VmBackupService(vms, config, config, config, applies, clock);
        BackupScheduler scheduler = new BackupScheduler() {
            @Override
            public void put(ScheduledBackup b) {
                schedules.add("put " + b.policyId() + " " + b.subtype() + " " + b.expression().expression() + " " + b.expression().timezone());
            }

            @Override
            public void delete(String vm, String policyId, Subtype subtype) {
                schedules.add("delete " + policyId + " " + subtype);
            }
        };
        tasks = new WorkflowTasksHandler(new WorkflowServices(dynamo, events -> { }, scheduler, Map.of("TABLE_NAME", table,
                "PLUGIN_FUNCTION_VMWARE_SNAPSHOT", "vmware-plugin"), clock));
        registry.register(TENANT, "vm-1", () -> Fixtures.vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
    }

    @AfterEach
    void stop() {
        dynamo.close();
    }

    JsonNode task(ObjectNode in) {
        return tasks.handle(in);
    }

    void applyFinish(ApplyRequest r) {
        JsonNode out = task(JsonNodeFactory.instance.objectNode().put("task", "apply.finish").put("vm", r.vm()).put("configVersion", r.configVersion()));
        assertTrue(out.path("recorded").asBoolean(), out.toString());
    }

    @Test
    void schedulesFollowTheConfigurationOfASnapshotVm() {
        configurations.put(Fixtures.DEFINER, "vm-1", () -> new BackupConfigDraft(List.of(
                new BackupConfigDraft.Selection(daily.id(), null),
                new BackupConfigDraft.Selection(flexible.id(), Map.of("WEEKLY_PLANNED", Map.of("time", "22:00:00 Europe/Madrid"))))), ExpectedVersion.ANY);
        applyFinish(applies.started.get(0));
        assertEquals(List.of(
                "put " + daily.id() + " DAILY cron(30 1 * * ? *) Etc/GMT-2",
                "put " + flexible.id() + " WEEKLY_PLANNED cron(0 22 ? * MON *) Europe/Madrid",
                "delete " + flexible.id() + " HOURLY"), schedules, "NOT_APPLY leaves no schedule");

        schedules.clear();
        configurations.put(TENANT, "vm-1", () -> new BackupConfigDraft(List.of(new BackupConfigDraft.Selection(daily.id(), null))), ExpectedVersion.ANY);
        applyFinish(applies.started.get(1));
        assertTrue(schedules.containsAll(List.of("delete " + flexible.id() + " WEEKLY_PLANNED", "delete " + flexible.id() + " HOURLY",
                "put " + daily.id() + " DAILY cron(30 1 * * ? *) Etc/GMT-2")), schedules.toString());
        assertFalse(schedules.stream().anyMatch(s -> s.startsWith("put " + flexible.id())));
    }

    @Test
    void aScheduleFiringStartsAScheduledBackupOrRecordsWhyItCouldNot() {
        configurations.put(TENANT, "vm-1", () -> new BackupConfigDraft(List.of(new BackupConfigDraft.Selection(daily.id(), null))), ExpectedVersion.ANY);
        applyFinish(applies.started.get(0));
        ObjectNode fired = JsonNodeFactory.instance.objectNode();
        fired.putObject("input").put("vm", "vm-1").put("datacenter", "dc1").put("policyId", daily.id()).put("trigger", "SCHEDULED")
                .put("scheduledAt", "2026-11-27T23:30:00Z");
        fired.put("task", "backup.begin");
        JsonNode run = task(fired);
        assertTrue(run.path("runs").asBoolean(), run.toString());
        assertEquals("START_BACKUP", run.path("startCommand").path("operation").asText());
        assertEquals("DAILY", run.path("startCommand").path("policy").path("code").asText());
        Backup scheduled = backups.findBackup("vm-1", run.path("backupId").asText()).orElseThrow();
        assertEquals(Trigger.SCHEDULED, scheduled.trigger());
        assertEquals(BackupStatus.IN_PROGRESS, scheduled.status());

        JsonNode again = task(fired);
        assertEquals(run.path("backupId").asText(), again.path("backupId").asText(), "the same firing, delivered twice, is one backup");
        assertTrue(again.path("runs").asBoolean());

        ((ObjectNode) fired.path("input")).put("scheduledAt", "2026-11-28T23:30:00Z");
        JsonNode busy = task(fired);
        assertFalse(busy.path("runs").asBoolean(), "the VM is still busy with the first run");
        Backup skipped = backups.findBackup("vm-1", busy.path("backupId").asText()).orElseThrow();
        assertEquals(BackupStatus.FAILED, skipped.status());
        assertEquals("SKIPPED", skipped.error().code());
        assertTrue(skipped.error().message().contains("busy"), skipped.error().message());
    }
}
