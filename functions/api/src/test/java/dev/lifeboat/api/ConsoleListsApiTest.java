package dev.lifeboat.api;

import static dev.lifeboat.api.ApiHandlersTest.assertProblem;
import static dev.lifeboat.api.ApiHarness.ADMIN_PRIVS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.store.DynamoBackupStore;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The two lists the web console added to the API: GET /datacenters and GET /restores, over dynalite. */
@ExtendWith(Dynalite.class)
class ConsoleListsApiTest {
    static final String TENANT = "[VAPP_MANAGE_BACKUP VAPP_RESTORE_BACKUP]";
    static final String POLICIES = "/datacenters/{dc}/backup-policies";

    ApiHarness api;
    DynamoBackupStore store;
    final Ids ids = new Ids(Fixtures.CLOCK);

    @BeforeEach
    void start(URI endpoint) {
        api = new ApiHarness(endpoint, m -> null);
        store = new DynamoBackupStore(api.dynamo, api.table);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    HttpResponse call(String method, String path, Map<String, String> params, String body, String priv, String ent, Map<String, String> query) {
        return api.send(ApiHarness.event(method, path, params, body, priv, ent, query));
    }

    void manager(String dc, String name, String type, String endpoint) {
        HttpResponse r = call("PUT", "/datacenters/{dc}/backup-manager", Map.of("dc", dc),
                "{\"name\":\"" + name + "\",\"type\":\"" + type + "\",\"endpoint\":\"" + endpoint + "\",\"user\":\"u#v\",\"password\":\"p#q\"}",
                ADMIN_PRIVS, "ent-1", Map.of());
        assertEquals(201, r.status(), String.valueOf(r.body()));
    }

    String policy(String dc, String code) {
        HttpResponse r = call("POST", POLICIES, Map.of("dc", dc), "{\"name\":\"" + code + "\",\"code\":\"" + code
                + "\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:30:00 +0400\"}]}", ADMIN_PRIVS, "ent-1", Map.of());
        assertEquals(201, r.status(), String.valueOf(r.body()));
        return r.body().path("id").asText();
    }

    static List<String> ids(HttpResponse r, String field) {
        List<String> out = new ArrayList<>();
        r.body().path("items").forEach(i -> out.add(i.path(field).asText()));
        return out;
    }

    @Test
    void datacentersListsThoseWithAManagerSortedAndPagedWithTheirCounts() {
        manager("dc-c", "Veeam C", "VEEAM", "http://veeam.example.com:9399/api/");
        manager("dc-a", "NetWorker A", "NETWORKER", "https://nw.example.com:9090/nwrestapi/v3/global");
        manager("dc-b", "Snapshots B", "VMWARE_SNAPSHOT", "https://vc.example.com/sdk");
        policy("dc-a", "GOLD");
        policy("dc-a", "SILVER");
        policy("dc-no-manager", "BRONZE");
        String gold = policy("dc-c", "GOLD");
        call("PUT", "/virtual-machines/{vm}", Map.of("vm", "vm-1"),
                "{\"enterprise\":\"ent-1\",\"datacenter\":\"dc-c\",\"name\":\"vm-1\",\"state\":\"NOT_ALLOCATED\"}", TENANT, "ent-1", Map.of());
        assertEquals(200, call("PUT", "/virtual-machines/{vm}/backup", Map.of("vm", "vm-1"),
                "{\"policies\":[{\"policyId\":\"" + gold + "\"}]}", TENANT, "ent-1", Map.of()).status());

        HttpResponse first = call("GET", "/datacenters", Map.of(), null, "[PHYS_DC_RETRIEVE_DETAILS]", "ent-1", Map.of("limit", "2"));
        assertEquals(200, first.status(), String.valueOf(first.body()));
        assertEquals(List.of("dc-a", "dc-b"), ids(first, "id"), "sorted by id; a datacenter with policies but no manager is not listed");
        JsonNode a = first.body().path("items").get(0);
        assertEquals("NetWorker A", a.path("manager").path("name").asText());
        assertEquals("NETWORKER", a.path("manager").path("type").asText());
        assertEquals(2, a.path("policyCount").asInt());
        assertEquals(0, a.path("configuredVmCount").asInt());
        assertTrue(first.body().path("manager").isMissingNode() && !a.path("manager").has("password"));

        HttpResponse second = call("GET", "/datacenters", Map.of(), null, "[PHYS_DC_RETRIEVE_DETAILS]", "ent-1",
                Map.of("limit", "2", "cursor", first.body().path("nextCursor").asText()));
        assertEquals(List.of("dc-c"), ids(second, "id"));
        JsonNode c = second.body().path("items").get(0);
        assertEquals(1, c.path("policyCount").asInt());
        assertEquals(1, c.path("configuredVmCount").asInt());
        assertTrue(second.body().path("nextCursor").isNull());

        assertProblem(call("GET", "/datacenters", Map.of(), null, "[VAPP_MANAGE_BACKUP]", "ent-1", Map.of()), 403);
        assertProblem(call("GET", "/datacenters", Map.of(), null, null, null, Map.of()), 401);
        assertProblem(call("GET", "/datacenters", Map.of(), null, "[PHYS_DC_RETRIEVE_DETAILS]", "ent-1", Map.of("cursor", "bm9wZQ")), 400);
        assertProblem(call("GET", "/datacenters", Map.of(), null, "[PHYS_DC_RETRIEVE_DETAILS]", "ent-1", Map.of("limit", "0")), 400);
    }

    /** Two enterprises with deployed VMs in one datacenter, a SUCCESS backup each, restored in several requests. */
    class Cloud {
        final String dc = "dc-madrid-1";
        final Map<String, Backup> backups = new HashMap<>();

        Cloud() {
            manager(dc, "Veeam", "VEEAM", "http://veeam.example.com:9399/api/");
            String gold = policy(dc, "GOLD");
            call("PUT", "/datacenters/{dc}/backup-properties", Map.of("dc", dc),
                    "{\"multipleRestore\":true,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":false,\"backupNow\":true}", ADMIN_PRIVS, "ent-1", Map.of());
            for (String[] vm : new String[][] {{"web-01", "ent-1"}, {"db-01", "ent-1"}, {"app-02", "ent-2"}}) {
                call("PUT", "/enterprises/{ent}/datacenters/{dc}/allowed-backup-policies", Map.of("ent", vm[1], "dc", dc),
                        "{\"policyIds\":[\"" + gold + "\"]}", ADMIN_PRIVS, "ent-1", Map.of());
                Map<String, String> p = Map.of("vm", vm[0]);
                call("PUT", "/virtual-machines/{vm}", p, "{\"enterprise\":\"" + vm[1] + "\",\"datacenter\":\"" + dc + "\",\"name\":\"" + vm[0]
                        + "\",\"state\":\"DEPLOYED\"}", TENANT, vm[1], Map.of());
                Backup b = new Backup(ids.get(), vm[0], dc, vm[1], gold, Trigger.SCHEDULED, BackupStatus.SUCCESS,
                        Fixtures.NOW, Fixtures.NOW, Fixtures.NOW, 100, 4096L, "rp-" + vm[0], null, null, 0, 1);
                store.saveBackup(null, b);
                backups.put(vm[0], b);
            }
        }

        String item(String vm) {
            return "{\"vm\":\"" + vm + "\",\"backupId\":\"" + backups.get(vm).id() + "\"}";
        }

        /** A multi-restore of the VMs as {@code ent}; then every accepted restore ends with {@code end}. */
        String restore(String ent, RestoreStatus end, String... vms) {
            HttpResponse r = call("POST", "/restores", Map.of(), "{\"items\":[" + String.join(",", java.util.Arrays.stream(vms).map(this::item).toList()) + "]}",
                    TENANT, ent, Map.of());
            assertEquals(202, r.status(), String.valueOf(r.body()));
            if (end != null) {
                for (JsonNode i : r.body().path("items")) {
                    Restore q = store.findRestore(i.path("vm").asText(), i.path("backupId").asText(), i.path("restoreId").asText()).orElseThrow();
                    store.finishRestore(q, q.withStatus(end, Fixtures.NOW, null));
                }
            }
            return r.body().path("id").asText();
        }
    }

    @Test
    void restoresListsTheCallersEnterpriseNewestFirstWithStatusAndPages() {
        Cloud cloud = new Cloud();
        String first = cloud.restore("ent-1", RestoreStatus.SUCCESS, "web-01", "db-01");
        String other = cloud.restore("ent-2", RestoreStatus.SUCCESS, "app-02");
        String failed = cloud.restore("ent-1", RestoreStatus.FAILED, "db-01");
        String running = cloud.restore("ent-1", null, "web-01");

        HttpResponse all = call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of());
        assertEquals(200, all.status(), String.valueOf(all.body()));
        assertEquals(List.of(running, failed, first), ids(all, "id"), "newest first, only ent-1's");
        assertEquals(List.of("IN_PROGRESS", "FAILED", "SUCCESS"), ids(all, "status"));
        assertEquals("web-01", all.body().path("items").get(2).path("items").get(0).path("vm").asText());
        assertEquals("SUCCESS", all.body().path("items").get(2).path("items").get(1).path("status").asText());

        HttpResponse page1 = call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("limit", "2"));
        assertEquals(List.of(running, failed), ids(page1, "id"));
        HttpResponse page2 = call("GET", "/restores", Map.of(), null, "[]", "ent-1",
                Map.of("limit", "2", "cursor", page1.body().path("nextCursor").asText()));
        assertEquals(List.of(first), ids(page2, "id"));
        assertTrue(page2.body().path("nextCursor").isNull());

