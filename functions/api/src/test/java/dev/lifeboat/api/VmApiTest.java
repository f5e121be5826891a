package dev.lifeboat.api;

import static dev.lifeboat.api.ApiHandlersTest.assertProblem;
import static dev.lifeboat.api.ApiHarness.ADMIN_PRIVS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.events.VirtualMachineEventsHandler;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.domain.vm.ApplyAction;
import dev.lifeboat.domain.vm.ScheduleWorkflow.ApplyRequest;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The VM registry and VM backup configuration routes, through the handlers' Lambda interface over dynalite. */
@ExtendWith(Dynalite.class)
class VmApiTest {
    static final String VMS = "/virtual-machines";
    static final String VM = "/virtual-machines/{vm}";
    static final String BACKUP = "/virtual-machines/{vm}/backup";
    static final String AVAILABLE = "/virtual-machines/{vm}/available-backup-policies";
    static final String TENANT = "[VAPP_MANAGE_BACKUP]";
    static final String DEFINER = "[VAPP_MANAGE_BACKUP VAPP_DEFINE_BACKUP_INFO]";
    static final String EVERYTHING = "[VAPP_MANAGE_BACKUP VAPP_DEFINE_BACKUP_INFO VAPP_RESTORE_BACKUP PHYS_DC_RETRIEVE_DETAILS PHYS_DC_ALLOW_BACKUP_CONFIG]";
    static final String DC = "dc-madrid-1";
    static final Map<String, String> WEB = Map.of("vm", "vm-web-01");

    ApiHarness api;
    String gold;
    /** Leaves the weekly time to each VM. */
    String flex;

