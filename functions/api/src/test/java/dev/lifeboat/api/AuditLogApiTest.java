package dev.lifeboat.api;

import static dev.lifeboat.api.ApiHarness.ADMIN_PRIVS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit log through the API over dynalite: change requests answered or refused with 403/409/412 are recorded, read
 * back newest first with the contract's filters, each caller sees only what it may, and nothing secret is kept.
 */
@ExtendWith(Dynalite.class)
class AuditLogApiTest {
    static final String PASSWORD = "Pw-audit-never-kept-93";
    static final String TOKEN = "Bearer eyJ-audit-token-never-kept";
    static final String TENANT = "[VAPP_MANAGE_BACKUP]";
    static final String ALL = "[ENTERPRISE_ADMINISTER_ALL PHYS_DC_RETRIEVE_DETAILS]";
    static final String VM = "/virtual-machines/{vm}";
    static final String MANAGER = "/datacenters/{dc}/backup-manager";
    static final String PROPERTIES = "/datacenters/{dc}/backup-properties";

    ApiHarness api;

    @BeforeEach
    void setUp(URI endpoint) {
        // A clock that moves, so entries have distinct times and since/until mean something.
        Instant start = Instant.parse("2026-12-05T08:00:00Z");
        Clock ticking = new Clock() {
            long n;
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public synchronized Instant instant() { return start.plusSeconds(n++); }
        };
        api = new ApiHarness(endpoint, m -> new ConnectionCheck(true, true, 3L, "ok"), ticking);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    HttpResponse send(String method, String path, Map<String, String> params, String body, String priv, String ent) {
        ObjectNode event = ApiHarness.event(method, path, params, body, priv, ent, Map.of());
        ((ObjectNode) event.path("headers")).put("authorization", TOKEN);
        return api.send(event);
    }

    HttpResponse audit(String priv, String ent, Map<String, String> query) {
        return api.send(ApiHarness.event("GET", "/audit-log", Map.of(), null, priv, ent, query));
    }

    static String vm(String ent) {
        return "{\"enterprise\":\"" + ent + "\",\"datacenter\":\"dc1\",\"name\":\"x\",\"state\":\"NOT_ALLOCATED\"}";
    }

    /** The story every test reads: configuration by an administrator, VMs of two enterprises, refusals. */
    void story() {
        assertEquals(201, send("PUT", MANAGER, Map.of("dc", "dc1"),
                "{\"name\":\"V\",\"type\":\"VEEAM\",\"endpoint\":\"https://veeam.example/api/\",\"user\":\"svc\",\"password\":\"" + PASSWORD + "\"}",
                ADMIN_PRIVS, "ent-admin").status());
        assertEquals(403, send("PUT", PROPERTIES, Map.of("dc", "dc1"), "{\"backupNow\":true}", TENANT, "ent-1").status());
        assertEquals(201, send("PUT", VM, Map.of("vm", "web-01"), vm("ent-1"), TENANT, "ent-1").status());
        assertEquals(201, send("PUT", VM, Map.of("vm", "db-02"), vm("ent-2"), TENANT, "ent-2").status());
        ObjectNode stale = ApiHarness.event("PUT", VM, Map.of("vm", "web-01"), vm("ent-1"), TENANT, "ent-1", Map.of());
        ((ObjectNode) stale.path("headers")).put("if-match", "\"7\"");
        assertEquals(412, api.send(stale).status());
        // Reads and requests refused for other reasons are not changes: not recorded.
        assertEquals(200, send("GET", VM, Map.of("vm", "web-01"), null, TENANT, "ent-1").status());
        assertEquals(400, send("PUT", VM, Map.of("vm", "web-01"), "{", TENANT, "ent-1").status());
    }

    static List<JsonNode> items(HttpResponse r) {
        assertEquals(200, r.status(), String.valueOf(r.body()));
        List<JsonNode> out = new ArrayList<>();
        r.body().path("items").forEach(out::add);
        return out;
    }

    static List<String> actions(List<JsonNode> entries) {
        return entries.stream().map(e -> e.path("action").asText() + " " + e.path("status").asText()).toList();
    }

    @Test
    void changeRequestsAnsweredOrRefusedAreRecordedNewestFirstWithWhoWhatAndTarget() {
        story();
        List<JsonNode> all = items(audit(ALL, "ent-admin", Map.of()));
        assertEquals(List.of("PUT /virtual-machines/{vm} 412", "PUT /virtual-machines/{vm} 201", "PUT /virtual-machines/{vm} 201",
                "PUT /datacenters/{dc}/backup-properties 403", "PUT /datacenters/{dc}/backup-manager 201"), actions(all));
        JsonNode manager = all.get(4);
        assertEquals("alice", manager.path("actor").path("sub").asText());
        assertEquals("ent-admin", manager.path("actor").path("ent").asText());
        assertEquals("dc1", manager.path("datacenter").asText());
        assertTrue(manager.path("enterprise").isNull(), manager.toString());
        assertEquals("/datacenters/dc1/backup-manager", manager.path("target").asText());
        assertFalse(manager.path("requestId").asText().isEmpty());
        JsonNode vm = all.get(2);
        assertEquals("web-01", vm.path("vm").asText());
        assertEquals("ent-1", vm.path("enterprise").asText());
        assertEquals("dc1", vm.path("datacenter").asText(), "a VM route's datacenter is the VM's");
        assertTrue(all.get(0).path("at").asText().compareTo(all.get(4).path("at").asText()) > 0);
    }

    @Test
    void anEnterpriseSeesOnlyItsOwnEntries() {
        story();
        List<JsonNode> ent1 = items(audit(TENANT, "ent-1", Map.of()));
        assertEquals(Set.of("ent-1"), ent1.stream().map(e -> e.path("enterprise").asText()).collect(Collectors.toSet()));
        assertEquals(List.of("PUT /virtual-machines/{vm} 412", "PUT /virtual-machines/{vm} 201"), actions(ent1));
        assertTrue(ent1.stream().noneMatch(e -> e.path("vm").asText().equals("db-02")), "another enterprise's VM: " + ent1);

        assertEquals(403, audit(TENANT, "ent-1", Map.of("enterprise", "ent-2")).status());
        assertEquals(0, items(audit(TENANT, "ent-1", Map.of("vm", "db-02"))).size(), "another enterprise's VM is empty");
        assertEquals(1, items(audit(TENANT, "ent-2", Map.of())).size());
        // Configuration readers see the configuration entries; administrators everything, filtered by enterprise too.
        List<JsonNode> config = items(audit("[PHYS_DC_RETRIEVE_DETAILS]", "ent-admin", Map.of()));
        assertEquals(List.of("PUT /datacenters/{dc}/backup-properties 403", "PUT /datacenters/{dc}/backup-manager 201"), actions(config));
        assertEquals(1, items(audit(ALL, "ent-admin", Map.of("enterprise", "ent-2"))).size());
    }

    @Test
    void filtersByDatacenterVmAndTimeAndPagesWithACursor() {
        story();
        assertEquals(List.of("PUT /virtual-machines/{vm} 412", "PUT /virtual-machines/{vm} 201"),
                actions(items(audit(TENANT, "ent-1", Map.of("vm", "web-01")))));
        assertEquals(5, items(audit(ALL, "ent-admin", Map.of("datacenter", "dc1"))).size());
        assertEquals(0, items(audit(ALL, "ent-admin", Map.of("datacenter", "dc9"))).size());
        assertEquals(2, items(audit(TENANT, "ent-1", Map.of("datacenter", "dc1", "enterprise", "ent-1"))).size());
        List<JsonNode> all = items(audit(ALL, "ent-admin", Map.of()));
        String third = all.get(2).path("at").asText();
        assertEquals(3, items(audit(ALL, "ent-admin", Map.of("since", third))).size());
        assertEquals(2, items(audit(ALL, "ent-admin", Map.of("until", third))).size());
        assertEquals(400, audit(ALL, "ent-admin", Map.of("since", "yesterday")).status());

        List<String> paged = new ArrayList<>();
        Map<String, String> query = new HashMap<>(Map.of("limit", "2"));
        for (int page = 0; page < 5; page++) {
            HttpResponse r = audit(ALL, "ent-admin", query);
            items(r).forEach(e -> paged.add(e.path("id").asText()));
            if (r.body().path("nextCursor").isNull()) {
                break;
            }
            query.put("cursor", r.body().path("nextCursor").asText());
        }
        assertEquals(all.stream().map(e -> e.path("id").asText()).toList(), paged);
    }

    @Test
    void noPasswordTokenOrBodyIsEverStored() {
        story();
        String audit = api.items().stream().filter(i -> i.get("PK").s().startsWith("AUDIT#")).toList().toString();
        assertNotNull(audit);
        assertTrue(audit.contains("backup-manager"), "the audit items were read: " + audit);
        for (String secret : List.of(PASSWORD, TOKEN, "eyJ-audit-token", "https://veeam.example", "\"svc\"", "backupNow", "NOT_ALLOCATED")) {
            assertFalse(audit.contains(secret), secret + " is in the audit log: " + audit);
        }
        // Entries expire: every audit item carries the table's TTL, 400 days after it was written.
        api.items().stream().filter(i -> i.get("PK").s().startsWith("AUDIT#")).forEach(i -> {
            long expires = Long.parseLong(i.get("expiresAt").n());
            Instant at = Instant.parse(i.get("at").s());
            assertEquals(at.plusSeconds(400L * 86400).getEpochSecond(), expires);
        });
    }
}
