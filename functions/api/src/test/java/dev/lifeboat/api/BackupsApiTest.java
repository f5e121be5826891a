package dev.lifeboat.api;

import static dev.lifeboat.api.ApiHandlersTest.assertProblem;
import static dev.lifeboat.api.ApiHarness.ADMIN_PRIVS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.store.DynamoBackupStore;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backups, restores and Idempotency-Key through the handlers' Lambda interface over dynalite. */
@ExtendWith(Dynalite.class)
class BackupsApiTest {
    static final String DC = "dc-madrid-1";
    static final String TENANT = "[VAPP_MANAGE_BACKUP VAPP_RESTORE_BACKUP]";
    static final Map<String, String> WEB = Map.of("vm", "vm-web-01");
    static final String BACKUPS = "/virtual-machines/{vm}/backups";
    static final String BACKUP = "/virtual-machines/{vm}/backups/{backupId}";
    static final String RESTORES = "/virtual-machines/{vm}/backups/{backupId}/restores";

    ApiHarness api;
    DynamoBackupStore store;
    String gold;

    @BeforeEach
    void start(URI endpoint) {
        api = new ApiHarness(endpoint, m -> null);
        store = new DynamoBackupStore(api.dynamo, api.table);
        assertEquals(201, api.send(ApiHarness.fixture("put-backup-manager.json")).status());
        gold = api.send("POST", "/datacenters/{dc}/backup-policies", Map.of("dc", DC),
                "{\"name\":\"Gold\",\"code\":\"GOLD\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:30:00 +0400\"}]}",
                ADMIN_PRIVS).body().path("id").asText();
        api.send("PUT", "/enterprises/{ent}/datacenters/{dc}/allowed-backup-policies", Map.of("ent", "ent-1", "dc", DC),
                "{\"policyIds\":[\"" + gold + "\"]}", ADMIN_PRIVS);
        api.send("PUT", "/datacenters/{dc}/backup-properties", Map.of("dc", DC),
                "{\"multipleRestore\":false,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":false,\"backupNow\":true}", ADMIN_PRIVS);
        for (String vm : new String[] {"vm-web-01", "vm-db-01"}) {
            Map<String, String> p = Map.of("vm", vm);
            call("PUT", "/virtual-machines/{vm}", p, "{\"enterprise\":\"ent-1\",\"datacenter\":\"" + DC + "\",\"name\":\"" + vm + "\",\"state\":\"NOT_ALLOCATED\"}", TENANT, "ent-1");
            assertEquals(200, call("PUT", "/virtual-machines/{vm}/backup", p, "{\"policies\":[{\"policyId\":\"" + gold + "\"}]}", TENANT, "ent-1").status());
            call("PUT", "/virtual-machines/{vm}", p, "{\"enterprise\":\"ent-1\",\"datacenter\":\"" + DC + "\",\"name\":\"" + vm + "\",\"state\":\"DEPLOYED\"}", TENANT, "ent-1");
            api.services.vmBackups.recordApplied(vm, 2);
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    HttpResponse call(String method, String path, Map<String, String> params, String body, String priv, String ent) {
        return api.send(ApiHarness.event(method, path, params, body, priv, ent, Map.of()));
    }

    HttpResponse withKey(String method, String path, Map<String, String> params, String body, String key) {
        ObjectNode e = ApiHarness.event(method, path, params, body, TENANT, "ent-1", Map.of());
        ((ObjectNode) e.path("headers")).put("idempotency-key", key);
        return api.send(e);
    }

    Backup succeeded(String vm) {
        Backup b = new Backup(new dev.lifeboat.domain.common.Ids(Fixtures.CLOCK).get(), vm, DC, "ent-1", gold, Trigger.SCHEDULED, BackupStatus.SUCCESS,
                Fixtures.NOW, Fixtures.NOW, Fixtures.NOW, 100, 4096L, "rp-" + vm, null, null, 0, 1);
        store.saveBackup(null, b);
        return b;
    }

    @Test
    void backupNowAnswers202WithLocationAndTheSameKeyReplaysIt() {
        HttpResponse first = withKey("POST", BACKUPS, WEB, "{}", "key-1");
        assertEquals(202, first.status(), String.valueOf(first.body()));
        String id = first.body().path("id").asText();
        assertEquals("/virtual-machines/vm-web-01/backups/" + id, first.headers().get("location"));
        assertEquals("QUEUED", first.body().path("status").asText());
        assertEquals("MANUAL", first.body().path("trigger").asText());
        assertEquals(gold, first.body().path("policyId").asText());
        HttpResponse again = withKey("POST", BACKUPS, WEB, "{ }", "key-1");
        assertEquals(202, again.status(), "a JSON-equal body replays the first answer");
        assertEquals(first.body(), again.body());
        assertEquals("true", again.headers().get("idempotent-replayed"));
        assertEquals(1, api.lifecycles.backups.size(), "nothing new was started");
        assertProblem(withKey("POST", BACKUPS, WEB, "{\"policyId\":\"" + gold + "\"}", "key-1"), 422);
        assertProblem(withKey("POST", BACKUPS, WEB, "{}", "key-2"), 409);
        assertProblem(withKey("POST", BACKUPS, WEB, "{}", "bad key with spaces"), 400);
        HttpResponse list = call("GET", BACKUPS, WEB, null, "[]", "ent-1");
        assertEquals(1, list.body().path("items").size());
        HttpResponse detail = call("GET", BACKUP, Map.of("vm", "vm-web-01", "backupId", id), null, "[]", "ent-1");
        assertEquals(id, detail.body().path("id").asText());
        assertEquals("[]", detail.body().path("restores").toString());
    }

    @Test
    void backupNowRefusalsHaveTheirStatus() {
        assertProblem(call("POST", BACKUPS, WEB, "{}", null, null), 401);
        assertProblem(call("POST", BACKUPS, WEB, "{}", TENANT, "ent-2"), 404);
        assertProblem(call("POST", BACKUPS, WEB, "{}", "[VAPP_RESTORE_BACKUP]", "ent-1"), 403);
        assertProblem(call("POST", BACKUPS, WEB, "{\"policyId\":7}", TENANT, "ent-1"), 400);
        assertProblem(call("POST", BACKUPS, WEB, "{\"policyId\":\"01J00000000000000000000999\"}", TENANT, "ent-1"), 422);
        assertProblem(call("GET", BACKUP, Map.of("vm", "vm-web-01", "backupId", "nope"), null, TENANT, "ent-1"), 404);
        assertTrue(api.lifecycles.backups.isEmpty());
    }

    @Test
    void restoresOneVmOrManyAndReadsTheRequest() {
        Backup a = succeeded("vm-web-01");
        Backup b = succeeded("vm-db-01");
        Map<String, String> onA = Map.of("vm", "vm-web-01", "backupId", a.id());
        HttpResponse one = call("POST", RESTORES, onA, "{}", TENANT, "ent-1");
        assertEquals(202, one.status(), String.valueOf(one.body()));
        assertEquals("/virtual-machines/vm-web-01/backups/" + a.id(), one.headers().get("location"));
        assertEquals("QUEUED", one.body().path("status").asText());
        String requestId = one.body().path("requestId").asText();
        HttpResponse request = call("GET", "/restores/{id}", Map.of("id", requestId), null, "[]", "ent-1");
        assertEquals("IN_PROGRESS", request.body().path("status").asText());
        assertEquals(one.body().path("id").asText(), request.body().path("items").get(0).path("restoreId").asText());
        assertProblem(call("GET", "/restores/{id}", Map.of("id", requestId), null, TENANT, "ent-2"), 404);
        assertEquals(1, call("GET", BACKUP, onA, null, "[]", "ent-1").body().path("restores").size());

        HttpResponse multi = call("POST", "/restores", Map.of(),
                "{\"items\":[{\"vm\":\"vm-web-01\",\"backupId\":\"" + a.id() + "\"},{\"vm\":\"vm-db-01\",\"backupId\":\"" + b.id() + "\"}]}", TENANT, "ent-1");
        assertEquals(202, multi.status(), String.valueOf(multi.body()));
        assertEquals("/restores/" + multi.body().path("id").asText(), multi.headers().get("location"));
        assertEquals("REJECTED", multi.body().path("items").get(0).path("status").asText());
        assertEquals("QUEUED", multi.body().path("items").get(1).path("status").asText());
        assertNull(multi.body().path("items").get(1).path("error").textValue());
        assertEquals(2, api.lifecycles.restores.size());

        HttpResponse allRejected = call("POST", "/restores", Map.of(), "{\"items\":[{\"vm\":\"vm-web-01\",\"backupId\":\"" + a.id() + "\"}]}", TENANT, "ent-1");
        assertProblem(allRejected, 409);
        assertEquals("items[0]", allRejected.body().path("errors").get(0).path("field").asText());
        assertProblem(call("POST", "/restores", Map.of(), "{\"items\":[]}", TENANT, "ent-1"), 422);
        assertProblem(call("POST", "/restores", Map.of(), "{\"items\":{}}", TENANT, "ent-1"), 400);
        assertProblem(call("POST", "/restores", Map.of(), "{\"items\":[{\"vm\":\"a\",\"backupId\":\"b\"}]}", "[VAPP_MANAGE_BACKUP]", "ent-1"), 403);
    }
}
