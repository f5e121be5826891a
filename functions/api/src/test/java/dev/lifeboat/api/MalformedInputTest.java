package dev.lifeboat.api;

import static dev.lifeboat.api.ApiHarness.ADMIN_PRIVS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** No malformed body ever yields a 5xx or a write. */
@ExtendWith(Dynalite.class)
class MalformedInputTest {
    static final String HUGE = "x".repeat(5000);
    static final List<String> BODIES = List.of(
            "", "null", "[]", "42", "\"text\"", "{", "{\"a\":}", "{\"name\":\"a\",}", "not json", "{\"name\":\"\\ud800\"}",
            "{\"name\":" + "[".repeat(200) + "]".repeat(200) + "}",
            "{\"name\":\"" + HUGE + "\",\"code\":\"" + HUGE + "\",\"description\":\"" + HUGE + "\",\"type\":\"" + HUGE + "\",\"endpoint\":\"" + HUGE + "\"}",
            "{\"name\":1,\"code\":2,\"type\":3,\"endpoint\":4,\"user\":5,\"password\":6,\"description\":7}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":\"DAILY\"}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":[1,2]}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":[{\"type\":1,\"subtype\":{}}]}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":{\"h\":1}}]}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"HOURLY\",\"hours\":1.5}]}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"HOURLY\",\"hours\":99999999999999999999}]}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"WEEKLY_PLANNED\",\"days\":[1],\"time\":\"x\"}]}",
            "{\"name\":\"n\",\"code\":\"C\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"99:99:99 +9999\"}]}",
            "{\"name\":\"n\",\"type\":\"VEEAM\",\"endpoint\":\"https://v/api\",\"user\":\"u\",\"password\":\"" + "p".repeat(2000) + "\"}",
            "{\"name\":\"n\",\"type\":\"SOMETHING_ELSE\",\"endpoint\":\"javascript:alert(1)\",\"user\":\"u\",\"password\":\"p\"}",
            "{\"policyIds\":\"all\"}", "{\"policyIds\":[null]}", "{\"policyIds\":[\"" + HUGE + "\"]}",
            "{\"multipleRestore\":1,\"multipleBackupPolicies\":\"true\",\"updateWhenDeployed\":null,\"backupNow\":[]}");

    ApiHarness api;

    @BeforeEach
    void start(URI endpoint) {
        api = new ApiHarness(endpoint, m -> new ConnectionCheck(true, true, 1L, "ok"));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void everyWriteRouteRefusesEveryMalformedBodyWithoutWriting() {
        String policyId = api.send("POST", "/datacenters/{dc}/backup-policies", Map.of("dc", "dc1"),
                "{\"name\":\"Gold\",\"code\":\"GOLD\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"MONTHLY\"}]}", ADMIN_PRIVS)
                .body().path("id").asText();
        var before = api.items();
        List<String> routes = List.of("PUT /datacenters/{dc}/backup-manager", "PUT /datacenters/{dc}/backup-properties",
                "POST /datacenters/{dc}/backup-policies", "PUT /datacenters/{dc}/backup-policies/{policyId}",
                "PUT /enterprises/{ent}/datacenters/{dc}/allowed-backup-policies");
        List<String> failures = new ArrayList<>();
        for (String route : routes) {
            String[] parts = route.split(" ", 2);
            for (String body : BODIES) {
                HttpResponse r = api.send(parts[0], parts[1], Map.of("dc", "dc1", "ent", "ent-2", "policyId", policyId), body, ADMIN_PRIVS);
                if (r.status() < 400 || r.status() >= 500) {
                    failures.add(route + " <- " + abbreviate(body) + " answered " + r.status() + " " + r.body());
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(before, api.items(), "a refused request must not write");
    }

    private static String abbreviate(String body) {
        return body.length() > 80 ? body.substring(0, 80) + "..." : body;
    }
}
