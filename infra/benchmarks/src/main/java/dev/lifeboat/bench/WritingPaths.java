package dev.lifeboat.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.handlers.BackupManagerHandler;
import dev.lifeboat.api.handlers.BackupPoliciesHandler;
import dev.lifeboat.api.handlers.BackupPropertiesHandler;
import dev.lifeboat.api.handlers.BackupsHandler;
import dev.lifeboat.api.handlers.VirtualMachinesHandler;
import dev.lifeboat.api.handlers.VmBackupHandler;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.SyntheticEvents;
import dev.lifeboat.store.LifeboatTable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The tenant's hot paths that write, beside their own DynamoDB requests replayed on a shadow table: backup now (with an
 * {@code Idempotency-Key}, on a deployed VM whose configuration is applied; each sample a VM of its own, since a VM
 * runs one backup at a time) and the PUT of a VM's backup configuration (a not-allocated VM, configured at once; the
 * samples alternate between two policies, so each one writes).
 */
final class WritingPaths {
    static final int WARMUP = 300;
    static final int SAMPLES = 700;
    static final String ADMIN = "[PHYS_DC_RETRIEVE_DETAILS PHYS_DC_ALLOW_BACKUP_CONFIG]";
    static final String TENANT = "[VAPP_MANAGE_BACKUP VAPP_RESTORE_BACKUP]";

    private WritingPaths() {}

    static void run(Services services, DynamoDbClient dynamo, String table, ReplayedCalls replayed) {
        BackupPoliciesHandler policies = new BackupPoliciesHandler(services, false);
        VirtualMachinesHandler vms = new VirtualMachinesHandler(services, false);
        VmBackupHandler configs = new VmBackupHandler(services, false);
        BackupsHandler backups = new BackupsHandler(services, false);
        expect(200, 201, new BackupManagerHandler(services, false).handle(event("PUT /datacenters/{dc}/backup-manager", "/datacenters/dc1/backup-manager",
                Map.of("dc", "dc1"), ADMIN, "{\"name\":\"Veeam\",\"type\":\"VEEAM\",\"endpoint\":\"https://veeam.example/api/\",\"user\":\"u\",\"password\":\"p\"}", null)));
        expect(200, 200, new BackupPropertiesHandler(services, false).handle(event("PUT /datacenters/{dc}/backup-properties", "/datacenters/dc1/backup-properties",
                Map.of("dc", "dc1"), ADMIN, "{\"multipleRestore\":true,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":true,\"backupNow\":true}", null)));
        String[] policy = new String[2];
        for (int i = 0; i < 2; i++) {
            policy[i] = expect(201, 201, policies.handle(event("POST /datacenters/{dc}/backup-policies", "/datacenters/dc1/backup-policies", Map.of("dc", "dc1"),
                    ADMIN, "{\"name\":\"Tenant " + i + "\",\"code\":\"T" + i + "\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:00:00 +0000\"}]}", null)))
                    .body().path("id").asText();
        }
        putVm(vms, "config-vm", "NOT_ALLOCATED");
        for (int i = 0; i < WARMUP + SAMPLES; i++) {
            String vm = "bn-" + i;
            putVm(vms, vm, "DEPLOYED");
            HttpResponse selected = expect(200, 202, configs.handle(event("PUT /virtual-machines/{vm}/backup", "/virtual-machines/" + vm + "/backup",
                    Map.of("vm", vm), TENANT, selection(policy[0]), null)));
            services.vmBackups.recordApplied(vm, selected.body().path("version").asLong());
        }
        String shadow = table + "-shadow";
        LifeboatTable.create(dynamo, shadow);
        ReplayedCalls.copy(dynamo, table, shadow);

        AtomicInteger backupNow = new AtomicInteger();
        long[][] backups1 = HandlerOverheadBenchmark.measure(() -> replayed.record(() -> {
            int i = backupNow.getAndIncrement();
            String vm = "bn-" + i;
            expect(202, 202, backups.handle(event("POST /virtual-machines/{vm}/backups", "/virtual-machines/" + vm + "/backups", Map.of("vm", vm),
                    TENANT, "{}", "bench-" + i)));
        }), () -> replayed.replay(dynamo, shadow), WARMUP, SAMPLES);
        String backupCalls = replayed.summary();
        AtomicInteger put = new AtomicInteger();
        long[][] configs1 = HandlerOverheadBenchmark.measure(() -> replayed.record(() -> expect(200, 200, configs.handle(event(
                "PUT /virtual-machines/{vm}/backup", "/virtual-machines/config-vm/backup", Map.of("vm", "config-vm"), TENANT,
                selection(policy[put.getAndIncrement() % 2]), null)))), () -> replayed.replay(dynamo, shadow), WARMUP, SAMPLES);
        String configCalls = replayed.summary();
        HandlerOverheadBenchmark.report("backup-now", backups1);
        HandlerOverheadBenchmark.report("put-vm-backup", configs1);
        System.out.println();
        System.out.println("backup-now sends " + backupCalls + "; put-vm-backup sends " + configCalls
                + " (raw: the same requests replayed on a shadow table)");
    }

    private static void putVm(VirtualMachinesHandler vms, String vm, String state) {
        expect(200, 201, vms.handle(event("PUT /virtual-machines/{vm}", "/virtual-machines/" + vm, Map.of("vm", vm), TENANT,
                "{\"enterprise\":\"ent-bench\",\"datacenter\":\"dc1\",\"name\":\"" + vm + "\",\"state\":\"" + state
                        + "\",\"hypervisor\":{\"vcenter\":\"vcenter.local\",\"moref\":\"vm-101\"}}", null)));
    }

    private static String selection(String policyId) {
        return "{\"policies\":[{\"policyId\":\"" + policyId + "\"}]}";
    }

    private static HttpResponse expect(int low, int high, HttpResponse r) {
        if (r.status() < low || r.status() > high) {
            throw new IllegalStateException("unexpected " + r.status() + " " + r.body());
        }
        return r;
    }

    private static ObjectNode event(String routeKey, String rawPath, Map<String, String> params, String priv, String body, String idempotencyKey) {
        ObjectNode event = SyntheticEvents.of(routeKey, rawPath, params, Map.of("sub", "bench", "ent", "ent-bench", "priv", priv), body);
        if (idempotencyKey != null) {
            ((ObjectNode) event.path("headers")).put("idempotency-key", idempotencyKey);
        }
        return event;
    }
}
