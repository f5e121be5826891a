package dev.lifeboat.api;

import static dev.lifeboat.api.ApiHarness.ADMIN_PRIVS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Dynalite.class)
class ApiHandlersTest {
    static final String MANAGER = "/datacenters/{dc}/backup-manager";
    static final String PROPERTIES = "/datacenters/{dc}/backup-properties";
    static final String POLICIES = "/datacenters/{dc}/backup-policies";
    static final String POLICY = "/datacenters/{dc}/backup-policies/{policyId}";
    static final String ALLOWED = "/enterprises/{ent}/datacenters/{dc}/allowed-backup-policies";
    static final Map<String, String> DC = Map.of("dc", "dc1");
    static final String GOLD = "{\"name\":\"Gold\",\"code\":\"GOLD\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:02:03 +0400\"}]}";

    ApiHarness api;

    @BeforeEach
    void start(URI endpoint) {
        api = new ApiHarness(endpoint, m -> new ConnectionCheck(true, true, 12L, "logged on as " + m.user()));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static Map<String, String> policy(String id) {
        return Map.of("dc", "dc1", "policyId", id);
    }

    static void assertProblem(HttpResponse r, int status) {
        assertEquals(status, r.status(), () -> String.valueOf(r.body()));
        assertEquals("application/problem+json", r.headers().get("content-type"));
        assertEquals(status, r.body().path("status").asInt());
        assertTrue(r.body().path("type").asText().startsWith("https://lifeboat.dev/problems/"));
        assertFalse(r.body().path("detail").asText().isEmpty());
    }

    @Test
    void managerFixtureCreatesThenReplaces() {
        ObjectNode event = ApiHarness.fixture("put-backup-manager.json");
        HttpResponse created = api.send(event);
        assertEquals(201, created.status(), String.valueOf(created.body()));
        assertEquals("\"1\"", created.headers().get("etag"));
        assertEquals("/datacenters/dc-madrid-1/backup-manager", created.headers().get("location"));
        assertEquals("https://veeam.example.com:9398/api/", created.body().path("endpoint").asText());
        assertTrue(created.body().path("passwordSet").asBoolean());
        assertFalse(created.body().has("password"));
        HttpResponse replaced = api.send(event);
        assertEquals(200, replaced.status());
        assertEquals(2, replaced.body().path("version").asInt());
        HttpResponse read = api.send("GET", MANAGER, Map.of("dc", "dc-madrid-1"), null, "[PHYS_DC_RETRIEVE_DETAILS]");
        assertEquals(200, read.status());
        assertEquals("svc-lifeboat", read.body().path("user").asText());
    }

    @Test
    void policyFixtureWithBase64BodyIsCreatedAndAllowedToTheCreator() {
        HttpResponse r = api.send(ApiHarness.fixture("create-backup-policy.json"));
        assertEquals(201, r.status(), String.valueOf(r.body()));
        String id = r.body().path("id").asText();
        assertEquals("/datacenters/dc-madrid-1/backup-policies/" + id, r.headers().get("location"));
        assertEquals("[\"monday\",\"friday\"]", r.body().path("backupConfigurations").get(1).path("days").toString());
        assertEquals("DEFINE_IN_VM", r.body().path("backupConfigurations").get(1).path("time").asText());
        assertFalse(r.body().path("inUse").asBoolean());
        HttpResponse allowed = api.send("GET", ALLOWED, Map.of("ent", "ent-admin", "dc", "dc-madrid-1"), null, "[]");
        assertEquals("[\"" + id + "\"]", allowed.body().path("policyIds").toString());
    }

    @Test
    void policyLifecycleWithVersionsAndPaging() {
        String id = api.send("POST", POLICIES, DC, GOLD, ADMIN_PRIVS).body().path("id").asText();
        api.send("POST", POLICIES, DC, GOLD.replace("GOLD", "SILVER"), ADMIN_PRIVS);
        api.send("POST", POLICIES, DC, GOLD.replace("GOLD", "BRONZE"), ADMIN_PRIVS);
        ObjectNode put = ApiHarness.event("PUT", POLICY, policy(id), GOLD.replace("Gold", "Golden"), ADMIN_PRIVS);
        ((ObjectNode) put.path("headers")).put("if-match", "\"1\"");
        HttpResponse updated = api.send(put);
        assertEquals(200, updated.status(), String.valueOf(updated.body()));
        assertEquals("\"2\"", updated.headers().get("etag"));
        assertProblem(api.send(put), 412);

        ObjectNode list = ApiHarness.event("GET", POLICIES, DC, null, ADMIN_PRIVS);
        list.putObject("queryStringParameters").put("limit", "2");
        HttpResponse page1 = api.send(list);
        assertEquals(2, page1.body().path("items").size());
        ((ObjectNode) list.path("queryStringParameters")).put("cursor", page1.body().path("nextCursor").asText());
        HttpResponse page2 = api.send(list);
        assertEquals(1, page2.body().path("items").size());
        assertTrue(page2.body().path("nextCursor").isNull());

        assertEquals(204, api.send("DELETE", POLICY, policy(id), null, ADMIN_PRIVS).status());
        assertProblem(api.send("GET", POLICY, policy(id), null, ADMIN_PRIVS), 404);
        assertProblem(api.send("DELETE", POLICY, policy(id), null, ADMIN_PRIVS), 404);
    }

    @Test
    void propertiesAndAllowances() {
        HttpResponse defaults = api.send("GET", PROPERTIES, DC, null, ADMIN_PRIVS);
        assertEquals(200, defaults.status());
        assertEquals(0, defaults.body().path("version").asInt());
        assertTrue(defaults.body().path("updatedAt").isNull());
        HttpResponse saved = api.send("PUT", PROPERTIES, DC,
                "{\"multipleRestore\":true,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":true,\"backupNow\":true}", ADMIN_PRIVS);
        assertEquals(200, saved.status());
        assertEquals(1, saved.body().path("version").asInt());
        assertProblem(api.send("PUT", PROPERTIES, DC, "{\"multipleRestore\":true}", ADMIN_PRIVS), 422);
        assertProblem(api.send("PUT", PROPERTIES, DC, "{\"multipleRestore\":\"yes\"}", ADMIN_PRIVS), 400);

        String id = api.send("POST", POLICIES, DC, GOLD, ADMIN_PRIVS).body().path("id").asText();
        HttpResponse allowed = api.send("PUT", ALLOWED, Map.of("ent", "ent-2", "dc", "dc1"), "{\"policyIds\":[\"" + id + "\"]}", ADMIN_PRIVS);
        assertEquals(200, allowed.status(), String.valueOf(allowed.body()));
        HttpResponse asMember = api.send("GET", ALLOWED, Map.of("ent", "ent-2", "dc", "dc1"), null, "[]");
        assertProblem(asMember, 403); // the fixture's user belongs to ent-admin, not ent-2
        HttpResponse unknown = api.send("PUT", ALLOWED, Map.of("ent", "ent-2", "dc", "dc1"), "{\"policyIds\":[\"01J00000000000000000000000\"]}", ADMIN_PRIVS);
        assertProblem(unknown, 422);
        assertEquals("policyIds[0]", unknown.body().path("errors").get(0).path("field").asText());
        assertEquals(200, api.send("GET", ALLOWED, Map.of("ent", "never", "dc", "dc1"), null, ADMIN_PRIVS).status());
    }

    @Test
    void connectionCheck() {
        assertProblem(api.send("POST", MANAGER + "/check", DC, null, ADMIN_PRIVS), 404);
        api.send("PUT", MANAGER, DC, "{\"name\":\"m\",\"type\":\"VMWARE_SNAPSHOT\",\"endpoint\":\"https://vc/sdk\",\"user\":\"root\",\"password\":\"x\"}", ADMIN_PRIVS);
        HttpResponse r = api.send("POST", MANAGER + "/check", DC, null, ADMIN_PRIVS);
        assertEquals(200, r.status());
        assertEquals("logged on as root", r.body().path("details").asText());
        assertProblem(api.send("POST", MANAGER + "/check", DC, null, "[PHYS_DC_RETRIEVE_DETAILS]"), 403);
    }

    @Test
    void everyClientErrorOfTheContract() {
        // 401: no claims at all, and claims without a subject.
        assertProblem(api.send("GET", PROPERTIES, DC, null, null), 401);
        ObjectNode noSub = ApiHarness.event("GET", PROPERTIES, DC, null, ADMIN_PRIVS);
        ((ObjectNode) noSub.path("requestContext").path("authorizer").path("jwt").path("claims")).remove("sub");
        assertProblem(api.send(noSub), 401);
        // 400: a path id outside the contract's limits, bad JSON, wrong kinds, bad If-Match, bad paging.
        assertProblem(api.send("GET", PROPERTIES, Map.of("dc", "dc 1"), null, ADMIN_PRIVS), 400);
        assertProblem(api.send("GET", PROPERTIES, Map.of("dc", "d".repeat(129)), null, ADMIN_PRIVS), 400);
        assertProblem(api.send("PUT", MANAGER, DC, "{\"name\":", ADMIN_PRIVS), 400);
        assertProblem(api.send("PUT", MANAGER, DC, "{\"name\":1,\"type\":[],\"endpoint\":{},\"user\":true,\"password\":2}", ADMIN_PRIVS), 400);
        assertProblem(api.send("PUT", MANAGER, DC, "{\"name\":\"a\",\"name\":\"b\"}", ADMIN_PRIVS), 400);
        ObjectNode badIfMatch = ApiHarness.event("PUT", PROPERTIES, DC, "{}", ADMIN_PRIVS);
        ((ObjectNode) badIfMatch.path("headers")).put("if-match", "yesterday");
        assertProblem(api.send(badIfMatch), 400);
        for (String limit : new String[] {"0", "101", "ten", "-1"}) {
            ObjectNode list = ApiHarness.event("GET", POLICIES, DC, null, ADMIN_PRIVS);
            list.putObject("queryStringParameters").put("limit", limit);
            assertProblem(api.send(list), 400);
        }
        ObjectNode badCursor = ApiHarness.event("GET", POLICIES, DC, null, ADMIN_PRIVS);
        badCursor.putObject("queryStringParameters").put("cursor", "bm90LWEtY3Vyc29y");
        assertProblem(api.send(badCursor), 400);
        // 413
        assertProblem(api.send("PUT", MANAGER, DC, "{\"name\":\"" + "x".repeat(70_000) + "\"}", ADMIN_PRIVS), 413);
        // 404 before 403: a missing manager is 404 even without the privilege.
        assertProblem(api.send("GET", MANAGER, DC, null, "[]"), 404);
        // 403
        assertProblem(api.send("PUT", MANAGER, DC, "{\"name\":", "[PHYS_DC_RETRIEVE_DETAILS]"), 403);
        assertProblem(api.send("POST", POLICIES, DC, GOLD, "[PHYS_DC_RETRIEVE_DETAILS]"), 403);
        assertProblem(api.send("GET", PROPERTIES, DC, null, "[VAPP_MANAGE_BACKUP]"), 403);
        // 422 with every field named.
        HttpResponse invalid = api.send("PUT", MANAGER, DC, "{\"type\":\"TAPE\"}", ADMIN_PRIVS);
        assertProblem(invalid, 422);
        assertEquals(5, invalid.body().path("errors").size());
        // 409: type change, duplicate code, VEEAM with DEFINED_HOUR.
        api.send("PUT", MANAGER, DC, "{\"name\":\"m\",\"type\":\"VMWARE_SNAPSHOT\",\"endpoint\":\"https://vc/sdk\",\"user\":\"u\",\"password\":\"p\"}", ADMIN_PRIVS);
        assertProblem(api.send("PUT", MANAGER, DC, "{\"name\":\"m\",\"type\":\"VEEAM\",\"endpoint\":\"https://v/api/\",\"user\":\"u\"}", ADMIN_PRIVS), 409);
        api.send("POST", POLICIES, DC, GOLD, ADMIN_PRIVS);
        assertProblem(api.send("POST", POLICIES, DC, GOLD.replace("\"GOLD\"", "\"gold\""), ADMIN_PRIVS), 409);
        assertProblem(api.send("PUT", MANAGER, Map.of("dc", "dc2"), "{\"name\":\"m\",\"type\":\"NETWORKER\",\"endpoint\":\"https://nw/\",\"user\":\"u\",\"password\":\"p#q\"}", ADMIN_PRIVS), 422);
        // 412
        ObjectNode stale = ApiHarness.event("DELETE", MANAGER, DC, null, ADMIN_PRIVS);
        ((ObjectNode) stale.path("headers")).put("if-match", "W/\"9\"");
        assertProblem(api.send(stale), 412);
    }

    @Test
    void hourlyHoursIsAStringAsTheContractSays() {
        String hourly = "{\"name\":\"Hourly\",\"code\":\"H6\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"HOURLY\",\"hours\":%s}]}";
        HttpResponse number = api.send("POST", POLICIES, DC, hourly.formatted("6"), ADMIN_PRIVS);
        assertProblem(number, 400);
        assertEquals("backupConfigurations[0].hours", number.body().path("errors").path(0).path("field").asText(), number.body().toString());
        HttpResponse text = api.send("POST", POLICIES, DC, hourly.formatted("\"6\""), ADMIN_PRIVS);
        assertEquals(201, text.status(), text.body().toString());
        assertEquals("6", text.body().path("backupConfigurations").path(0).path("hours").asText());
        assertTrue(text.body().path("backupConfigurations").path(0).path("hours").isTextual());
    }

    @Test
    void unknownRouteOfAHandlerIs404() {
        ObjectNode event = ApiHarness.event("GET", PROPERTIES, DC, null, ADMIN_PRIVS);
        event.put("routeKey", "PATCH /datacenters/{dc}/backup-properties");
        HttpResponse r = api.handlers.get(1).handle(event);
        assertProblem(r, 404);
        assertNull(r.headers().get("etag"));
    }
}