        assertEquals(List.of(failed), ids(call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("status", "FAILED")), "id"));
        assertEquals(List.of(running, first), ids(call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("vm", "web-01")), "id"));
        assertEquals(List.of(first), ids(call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("vm", "web-01", "status", "SUCCESS")), "id"));

        String admin = "[ENTERPRISE_ADMINISTER_ALL]";
        assertEquals(List.of(running, failed, other, first), ids(call("GET", "/restores", Map.of(), null, admin, "ent-0", Map.of()), "id"));
        assertEquals(List.of(other), ids(call("GET", "/restores", Map.of(), null, admin, "ent-0", Map.of("enterprise", "ent-2")), "id"));

        assertProblem(call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("enterprise", "ent-2")), 403);
        assertProblem(call("GET", "/restores", Map.of(), null, "[]", null, Map.of()), 403);
        assertProblem(call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("vm", "app-02")), 404);
        assertProblem(call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("status", "DONE")), 400);
        assertProblem(call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("cursor", "garbage")), 400);
        assertProblem(call("GET", "/restores", Map.of(), null, null, null, Map.of()), 401);
    }

    @Test
    void aStatusFilterExaminesABoundedNumberOfRequestsAndPointsFurther() {
        Cloud cloud = new Cloud();
        String oldest = cloud.restore("ent-1", RestoreStatus.FAILED, "web-01");
        for (int i = 0; i < 101; i++) {
            cloud.restore("ent-1", RestoreStatus.SUCCESS, "db-01");
        }
        HttpResponse page = call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("status", "FAILED"));
        assertEquals(List.of(), ids(page, "id"), "the first 100 requests examined hold no FAILED one");
        String cursor = page.body().path("nextCursor").asText();
        assertTrue(!cursor.isEmpty());
        HttpResponse next = call("GET", "/restores", Map.of(), null, "[]", "ent-1", Map.of("status", "FAILED", "cursor", cursor));
        assertEquals(List.of(oldest), ids(next, "id"));
        assertTrue(next.body().path("nextCursor").isNull());
    }
}
