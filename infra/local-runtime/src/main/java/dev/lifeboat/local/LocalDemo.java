package dev.lifeboat.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.sim.networker.Vm;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * {@code --demo}: a cloud to try Lifeboat on, set up through the local HTTP API as an administrator would:
 * datacenter {@code dc-veeam} on the Veeam simulator and {@code dc-networker} on the NetWorker simulator, each with
 * policies GOLD (daily) and SILVER (weekly) allowed to enterprise {@code ent-1}, every switch on but multiple
 * policies, and VMs web-01 and db-01 deployed with GOLD. Running it again changes nothing that is already so.
 */
final class LocalDemo {
    static final String ENTERPRISE = "ent-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI api;
    private final String token;
    private final PrintStream log;

    LocalDemo(URI api, String token, PrintStream log) {
        this.api = api;
        this.token = token;
        this.log = log;
    }

    /** The VMs it registers, by id. */
    List<String> load(LocalBackupSystems systems) throws IOException, InterruptedException {
        datacenter("dc-veeam", "{\"name\":\"Veeam (simulator)\",\"type\":\"VEEAM\",\"endpoint\":\"" + systems.veeamEndpoint()
                + "\",\"user\":\"lifeboat\",\"password\":\"lifeboat\"}");
        datacenter("dc-networker", "{\"name\":\"NetWorker (simulator)\",\"type\":\"NETWORKER\",\"endpoint\":\"" + systems.networkerEndpoint()
                + "\",\"user\":\"lifeboat#administrator@vsphere.local\",\"password\":\"lifeboat#vcenter\"}");
        // The Veeam simulator's demo VMs (VeeamSimulator.addDemoData) and the NetWorker simulator's, looked up.
        vm("veeam-web-01", "dc-veeam", "web-01", "vm-101", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a01");
        vm("veeam-db-01", "dc-veeam", "db-01", "vm-102", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a02");
        for (String name : List.of("web-01", "db-01")) {
            Vm vm = systems.networker().vmNamed(name).orElseThrow();
            vm("nw-" + name, "dc-networker", name, vm.moref(), vm.uuid());
        }
        return List.of("veeam-web-01", "veeam-db-01", "nw-web-01", "nw-db-01");
    }

    private void datacenter(String dc, String manager) throws IOException, InterruptedException {
        call("PUT", "/datacenters/" + dc + "/backup-manager", manager);
        call("PUT", "/datacenters/" + dc + "/backup-properties",
                "{\"multipleRestore\":true,\"multipleBackupPolicies\":false,\"updateWhenDeployed\":true,\"backupNow\":true}");
        policy(dc, "{\"name\":\"Gold\",\"code\":\"GOLD\",\"description\":\"Every night at 01:00 Madrid time\","
                + "\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"01:00:00 Europe/Madrid\"}]}");
        policy(dc, "{\"name\":\"Silver\",\"code\":\"SILVER\",\"description\":\"Saturdays at 03:00 Madrid time\","
                + "\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"WEEKLY_PLANNED\",\"days\":[\"saturday\"],\"time\":\"03:00:00 Europe/Madrid\"}]}");
    }

    private void policy(String dc, String body) throws IOException, InterruptedException {
        String code = JSON.readTree(body).path("code").asText();
        if (policyId(dc, code) == null) {
            // Created by an administrator of ENTERPRISE: the policy is allowed to that enterprise at once.
            call("POST", "/datacenters/" + dc + "/backup-policies", body);
        }
    }

    private String policyId(String dc, String code) throws IOException, InterruptedException {
        for (JsonNode p : call("GET", "/datacenters/" + dc + "/backup-policies?limit=100", null).path("items")) {
            if (p.path("code").asText().equalsIgnoreCase(code)) {
                return p.path("id").asText();
            }
        }
        return null;
    }

    private void vm(String id, String dc, String name, String moref, String uuid) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("enterprise", ENTERPRISE).put("datacenter", dc).put("name", name);
        body.putObject("hypervisor").put("vcenter", "vcenter.local").put("moref", moref).put("uuid", uuid);
        JsonNode existing = call("GET", "/virtual-machines/" + id, null);
        if (existing.path("state").asText().equals("DEPLOYED")) {
            return;
        }
        call("PUT", "/virtual-machines/" + id, body.put("state", "NOT_ALLOCATED").toString());
        call("PUT", "/virtual-machines/" + id + "/backup", "{\"policies\":[{\"policyId\":\"" + policyId(dc, "GOLD") + "\"}]}");
        // Deployed with its configuration: the apply-schedule workflow takes GOLD to the backup system.
        call("PUT", "/virtual-machines/" + id, body.put("state", "DEPLOYED").toString());
        log.println("  demo VM " + id + " (" + name + " in " + dc + ") deployed with GOLD");
    }

    /** A call that must succeed; a 404 of a GET answers an empty object. */
    private JsonNode call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + token).header("content-type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404 && method.equals("GET")) {
            return JSON.createObjectNode();
        }
        if (r.statusCode() >= 300) {
            throw new IOException("demo: " + method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }
}
