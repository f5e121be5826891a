package dev.lifeboat.api;

import static dev.lifeboat.api.ApiHarness.ADMIN_PRIVS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Log;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.testing.Dynalite;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The password is write-only: no answer, log line, stored item or error message ever holds it. */
@ExtendWith(Dynalite.class)
class PasswordNeverLeaksTest {
    static final String PASSWORD = "Zq7-never-shown-4u";
    static final String PASSWORD_BACKUP_PART = "Zq7-nw-part";

    @Test
    void passwordAppearsNowhere(URI endpoint) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        PrintStream err = System.err;
        List<HttpResponse> answers = new ArrayList<>();
        ApiHarness api = new ApiHarness(endpoint, m -> new ConnectionCheck(false, false, null, "refused for " + m.user()));
        try {
            System.setOut(capture);
            System.setErr(capture);
            Log.redirect(capture);
            String path = "/datacenters/{dc}/backup-manager";
            Map<String, String> dc = Map.of("dc", "dc1");
            answers.add(api.send("PUT", path, dc, manager("VEEAM", "svc", PASSWORD), ADMIN_PRIVS));
            answers.add(api.send("PUT", path, dc, manager("VEEAM", "svc", PASSWORD + "-2"), ADMIN_PRIVS));
            answers.add(api.send("PUT", path, dc, manager("NETWORKER", "svc#vc", PASSWORD_BACKUP_PART + "#" + PASSWORD), ADMIN_PRIVS));
            answers.add(api.send("PUT", path, Map.of("dc", "dc2"), manager("NETWORKER", "svc#vc", PASSWORD), ADMIN_PRIVS));
            answers.add(api.send("PUT", path, Map.of("dc", "dc3"), manager("VEEAM", "svc", PASSWORD + "x".repeat(1100)), ADMIN_PRIVS));
            answers.add(api.send("PUT", path, Map.of("dc", "dc4"), "{\"password\":\"" + PASSWORD + "\",", ADMIN_PRIVS));
            answers.add(api.send("PUT", path, dc, manager("VEEAM", "svc", PASSWORD), "[PHYS_DC_RETRIEVE_DETAILS]"));
            answers.add(api.send("GET", path, dc, null, ADMIN_PRIVS));
            answers.add(api.send("POST", path + "/check", dc, null, ADMIN_PRIVS));
        } finally {
            System.setOut(out);
            System.setErr(err);
            Log.redirect(out);
        }
        assertEquals(201, answers.get(0).status());
        assertEquals(409, answers.get(2).status(), "type change refused");
        assertEquals(422, answers.get(3).status(), "single-part NETWORKER password refused");
        assertEquals(422, answers.get(4).status());
        assertEquals(400, answers.get(5).status());
        assertEquals(403, answers.get(6).status());
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertTrue(logs.contains("\"routeKey\""), "the log was captured: " + logs);
        String everything = logs + answers + api.items();
        for (String secret : List.of(PASSWORD, PASSWORD_BACKUP_PART)) {
            assertFalse(everything.contains(secret), "the password leaked");
        }
        assertEquals(PASSWORD + "-2", api.secrets.read(api.send("GET", path(), Map.of("dc", "dc1"), null, ADMIN_PRIVS).status() == 200
                ? storedRef(api) : null).reveal(), "the secret store holds the latest password");
        api.close();
    }

    private static String path() {
        return "/datacenters/{dc}/backup-manager";
    }

    private static dev.lifeboat.domain.secret.SecretRef storedRef(ApiHarness api) {
        var item = api.items().stream().filter(i -> i.get("SK").s().equals("MANAGER") && i.get("PK").s().equals("DC#dc1")).findFirst().orElseThrow();
        return new dev.lifeboat.domain.secret.SecretRef(item.get("secretId").s(), item.get("secretVersion").s());
    }

    private static String manager(String type, String user, String password) {
        return "{\"name\":\"m\",\"type\":\"" + type + "\",\"endpoint\":\"https://backup.example.com/api/\",\"user\":\"" + user
                + "\",\"password\":\"" + password + "\"}";
    }
}