    @BeforeEach
    void start(URI endpoint) {
        api = new ApiHarness(endpoint, m -> null);
        gold = createPolicy("GOLD", "{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:30:00 +0400\"}");
        flex = createPolicy("FLEX", "{\"type\":\"COMPLETE\",\"subtype\":\"WEEKLY_PLANNED\",\"days\":[\"monday\",\"friday\"],\"time\":\"DEFINE_IN_VM\"}");
        HttpResponse allowed = api.send("PUT", "/enterprises/{ent}/datacenters/{dc}/allowed-backup-policies", Map.of("ent", "ent-1", "dc", DC),
                "{\"policyIds\":[\"" + gold + "\",\"" + flex + "\"]}", ADMIN_PRIVS);
        assertEquals(200, allowed.status(), String.valueOf(allowed.body()));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    String createPolicy(String code, String schedule) {
        HttpResponse r = api.send("POST", "/datacenters/{dc}/backup-policies", Map.of("dc", DC),
                "{\"name\":\"" + code + "\",\"code\":\"" + code + "\",\"backupConfigurations\":[" + schedule + "]}", ADMIN_PRIVS);
        assertEquals(201, r.status(), String.valueOf(r.body()));
        return r.body().path("id").asText();
    }

    HttpResponse call(String method, String path, Map<String, String> params, String body, String priv, String ent) {
        return api.send(ApiHarness.event(method, path, params, body, priv, ent, Map.of()));
    }

    HttpResponse list(String priv, String ent, Map<String, String> query) {
        return api.send(ApiHarness.event("GET", VMS, Map.of(), null, priv, ent, query));
    }

    static String vmBody(String ent, String state) {
        return "{\"enterprise\":\"" + ent + "\",\"datacenter\":\"" + DC + "\",\"name\":\"web-01\",\"state\":\"" + state + "\"}";
    }

    String select(String... policyIds) {
        StringBuilder b = new StringBuilder("{\"policies\":[");
        for (int i = 0; i < policyIds.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"policyId\":\"").append(policyIds[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    void properties(boolean multiple, boolean updateWhenDeployed) {
        HttpResponse r = api.send("PUT", "/datacenters/{dc}/backup-properties", Map.of("dc", DC),
                "{\"multipleRestore\":false,\"multipleBackupPolicies\":" + multiple + ",\"updateWhenDeployed\":" + updateWhenDeployed + ",\"backupNow\":false}", ADMIN_PRIVS);
        assertEquals(200, r.status());
    }

    @Test
    void theRegistryFixtureCreatesThenReplaces() {
        HttpResponse created = api.send(ApiHarness.fixture("put-virtual-machine.json"));
        assertEquals(201, created.status(), String.valueOf(created.body()));
        assertEquals("/virtual-machines/vm-web-01", created.headers().get("location"));
        assertEquals("\"1\"", created.headers().get("etag"));
        assertEquals("vm-42", created.body().path("hypervisor").path("moref").asText());
        assertEquals("NOT_ALLOCATED", created.body().path("state").asText());
        HttpResponse again = api.send(ApiHarness.fixture("put-virtual-machine.json"));
        assertEquals(200, again.status());
        assertEquals(1, again.body().path("version").asInt(), "the same report changes nothing");
        HttpResponse read = call("GET", VM, WEB, null, "[]", "ent-1");
        assertEquals(200, read.status());
        assertEquals("ent-1", read.body().path("enterprise").asText());
        HttpResponse listed = list("[]", "ent-1", Map.of("datacenter", DC, "limit", "10"));
        assertEquals(List.of("vm-web-01"), ids(listed.body()));
        assertTrue(listed.body().path("nextCursor").isNull());
    }

    static List<String> ids(JsonNode page) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        page.path("items").forEach(i -> out.add(i.path("id").asText()));
        return out;
    }

    @Test
    void everyRefusalOfTheRegistryHasItsStatus() {
        assertEquals(201, call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED"), TENANT, "ent-1").status());
        assertProblem(call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED"), null, null), 401);
        assertProblem(call("GET", VM, WEB, null, null, null), 401);
        assertProblem(call("GET", VM, Map.of("vm", "no-such-vm"), null, TENANT, "ent-1"), 404);
        assertProblem(call("GET", VM, Map.of("vm", "bad/id"), null, TENANT, "ent-1"), 400);
        assertProblem(call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED"), "[]", "ent-1"), 403);
        assertProblem(call("PUT", VM, Map.of("vm", "vm-2"), vmBody("ent-2", "DEPLOYED"), TENANT, "ent-1"), 403);
        assertProblem(call("PUT", VM, WEB, "{\"enterprise\":", TENANT, "ent-1"), 400);
        HttpResponse kinds = call("PUT", VM, WEB, "{\"enterprise\":\"ent-1\",\"datacenter\":7,\"name\":\"n\",\"state\":\"DEPLOYED\",\"hypervisor\":\"vc\"}", TENANT, "ent-1");
        assertProblem(kinds, 400);
        assertEquals(Set.of("datacenter", "hypervisor"), fields(kinds.body()));
        HttpResponse invalid = call("PUT", VM, WEB, "{\"enterprise\":\"ent-1\",\"name\":\"\",\"state\":\"RUNNING\"}", TENANT, "ent-1");
        assertProblem(invalid, 422);
        assertEquals(Set.of("datacenter", "name", "state"), fields(invalid.body()));
        assertProblem(call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED").replace(DC, "dc-other"), TENANT, "ent-1"), 409);
        ObjectNode stale = ApiHarness.event("PUT", VM, WEB, vmBody("ent-1", "NOT_ALLOCATED"), TENANT, "ent-1", Map.of());
        ((ObjectNode) stale.path("headers")).put("if-match", "\"9\"");
        assertProblem(api.send(stale), 412);
        assertProblem(call("PUT", VM, WEB, "{\"name\":\"" + "x".repeat(70_000) + "\"}", TENANT, "ent-1"), 413);
        assertProblem(list(TENANT, "ent-1", Map.of("limit", "0")), 400);
        assertProblem(list(TENANT, "ent-1", Map.of("cursor", "not-a-cursor")), 400);
        assertProblem(list(TENANT, "ent-1", Map.of("enterprise", "ent-2")), 403);
        assertEquals("DEPLOYED", call("GET", VM, WEB, null, TENANT, "ent-1").body().path("state").asText(), "no refusal changed the VM");
    }

    static Set<String> fields(JsonNode problem) {
        Set<String> out = new HashSet<>();
        problem.path("errors").forEach(e -> out.add(e.path("field").asText()));
        return out;
    }

    @Test
    void theConfigurationFixtureSelectsAPolicyWithTheVmsOwnValues() {
        api.send(ApiHarness.fixture("put-virtual-machine.json"));
        ObjectNode event = ApiHarness.fixture("put-vm-backup.json");
        event.put("body", event.path("body").asText().replace("POLICY_ID", flex));
        HttpResponse r = api.send(event);
        assertEquals(200, r.status(), String.valueOf(r.body()));
        assertEquals("APPLIED", r.body().path("status").asText(), "a VM that is not allocated has it in force at once");
        assertEquals("\"1\"", r.headers().get("etag"));
        JsonNode selection = r.body().path("policies").get(0);
        assertEquals("22:30:00 Europe/Madrid", selection.path("values").path("WEEKLY_PLANNED").path("time").asText());
        JsonNode effective = selection.path("effectiveSchedules").get(0);
        assertEquals("[\"monday\",\"friday\"]", effective.path("days").toString());
        assertEquals("cron(30 22 ? * MON,FRI *)", effective.path("scheduler").path("expression").asText());
        assertEquals("Europe/Madrid", effective.path("scheduler").path("timezone").asText());
        assertTrue(r.body().path("error").isNull());
        assertTrue(api.send("GET", "/datacenters/{dc}/backup-policies/{policyId}", Map.of("dc", DC, "policyId", flex), null, ADMIN_PRIVS)
                .body().path("inUse").asBoolean());
        HttpResponse read = call("GET", BACKUP, WEB, null, "[]", "ent-1");
        assertEquals(r.body(), read.body());
    }

    @Test
    void aVmNeverConfiguredReadsAsNoPoliciesApplied() {
        call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED"), TENANT, "ent-1");
        HttpResponse r = call("GET", BACKUP, WEB, null, "[]", "ent-1");
        assertEquals(200, r.status());
        assertEquals("[]", r.body().path("policies").toString());
        assertEquals("APPLIED", r.body().path("status").asText());
        assertEquals(0, r.body().path("version").asInt());
    }

    @Test
    void aDeployedVmsChangeIsAcceptedPendingAndHandedToTheWorkflow() {
        call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED"), TENANT, "ent-1");
        HttpResponse notAllowed = call("PUT", BACKUP, WEB, select(gold), TENANT, "ent-1");
        assertProblem(notAllowed, 409);
        assertTrue(notAllowed.body().path("detail").asText().contains("updateWhenDeployed"));
        properties(false, true);
        HttpResponse accepted = call("PUT", BACKUP, WEB, select(gold), TENANT, "ent-1");
        assertEquals(202, accepted.status(), String.valueOf(accepted.body()));
        assertEquals("PENDING", accepted.body().path("status").asText());
        assertEquals("/virtual-machines/vm-web-01/backup", accepted.headers().get("location"));
        assertEquals(List.of(new ApplyRequest("vm-web-01", DC, 1, ApplyAction.APPLY)), api.workflow.started);
        assertProblem(call("PUT", BACKUP, WEB, select(), TENANT, "ent-1"), 409);
        assertEquals(200, call("PUT", BACKUP, WEB, select(gold), TENANT, "ent-1").status(), "the same change again");
        api.workflow.unavailable = true;
        api.services.vmBackups.recordApplied("vm-web-01", 1);
        assertProblem(call("PUT", BACKUP, WEB, select(), TENANT, "ent-1"), 503);
        assertEquals("PENDING", call("GET", BACKUP, WEB, null, "[]", "ent-1").body().path("status").asText());
    }

    @Test
    void everyRefusalOfTheConfigurationHasItsStatus() {
        call("PUT", VM, WEB, vmBody("ent-1", "NOT_ALLOCATED"), TENANT, "ent-1");
        String secret = createPolicy("SECRET", "{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:30:00 +0400\"}");
        assertProblem(call("PUT", BACKUP, WEB, select(gold), null, null), 401);
        assertProblem(call("PUT", BACKUP, Map.of("vm", "nope"), select(gold), TENANT, "ent-1"), 404);
        assertProblem(call("PUT", BACKUP, WEB, select(gold), "[]", "ent-1"), 403);
        assertProblem(call("PUT", BACKUP, WEB, select(secret), TENANT, "ent-1"), 403);
        assertProblem(call("PUT", BACKUP, WEB,
                "{\"policies\":[{\"policyId\":\"" + flex + "\",\"values\":{\"WEEKLY_PLANNED\":{\"time\":\"01:00:00 +0000\"}}}]}", TENANT, "ent-1"), 403);
        assertProblem(call("PUT", BACKUP, WEB, "{\"policies\":{}}", TENANT, "ent-1"), 400);
        HttpResponse kinds = call("PUT", BACKUP, WEB, "{\"policies\":[{\"policyId\":5,\"values\":[]}]}", TENANT, "ent-1");
        assertProblem(kinds, 400);
        assertEquals(Set.of("policies[0].policyId", "policies[0].values"), fields(kinds.body()));
        assertProblem(call("PUT", BACKUP, WEB, "{}", TENANT, "ent-1"), 422);
        HttpResponse unknown = call("PUT", BACKUP, WEB, select("01J00000000000000000000999"), TENANT, "ent-1");
        assertProblem(unknown, 422);
        assertEquals(Set.of("policies[0].policyId"), fields(unknown.body()));
        HttpResponse missing = call("PUT", BACKUP, WEB, select(flex), DEFINER, "ent-1");
        assertProblem(missing, 422);
        assertEquals(Set.of("policies[0].values.WEEKLY_PLANNED.time"), fields(missing.body()));
        HttpResponse extra = call("PUT", BACKUP, WEB,
                "{\"policies\":[{\"policyId\":\"" + gold + "\",\"values\":{\"DAILY\":{\"time\":\"01:00:00 +0000\"}}}]}", DEFINER, "ent-1");
        assertProblem(extra, 422);
        assertProblem(call("PUT", BACKUP, WEB,
                "{\"policies\":[{\"policyId\":\"" + flex + "\",\"values\":{\"WEEKLY_PLANNED\":{\"time\":\"DEFINE_IN_VM\"}}}]}", DEFINER, "ent-1"), 422);
        assertProblem(call("PUT", BACKUP, WEB, select(gold, gold), TENANT, "ent-1"), 422);
        HttpResponse two = call("PUT", BACKUP, WEB, select(gold, "01J00000000000000000000999").replace("01J00000000000000000000999", flex), DEFINER, "ent-1");
        assertProblem(two, 422); // flex still needs its value; fix it and the rule of one policy speaks
        HttpResponse multiple = call("PUT", BACKUP, WEB, "{\"policies\":[{\"policyId\":\"" + gold + "\"},{\"policyId\":\"" + flex
                + "\",\"values\":{\"WEEKLY_PLANNED\":{\"time\":\"01:00:00 +0000\"}}}]}", DEFINER, "ent-1");
        assertProblem(multiple, 409);
        assertTrue(multiple.body().path("detail").asText().contains("multipleBackupPolicies"));
        ObjectNode stale = ApiHarness.event("PUT", BACKUP, WEB, select(gold), TENANT, "ent-1", Map.of());
        ((ObjectNode) stale.path("headers")).put("if-match", "\"4\"");
        assertProblem(api.send(stale), 412);
        assertEquals(0, call("GET", BACKUP, WEB, null, TENANT, "ent-1").body().path("version").asInt(), "no refusal wrote anything");
        assertProblem(call("GET", AVAILABLE, Map.of("vm", "nope"), null, TENANT, "ent-1"), 404);
        assertProblem(api.send(ApiHarness.event("GET", AVAILABLE, WEB, null, TENANT, "ent-1", Map.of("limit", "101"))), 400);
    }

    @Test
    void availablePoliciesShowTheirSchedulesPageByPage() {
        call("PUT", VM, WEB, vmBody("ent-1", "NOT_ALLOCATED"), TENANT, "ent-1");
        HttpResponse first = api.send(ApiHarness.event("GET", AVAILABLE, WEB, null, "[]", "ent-1", Map.of("limit", "1")));
        assertEquals(200, first.status());
        assertEquals(gold, first.body().path("items").get(0).path("id").asText());
        assertEquals("DAILY", first.body().path("items").get(0).path("backupConfigurations").get(0).path("subtype").asText());
        HttpResponse second = api.send(ApiHarness.event("GET", AVAILABLE, WEB, null, "[]", "ent-1",
                Map.of("limit", "1", "cursor", first.body().path("nextCursor").asText())));
        assertEquals(flex, second.body().path("items").get(0).path("id").asText());
        assertEquals("DEFINE_IN_VM", second.body().path("items").get(0).path("backupConfigurations").get(0).path("time").asText());
        assertTrue(second.body().path("nextCursor").isNull());
    }

    @Test
    void tenantsReadTheirDatacentersSwitchesWithTheAvailablePolicies() {
        call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED"), TENANT, "ent-1");
        // A member without any privilege: the switches come with what it may select, not from backup-properties.
        assertProblem(api.send(ApiHarness.event("GET", "/datacenters/{dc}/backup-properties", Map.of("dc", DC), null, "[]", "ent-1", Map.of())), 403);
        HttpResponse before = api.send(ApiHarness.event("GET", AVAILABLE, WEB, null, "[]", "ent-1", Map.of()));
        assertEquals(200, before.status());
        assertEquals("{\"multipleRestore\":false,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":false,\"backupNow\":false}",
                before.body().path("backupProperties").toString(), "a datacenter never configured has every switch off");
        properties(true, true);
        HttpResponse after = api.send(ApiHarness.event("GET", AVAILABLE, WEB, null, "[]", "ent-1", Map.of("limit", "1")));
        assertTrue(after.body().path("backupProperties").path("multipleBackupPolicies").asBoolean());
        assertTrue(after.body().path("backupProperties").path("updateWhenDeployed").asBoolean());
        assertFalse(after.body().path("backupProperties").path("backupNow").asBoolean());
        assertEquals(1, after.body().path("items").size(), "the page itself is unchanged");
    }

    @Test
    void aPolicyInUseKeepsItsSchedulesAndItsManager() {
        HttpResponse manager = api.send(ApiHarness.fixture("put-backup-manager.json"));
        assertEquals(201, manager.status());
        call("PUT", VM, WEB, vmBody("ent-1", "NOT_ALLOCATED"), TENANT, "ent-1");
        assertEquals(200, call("PUT", BACKUP, WEB, select(gold), TENANT, "ent-1").status());
        Map<String, String> policy = Map.of("dc", DC, "policyId", gold);
        assertProblem(api.send("PUT", "/datacenters/{dc}/backup-policies/{policyId}", policy,
                "{\"name\":\"GOLD\",\"code\":\"GOLD\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"09:00:00 +0400\"}]}", ADMIN_PRIVS), 409);
        assertProblem(api.send("DELETE", "/datacenters/{dc}/backup-policies/{policyId}", policy, null, ADMIN_PRIVS), 409);
        assertProblem(api.send("DELETE", "/datacenters/{dc}/backup-manager", Map.of("dc", DC), null, ADMIN_PRIVS), 409);
        assertEquals(200, call("PUT", BACKUP, WEB, select(), TENANT, "ent-1").status());
        assertEquals(204, api.send("DELETE", "/datacenters/{dc}/backup-policies/{policyId}", policy, null, ADMIN_PRIVS).status());
        assertEquals(204, api.send("DELETE", "/datacenters/{dc}/backup-manager", Map.of("dc", DC), null, ADMIN_PRIVS).status());
    }

    /** Issue 3, point 4: a second enterprise's token, with every privilege but ENTERPRISE_ADMINISTER_ALL, reads and writes nothing. */
    @Test
    void anotherEnterpriseNeitherSeesNorChangesAVm() {
        call("PUT", VM, WEB, vmBody("ent-1", "DEPLOYED"), TENANT, "ent-1");
        properties(true, true);
        assertEquals(202, call("PUT", BACKUP, WEB, select(gold), TENANT, "ent-1").status());
        api.services.vmBackups.recordApplied("vm-web-01", 1);
        int started = api.workflow.started.size();
        var before = api.items();

        List<HttpResponse> answers = List.of(
                call("GET", VM, WEB, null, EVERYTHING, "ent-2"),
                call("PUT", VM, WEB, vmBody("ent-2", "NOT_ALLOCATED"), EVERYTHING, "ent-2"),
                call("PUT", VM, WEB, vmBody("ent-1", "NOT_ALLOCATED"), EVERYTHING, "ent-2"),
                call("GET", BACKUP, WEB, null, EVERYTHING, "ent-2"),
                call("PUT", BACKUP, WEB, select(), EVERYTHING, "ent-2"),
                call("PUT", BACKUP, WEB, select(gold, flex), EVERYTHING, "ent-2"),
                call("GET", AVAILABLE, WEB, null, EVERYTHING, "ent-2"));
        for (HttpResponse r : answers) {
            assertProblem(r, 404);
            assertEquals("There is no virtual machine vm-web-01.", r.body().path("detail").asText(), "the same words as for a VM that does not exist");
        }
        assertEquals(List.of(), ids(list(EVERYTHING, "ent-2", Map.of()).body()));
        assertEquals(List.of(), ids(list(EVERYTHING, "ent-2", Map.of("datacenter", DC)).body()));
        assertProblem(list(EVERYTHING, "ent-2", Map.of("enterprise", "ent-1")), 403);
        assertEquals(before, api.items(), "nothing was written");
        assertEquals(started, api.workflow.started.size(), "nothing was started");
        assertEquals(200, call("GET", BACKUP, WEB, null, "[ENTERPRISE_ADMINISTER_ALL]", "ent-2").status(), "an administrator of all enterprises sees it");
    }

    @Test
    void theEventBridgeRegistryGoesThroughTheSameRules() {
        VirtualMachineEventsHandler events = new VirtualMachineEventsHandler(api.services, false);
        ObjectNode event = ApiHarness.fixture("virtual-machine-state-changed.json");
        assertEquals(1, events.handle(event).version());
        assertEquals(1, events.handle(event).version(), "a repeated event changes nothing");
        HttpResponse seen = call("GET", VM, Map.of("vm", "vm-db-07"), null, "[]", "ent-1");
        assertEquals("DEPLOYED", seen.body().path("state").asText());
        assertEquals("vm-77", seen.body().path("hypervisor").path("moref").asText());

        var before = api.items();
        ObjectNode moved = event.deepCopy();
        ((ObjectNode) moved.path("detail")).put("datacenter", "dc-other");
        var conflict = assertThrows(VirtualMachineEventsHandler.RefusedEvent.class, () -> events.handle(moved));
        assertTrue(conflict.getMessage().contains("CONFLICT"), conflict.getMessage());
        ObjectNode noId = event.deepCopy();
        ((ObjectNode) noId.path("detail")).remove("vm");
        assertThrows(VirtualMachineEventsHandler.RefusedEvent.class, () -> events.handle(noId));
        ObjectNode badState = event.deepCopy();
        ((ObjectNode) badState.path("detail")).put("state", "RUNNING");
        assertTrue(assertThrows(VirtualMachineEventsHandler.RefusedEvent.class, () -> events.handle(badState)).getMessage().contains("state"));
        ObjectNode otherType = event.deepCopy().put("detail-type", "Something Else");
        assertThrows(VirtualMachineEventsHandler.RefusedEvent.class, () -> events.handle(otherType));
        assertEquals(before, api.items(), "refused events wrote nothing");

        ObjectNode undeployed = event.deepCopy();
        ((ObjectNode) undeployed.path("detail")).put("state", "NOT_ALLOCATED");
        assertEquals("NOT_ALLOCATED", events.handle(undeployed).state().name());
        assertFalse(api.workflow.started.stream().anyMatch(r -> r.vm().equals("vm-db-07")), "no configuration, nothing to remove");
    }
}
