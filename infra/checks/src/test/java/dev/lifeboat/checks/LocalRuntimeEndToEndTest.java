package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.LocalApiMain;
import dev.lifeboat.local.LocalTokens;
import dev.lifeboat.processes.RepositoryRoot;
import dev.lifeboat.testing.VcsimServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole local runtime through its HTTP API, as a user drives it: the demo cloud, a backup the backup system fails,
 * and a snapshot backup that Lifeboat's own schedule starts on a clock running 120 times faster.
 */
class LocalRuntimeEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final String admin = LocalTokens.fromEnvironment().create("admin", "ent-1", LocalTokens.ALL_PRIVILEGES, Duration.ofHours(1));

    LocalApiMain.Running start(Path data, String... extra) throws Exception {
        Path root = RepositoryRoot.find();
        PrintStream sink = new PrintStream(log, true, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("--template", root.resolve("template.yaml").toString(), "--port", "0",
                "--lambda-port", "0", "--sfn-port", "0", "--veeam-port", "0", "--networker-port", "0", "--job-seconds", "0.5",
                "--data", data.resolve("dynamodb").toString(), "--param", "JwtIssuer=lifeboat-local",
                "--param", "SecretStore=file:" + data.resolve("secrets"), "--param", "PluginSecretStore=file:" + data.resolve("secrets"),
                "--param", "SecretsExtensionLayerArn=local-none"));
        args.addAll(List.of(extra));
        return LocalApiMain.start(args.toArray(String[]::new), sink, sink);
    }

    JsonNode call(URI base, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("authorization", "Bearer " + admin)
                .header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, () -> method + " " + path + " answered " + r.statusCode() + ": " + r.body() + "\n" + log);
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    JsonNode waitFor(URI base, String path, Predicate<JsonNode> done, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        JsonNode last;
        do {
            last = call(base, "GET", path, null);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < end);
        throw new AssertionError("still not done after " + limit + ": " + path + " = " + last + "\n" + log);
    }

    @Test
    void theDemoSetsUpACloudWhoseVmsAreInForce(@TempDir Path data) throws Exception {
        try (LocalApiMain.Running running = start(data, "--demo")) {
            URI base = running.api().baseUri();
            JsonNode vms = call(base, "GET", "/virtual-machines?limit=10", null);
            assertEquals(4, vms.path("items").size(), vms.toString());
            for (JsonNode vm : vms.path("items")) {
                assertEquals("DEPLOYED", vm.path("state").asText());
                waitFor(base, "/virtual-machines/" + vm.path("id").asText() + "/backup", c -> c.path("status").asText().equals("APPLIED"),
                        Duration.ofSeconds(60));
            }
            assertTrue(running.backupSystems().networker().workItems("GOLD").size() == 2, "NetWorker's GOLD group holds both demo VMs");
        }
    }

    /** Also what an operator sees of it (issue 13): its metric line, its audit entry, its notification (NotificationRule on). */
    @Test
    void aBackupTheBackupSystemFailsIsFailedWithItsReason(@TempDir Path data) throws Exception {
        try (LocalApiMain.Running running = start(data, "--param", "Notifications=FAILED")) {
            URI base = running.api().baseUri();
            call(base, "PUT", "/datacenters/dc1/backup-manager", "{\"name\":\"Veeam\",\"type\":\"VEEAM\",\"endpoint\":\""
                    + running.veeamEndpoint() + "\",\"user\":\"lifeboat\",\"password\":\"lifeboat\"}");
            call(base, "PUT", "/datacenters/dc1/backup-properties",
                    "{\"multipleRestore\":false,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":true,\"backupNow\":true}");
            String gold = call(base, "POST", "/datacenters/dc1/backup-policies",
                    "{\"name\":\"Gold\",\"code\":\"GOLD\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:00:00 +0000\"}]}")
                    .path("id").asText();
            call(base, "PUT", "/virtual-machines/web-01", "{\"enterprise\":\"ent-1\",\"datacenter\":\"dc1\",\"name\":\"web-01\",\"state\":\"DEPLOYED\","
                    + "\"hypervisor\":{\"vcenter\":\"vcenter.local\",\"moref\":\"vm-101\"}}");
            call(base, "PUT", "/virtual-machines/web-01/backup", "{\"policies\":[{\"policyId\":\"" + gold + "\"}]}");
            waitFor(base, "/virtual-machines/web-01/backup", c -> c.path("status").asText().equals("APPLIED"), Duration.ofSeconds(60));
            running.backupSystems().veeam().failNextBackup("web-01", "Datastore datastore1 is full");
            String id = call(base, "POST", "/virtual-machines/web-01/backups", "{}").path("id").asText();
            JsonNode failed = waitFor(base, "/virtual-machines/web-01/backups/" + id, b -> b.path("status").asText().equals("FAILED"),
                    Duration.ofSeconds(90));
            assertTrue(failed.path("error").path("message").asText().contains("Datastore datastore1 is full"), failed.toString());
            OperationsView.assertFailedBackupSeen(this, base, id);
            // The VM is free again: the next backup runs and succeeds.
            String next = call(base, "POST", "/virtual-machines/web-01/backups", "{}").path("id").asText();
            waitFor(base, "/virtual-machines/web-01/backups/" + next, b -> b.path("status").asText().equals("SUCCESS"), Duration.ofSeconds(90));
            OperationsView.assertSuccessCountedNotNotified(this, next);
        }
    }

    @Test
    void aSnapshotScheduleFiresOnTheSpedUpClockAndTheBackupSucceeds(@TempDir Path data) throws Exception {
        // vcsim over plain http: a manager has no CA bundle setting, and vcsim's certificate is its own.
        try (VcsimServer vcsim = VcsimServer.start(List.of("-tls=false"));
                LocalApiMain.Running running = start(data, "--clock-speed", "120")) {
            URI base = running.api().baseUri();
            String moref = vmMoref(vcsim.sdkUri(), "/DC0/vm/DC0_H0_VM0");
            call(base, "PUT", "/datacenters/dc-vc/backup-manager", "{\"name\":\"vCenter\",\"type\":\"VMWARE_SNAPSHOT\",\"endpoint\":\""
                    + vcsim.sdkUri() + "\",\"user\":\"user\",\"password\":\"pass\"}");
            call(base, "PUT", "/datacenters/dc-vc/backup-properties",
                    "{\"multipleRestore\":false,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":true,\"backupNow\":false}");
            // Half an hour ahead on a clock that runs 120 times faster: about 15 s from now.
            String time = ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(30).format(DateTimeFormatter.ofPattern("HH:mm")) + ":00 +0000";
            String policy = call(base, "POST", "/datacenters/dc-vc/backup-policies", "{\"name\":\"Snap\",\"code\":\"SNAP\",\"backupConfigurations\":"
                    + "[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"" + time + "\"}]}").path("id").asText();
            call(base, "PUT", "/virtual-machines/vm0", "{\"enterprise\":\"ent-1\",\"datacenter\":\"dc-vc\",\"name\":\"DC0_H0_VM0\",\"state\":\"DEPLOYED\","
                    + "\"hypervisor\":{\"vcenter\":\"" + vcsim.host() + "\",\"moref\":\"" + moref + "\"}}");
            call(base, "PUT", "/virtual-machines/vm0/backup", "{\"policies\":[{\"policyId\":\"" + policy + "\"}]}");
            waitFor(base, "/virtual-machines/vm0/backup", c -> c.path("status").asText().equals("APPLIED"), Duration.ofSeconds(60));
            // Results sync runs on the same fast clock and may list snapshots vcsim already had (DISCOVERED); the
            // schedule's backup is the SCHEDULED one.
            Predicate<JsonNode> isScheduled = b -> b.path("trigger").asText().equals("SCHEDULED");
            JsonNode backups = waitFor(base, "/virtual-machines/vm0/backups", list -> stream(list).anyMatch(b -> isScheduled.test(b)
                    && b.path("status").asText().equals("SUCCESS")), Duration.ofSeconds(120));
            JsonNode scheduled = stream(backups).filter(isScheduled).findFirst().orElseThrow();
            assertEquals(policy, scheduled.path("policyId").asText());
            assertTrue(scheduled.path("providerRef").asText().length() > 0, "the snapshot is the restore point: " + scheduled);
        }
    }

    static java.util.stream.Stream<JsonNode> stream(JsonNode page) {
        List<JsonNode> items = new ArrayList<>();
        page.path("items").forEach(items::add);
        return items.stream();
    }

    /** The moref of a VM of vcsim's inventory, looked up with two vim25 calls. */
    static String vmMoref(URI sdk, String inventoryPath) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> login = soap(client, sdk, null, "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"
                + "<userName>user</userName><password>pass</password></Login>");
        String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        String body = soap(client, sdk, cookie, "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">SearchIndex</_this>"
                + "<inventoryPath>" + inventoryPath + "</inventoryPath></FindByInventoryPath>").body();
        Matcher m = Pattern.compile("<returnval type=\"VirtualMachine\">([^<]+)<").matcher(body);
        assertTrue(m.find(), body);
        return m.group(1);
    }

    static HttpResponse<String> soap(HttpClient client, URI sdk, String cookie, String call) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(sdk).header("content-type", "text/xml; charset=utf-8").header("soapaction", "urn:vim25/8.0")
                .POST(HttpRequest.BodyPublishers.ofString("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
                        + "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>" + call + "</soapenv:Body></soapenv:Envelope>"));
        if (cookie != null) {
            b.header("cookie", cookie);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
