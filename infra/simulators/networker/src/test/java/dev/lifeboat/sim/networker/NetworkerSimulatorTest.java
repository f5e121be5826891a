package dev.lifeboat.sim.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.sim.SimClock;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetworkerSimulatorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String AUTH = basic("lifeboat", "lifeboat");

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<NetworkerSimulator> started = new ArrayList<>();
    NetworkerSimulator sim;
    Vm web;
    Vm db;

    @AfterEach
    void stop() {
        started.forEach(NetworkerSimulator::close);
    }

    /** The demo scene of the main class, with jobs that finish when accepted unless a builder says otherwise. */
    NetworkerSimulator start(NetworkerSimulator.Builder builder) throws IOException {
        NetworkerSimulator s = builder.start();
        started.add(s);
        NetworkerSimulatorMain.demoData(s);
        sim = s;
        web = s.vmNamed("web-01").orElseThrow();
        db = s.vmNamed("db-01").orElseThrow();
        return s;
    }

    NetworkerSimulator start() throws IOException {
        return start(NetworkerSimulator.builder().jobDuration(Duration.ZERO));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    String url(String path) {
        return sim.baseUri() + path;
    }

    HttpResponse<String> send(String method, String url, String body, String auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).header("Accept", "application/json");
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", url(path), null, AUTH);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", url(path), body, AUTH);
    }

    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    JsonNode follow(String location) throws Exception {
        HttpResponse<String> r = send("GET", location, null, AUTH);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static String message(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body()).path("message").asText();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    String vmPath(Vm vm) {
        return "/vmware/vcenters/vcenter.local/vms/" + vm.uuid();
    }

    String backupsPath(String uuid) {
        return "/vmware/vcenters/vcenter.local/protectedvms/" + uuid + "/backups";
    }

    String assign(String group, Vm vm) throws Exception {
        HttpResponse<String> r = post("/protectiongroups/" + group + "/op/updatevmwareworkitems",
                "{\"addWorkItems\":{\"vCenterHostname\":\"vcenter.local\",\"vmUuids\":[\"" + vm.uuid() + "\"],\"containerMorefs\":[]}}");
        assertEquals(201, r.statusCode(), r.body());
        return r.body();
    }

    String backupNow(Vm vm, String workflow) throws Exception {
        HttpResponse<String> r = post(vmPath(vm) + "/op/backup", "{\"policy\":\"Lifeboat\",\"workflow\":\"" + workflow + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    // =================================================================================================================

    @Test
    void basicAuthIsCheckedOnEveryCallWithoutSession() throws Exception {
        start();
        assertEquals(200, get("").statusCode());
        HttpResponse<String> none = send("GET", url(""), null, null);
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertFalse(message(none).isBlank());
        assertEquals(401, send("GET", url("/protectionpolicies"), null, basic("lifeboat", "wrong")).statusCode());
        assertEquals(401, send("GET", url("/no/such/thing"), null, "Basic !!!notbase64").statusCode(), "auth comes before 404");
        assertEquals(401, send("POST", url(vmPath(web) + "/op/backup"), "{}", null).statusCode());
        // A good call right after bad ones works: nothing is remembered between calls.
        assertEquals(200, get("/protectionpolicies").statusCode());
        assertEquals(401, sim.requests().get(1).status());
        assertEquals("/nwrestapi/v3/global", sim.requests().get(0).path());
    }

    @Test
    void customCredentials() throws Exception {
        start(NetworkerSimulator.builder().credentials("admin", "s3cret"));
        assertEquals(401, get("").statusCode());
        assertEquals(200, send("GET", url(""), null, basic("admin", "s3cret")).statusCode());
    }

    @Test
    void listsHaveCountAndPluralAndHonourQAndFl() throws Exception {
        start();
        JsonNode policies = getJson("/protectionpolicies");
        assertEquals(1, policies.get("count").asInt());
        JsonNode p = policies.get("protectionPolicies").get(0);
        assertEquals("Lifeboat", p.get("name").asText());
        for (String f : List.of("comment", "policyProtectionEnable", "policyProtectionPeriod", "resourceId", "summaryNotification", "workflows", "links")) {
            assertTrue(p.has(f), f);
        }
        assertTrue(p.at("/resourceId/id").asText().contains("."));
        assertEquals("GOLD", p.at("/workflows/0/name").asText());
        assertEquals("GOLD", p.at("/workflows/0/protectionGroups/0").asText());
        // CS-N style: the code in the comment, query written with '+' for spaces.
        assertEquals(1, getJson("/protectionpolicies?q=comment:" + q("Lifeboat self-service backup policies")).get("count").asInt());
        assertEquals(0, getJson("/protectionpolicies?q=comment:GOLD").get("count").asInt());

        JsonNode vms = getJson("/vmware/vms?fl=name,uuid");
        assertEquals(2, vms.get("count").asInt());
        JsonNode first = vms.get("vms").get(0);
        assertEquals(List.of("name", "uuid"), iterableNames(first));
        assertEquals(web.uuid(), first.get("uuid").asText());
        // Terms joined by +and+, values case-insensitive, comma alternatives (NWPS joins names with ',').
        assertEquals(1, getJson("/vmware/vcenters/vcenter.local/vms?q=name:WEB-01+and+vCenterHostname:vcenter.local").get("count").asInt());
        assertEquals(0, getJson("/vmware/vcenters/vcenter.local/vms?q=name:web-01+and+powerState:poweredOff").get("count").asInt());
        assertEquals(2, getJson("/vmware/vms?q=" + q("name:web-01,db-01")).get("count").asInt());
        assertEquals(1, getJson("/vmware/vcenters").get("vCenters").size());
        JsonNode groups = getJson("/protectiongroups?fl=name");
        assertEquals(2, groups.get("count").asInt());
        assertEquals("{\"name\":\"GOLD\"}", groups.get("protectionGroups").get(0).toString());
        assertEquals(400, get("/protectionpolicies?q=" + q("nocolon")).statusCode());
        assertEquals("Lifeboat", getJson("/protectionpolicies/Lifeboat?fl=name").get("name").asText());
        assertEquals(2, getJson("/protectionpolicies/Lifeboat/workflows").get("count").asInt());
        assertEquals(14 + " Days", getJson("/protectionpolicies/Lifeboat/workflows/SILVER").at("/actions/0/actionSpecificData/backup/retentionPeriod").asText());
    }

    static List<String> iterableNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void backupsQueryBySaveTimeRangesAndName() throws Exception {
        start();
        Instant now = sim.clock().instant();
        JsonNode all = getJson("/backups");
        assertEquals(2, all.get("count").asInt());
        JsonNode recent = getJson(backupsPath(web.uuid()) + "?q=" + q("saveTime:[7 days]"));
        assertEquals(1, recent.get("count").asInt());
        String from = NetworkerApi.TIME.format(now.minus(Duration.ofDays(41))).substring(0, 19);
        String to = NetworkerApi.TIME.format(now.minus(Duration.ofDays(39))).substring(0, 19);
        // CS-N: ?q=name:vm01+and+saveTime:['from'+TO+'to']
        JsonNode old = getJson("/backups?q=name:web-01+and+saveTime:%5B'" + from + "'+TO+'" + to + "'%5D");
        assertEquals(1, old.get("count").asInt());
        Instant retention = Instant.parse(old.at("/backups/0/retentionTime").asText().replace("+00:00", "Z"));
        assertTrue(retention.isBefore(now), "the old backup has expired and is still listed");
        assertEquals(0, getJson("/backups?q=name:db-01").get("count").asInt());
    }

    @Test
    void backupsSinceASaveTimeComeInPagesOldestFirstAndBadPagingOrDatesAre400() throws Exception {
        start();
        Instant t0 = sim.clock().instant().minus(Duration.ofHours(3));
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            made.add(sim.addBackup(i % 2 == 0 ? web.uuid() : db.uuid(), t0.plusSeconds(60L * (25 - i)), t0.plus(Duration.ofDays(30))).id());
        }
        String range = q("saveTime:['" + NetworkerApi.TIME.format(t0).substring(0, 19) + "' TO '*']");
        List<String> read = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        for (int offset = 0; ; offset += 10) {
            JsonNode page = getJson("/backups?q=" + range + "&fl=id,saveTime,vmInformation.vmUuid&limit=10&offset=" + offset);
            assertEquals(25, page.get("count").asInt(), "count is every match, whatever the page");
            page.get("backups").forEach(b -> {
                read.add(b.get("id").asText());
                times.add(Instant.parse(b.get("saveTime").asText().replace("+00:00", "Z")));
                assertEquals(List.of("id", "saveTime", "vmInformation"), iterableNames(b));
            });
            if (page.get("backups").size() < 10) {
                break;
            }
        }
        assertEquals(new java.util.HashSet<>(made), new java.util.HashSet<>(read), "each new backup once, none of the demo's older ones");
        assertEquals(25, read.size());
        assertEquals(times.stream().sorted().toList(), times, "oldest save time first");
        for (String bad : List.of("limit=0", "limit=ten", "offset=-1")) {
            HttpResponse<String> r = get("/backups?q=" + range + "&" + bad);
            assertEquals(400, r.statusCode(), bad);
            assertTrue(message(r).contains(bad.substring(0, bad.indexOf('='))), r.body());
        }
        HttpResponse<String> notADate = get("/backups?q=" + q("saveTime:['yesterday' TO '*']"));
        assertEquals(400, notADate.statusCode());
        assertTrue(message(notADate).contains("yesterday"), notADate.body());
    }

    @Test
    void workItemsAreAddedAndRemovedAndProtectionDetailsFollow() throws Exception {
        start();
        String empty = assign("GOLD", web);
        assertEquals("", empty);
        assertEquals(List.of(web.uuid()), sim.workItems("GOLD"));
        JsonNode group = getJson("/protectiongroups/GOLD");
        assertEquals(web.uuid(), group.at("/vmwareWorkItemSelection/vmUuids/0").asText());
        assertEquals("vcenter.local", group.at("/vmwareWorkItemSelection/vCenterHostname").asText());
        JsonNode details = getJson(vmPath(web) + "/protectiondetails");
        assertEquals(1, details.get("count").asInt());
        assertEquals("Lifeboat", details.at("/protectionDetails/0/protectionPolicy/name").asText());
        assertEquals("GOLD", details.at("/protectionDetails/0/workflow/name").asText());

        HttpResponse<String> dup = post("/protectiongroups/GOLD/op/updatevmwareworkitems",
                "{\"addWorkItems\":{\"vCenterHostname\":\"vcenter.local\",\"vmUuids\":[\"" + web.uuid() + "\"]}}");
        assertEquals(400, dup.statusCode());
        assertTrue(message(dup).startsWith("There is already a "), dup.body());

        HttpResponse<String> unknownVm = post("/protectiongroups/GOLD/op/updatevmwareworkitems",
                "{\"addWorkItems\":{\"vCenterHostname\":\"vcenter.local\",\"vmUuids\":[\"nope\"]}}");
        assertEquals(400, unknownVm.statusCode());
        assertTrue(message(unknownVm).contains("nope"));

        // Move web-01 from GOLD to SILVER in two calls; delete answers 204.
        HttpResponse<String> del = post("/protectiongroups/GOLD/op/updatevmwareworkitems",
                "{\"deleteWorkItems\":{\"vCenterHostname\":\"vcenter.local\",\"vmUuids\":[\"" + web.uuid() + "\"],\"containerMorefs\":[]}}");
        assertEquals(204, del.statusCode());
        assertEquals("", del.body());
        assertEquals(List.of(), sim.workItems("GOLD"));
        assertEquals(0, getJson(vmPath(web) + "/protectiondetails").get("count").asInt());
        assignAndCheck();
        assertEquals(400, post("/protectiongroups/GOLD/op/updatevmwareworkitems",
                "{\"deleteWorkItems\":{\"vCenterHostname\":\"vcenter.local\",\"vmUuids\":[\"" + web.uuid() + "\"]}}").statusCode());
        assertEquals(404, post("/protectiongroups/BRONZE/op/updatevmwareworkitems", "{\"addWorkItems\":{}}").statusCode());
        assertEquals(400, post("/protectiongroups/GOLD/op/updatevmwareworkitems", "{}").statusCode());
    }

    private void assignAndCheck() throws Exception {
        assign("SILVER", web);
        assertEquals("SILVER", getJson(vmPath(web) + "/protectiondetails").at("/protectionDetails/0/workflow/name").asText());
    }

    @Test
    void backupJobAdvancesFromLocationToSucceededAndTheBackupIsListed() throws Exception {
        SimClock clock = new SimClock();
        start(NetworkerSimulator.builder().clock(clock));
        assign("GOLD", db);
        String location = backupNow(db, "GOLD");
        assertTrue(location.startsWith("http://127.0.0.1:" + sim.port() + "/nwrestapi/v3/global/jobs/"), location);
        String id = location.substring(location.lastIndexOf('/') + 1);

        JsonNode queued = follow(location);
        assertEquals("Queued", queued.get("state").asText());
        assertFalse(queued.get("stopped").asBoolean());
        assertFalse(queued.has("endTime"));
        assertEquals(Long.parseLong(id), queued.get("id").asLong());
        clock.advance(Duration.ofMillis(700));
        JsonNode running = follow(location);
        assertNotEquals("Completed", running.get("state").asText());
        assertTrue(sim.backups(db.uuid()).isEmpty(), "no backup before the job completes");
        clock.advance(Duration.ofMillis(1400));
        JsonNode done = follow(location);
        assertEquals("Completed", done.get("state").asText());
        assertTrue(done.get("stopped").asBoolean());
        assertEquals("Succeeded", done.get("completionStatus").asText());
        assertEquals(0, done.get("exitCode").asInt());
        assertTrue(done.has("endTime"));
        assertEquals(location, done.at("/links/0/href").asText());
        assertEquals(1, getJson("/jobs?q=state:completed").get("count").asInt());

        JsonNode backups = getJson(backupsPath(db.uuid()));
        assertEquals(1, backups.get("count").asInt());
        JsonNode b = backups.get("backups").get(0);
        for (String f : List.of("id", "completionTime", "creationTime", "retentionTime", "saveTime", "size", "shortId", "instances", "links", "attributes")) {
            assertTrue(b.has(f), f);
        }
        assertEquals("Byte", b.at("/size/unit").asText());
        assertTrue(b.at("/size/value").asLong() > 0);
        assertEquals("db-01", b.at("/vmInformation/vmName").asText());
        assertEquals("datastore-31", b.at("/vmInformation/datastoreMoref").asText());
        JsonNode disk = b.at("/vmInformation/disks/0");
        assertEquals(2000, disk.get("key").asInt());
        assertEquals("Hard disk 1", disk.get("name").asText());
        assertEquals("datastore1", disk.get("datastoreName").asText());
        assertTrue(disk.has("sizeInKb") && disk.has("thinProvisioned"));
        assertEquals("false", b.at("/instances/0/clone").asText());
        assertTrue(b.at("/instances/0/links/1/href").asText().endsWith("/op/recover"));
        Instant retention = Instant.parse(b.get("retentionTime").asText().replace("+00:00", "Z"));
        Instant save = Instant.parse(b.get("saveTime").asText().replace("+00:00", "Z"));
        assertEquals(30, Duration.between(save, retention).toDays());

        String backupId = b.get("id").asText();
        assertEquals(backupId, getJson("/backups/" + backupId).get("id").asText());
        assertEquals(backupId, getJson(backupsPath(db.uuid()) + "/" + backupId).get("id").asText());
        assertEquals(1, getJson(backupsPath(db.uuid()) + "/" + backupId + "/instances").get("count").asInt());
        assertEquals(List.of(backupId), sim.job(Long.parseLong(id)).orElseThrow().backupIds());
        assertEquals(1, getJson("/vmware/vcenters/vcenter.local/protectedvms?q=name:db-01").get("count").asInt());
    }

    @Test
    void backupNeedsAKnownWorkflowThatProtectsTheVm() throws Exception {
        start();
        HttpResponse<String> notMember = post(vmPath(web) + "/op/backup", "{\"policy\":\"Lifeboat\",\"workflow\":\"GOLD\"}");
        assertEquals(400, notMember.statusCode());
        assertTrue(message(notMember).contains("not protected"));
        assertEquals(400, post(vmPath(web) + "/op/backup", "{\"policy\":\"Lifeboat\"}").statusCode());
        assertEquals(400, post(vmPath(web) + "/op/backup", "{\"policy\":\"Nope\",\"workflow\":\"GOLD\"}").statusCode());
        assertEquals(404, post("/vmware/vcenters/vcenter.local/vms/nope/op/backup", "{\"policy\":\"Lifeboat\",\"workflow\":\"GOLD\"}").statusCode());
        assertEquals(404, post("/vmware/vcenters/other.local/vms/" + web.uuid() + "/op/backup", "{}").statusCode());
    }

    @Test
    void failingBackupEndsFailedWithItsMessage() throws Exception {
        start();
        assign("GOLD", web);
        sim.failNextBackup(web.uuid(), "VMware snapshot creation failed: disk locked");
        JsonNode job = follow(backupNow(web, "GOLD"));
        assertEquals("Completed", job.get("state").asText());
        assertEquals("Failed", job.get("completionStatus").asText());
        assertNotEquals(0, job.get("exitCode").asInt());
        assertEquals("VMware snapshot creation failed: disk locked", job.get("message").asText());
        HttpResponse<String> log = send("GET", job.at("/links/0/href").asText() + "/log", null, AUTH);
        assertEquals(200, log.statusCode());
        assertTrue(log.body().contains("disk locked"));
        assertEquals(2, sim.backups(web.uuid()).size(), "only the two made by the schedule");
        // Only the next one fails.
        assertEquals("Succeeded", follow(backupNow(web, "GOLD")).get("completionStatus").asText());
        assertEquals(3, sim.backups(web.uuid()).size());
    }

    @Test
    void workflowBackupCoversItsGroupsAndAJobCanBeCancelled() throws Exception {
        SimClock clock = new SimClock();
        start(NetworkerSimulator.builder().clock(clock));
        assign("GOLD", web);
        assign("GOLD", db);
        HttpResponse<String> r = post("/protectionpolicies/Lifeboat/workflows/GOLD/op/backup", "{\"restart\":\"False\",\"isAdhoc\":\"False\"}");
        assertEquals(201, r.statusCode(), r.body());
        clock.advance(Duration.ofSeconds(2));
        Job job = sim.jobs().get(0);
        assertEquals("Succeeded", job.completionStatus());
        assertEquals(2, job.backupIds().size());

        HttpResponse<String> second = post("/protectionpolicies/Lifeboat/workflows/GOLD/op/backup", "{\"clients\":[\"db-01\"]}");
        String location = second.headers().firstValue("Location").orElseThrow();
        assertEquals(List.of(db.uuid()), sim.jobs().get(1).vmUuids());
        assertEquals(204, send("POST", location + "/op/cancel", null, AUTH).statusCode());
        JsonNode cancelled = follow(location);
        assertEquals("Completed", cancelled.get("state").asText());
        assertEquals("Abandoned", cancelled.get("completionStatus").asText());
        assertEquals(400, send("POST", location + "/op/cancel", null, AUTH).statusCode());
        clock.advance(Duration.ofSeconds(5));
        assertEquals(1, sim.backups(db.uuid()).size(), "a cancelled job makes no backup");

        post("/protectionpolicies/Lifeboat/workflows/SILVER/op/backup", "{}");
        clock.advance(Duration.ofSeconds(2));
        assertEquals("Unknown", sim.jobs().get(2).completionStatus(), "nothing to back up: the job did not run");
        assertEquals(400, post("/protectionpolicies/Lifeboat/workflows/GOLD/op/backup", "{\"clients\":[\"mail-01\"]}").statusCode());
    }

    @Test
    void recoverRevertInPlace() throws Exception {
        start();
        Backup b = sim.backups(web.uuid()).get(1);
        String body = "{\"recoverMode\":\"Revert\",\"powerOn\":false,\"reconnectNic\":true,\"revertConfiguration\":\"false\"}";
        HttpResponse<String> r = post(backupsPath(web.uuid()) + "/" + b.id() + "/op/recover", body);
        assertEquals(201, r.statusCode(), r.body());
        JsonNode job = follow(r.headers().firstValue("Location").orElseThrow());
        assertEquals("Succeeded", job.get("completionStatus").asText());
        assertFalse(sim.vm(web.uuid()).orElseThrow().poweredOn(), "powered off by powerOn:false");
        Recover rec = sim.recovers().get(0);
        assertEquals("Revert", rec.mode());
        assertEquals(body, rec.requestBody());
        assertEquals(b.id(), rec.backupId());
        assertNull(rec.instanceId());
        assertEquals(web.uuid(), rec.recoveredVmUuid());
        assertEquals(400, post(backupsPath(web.uuid()) + "/" + b.id() + "/op/recover", "{\"recoverMode\":\"Revert\",\"powerOn\":\"yes\"}").statusCode());
        assertEquals(400, post(backupsPath(web.uuid()) + "/" + b.id() + "/op/recover", "{\"recoverMode\":\"Sideways\"}").statusCode());
        assertEquals(400, post(backupsPath(web.uuid()) + "/" + b.id() + "/op/recover", "{}").statusCode());
        assertEquals(404, post(backupsPath(db.uuid()) + "/" + b.id() + "/op/recover", body).statusCode());

        sim.failNextRecover(web.uuid(), "vProxy not available");
        JsonNode failed = follow(post(backupsPath(web.uuid()) + "/" + b.id() + "/op/recover", body).headers().firstValue("Location").orElseThrow());
        assertEquals("Failed", failed.get("completionStatus").asText());
        assertEquals("vProxy not available", failed.get("message").asText());
    }

    @Test
    void recoverNewWorksAfterTheVmIsGoneAndValidatesItsFields() throws Exception {
        start();
        Backup b = sim.backups(web.uuid()).get(1);
        sim.deleteVm(web.uuid());
        assertTrue(sim.vm(web.uuid()).isEmpty());
        assertEquals(404, get(vmPath(web)).statusCode());
        assertEquals(404, get(vmPath(web) + "/protectiondetails").statusCode());
        // The backups are still reachable through protectedvms.
        JsonNode listed = getJson(backupsPath(web.uuid()));
        assertEquals(2, listed.get("count").asInt());
        assertEquals("web-01", getJson("/vmware/vcenters/vcenter.local/protectedvms/" + web.uuid()).get("name").asText());
        String recoverUrl = listed.get("backups").get(1).at("/instances/0/links/1/href").asText();

        HttpResponse<String> revert = send("POST", recoverUrl, "{\"recoverMode\":\"Revert\",\"powerOn\":true,\"reconnectNic\":true}", AUTH);
        assertEquals(400, revert.statusCode());

        HttpResponse<String> missing = send("POST", recoverUrl, "{\"recoverMode\":\"New\",\"vCenterHostname\":\"vcenter.local\","
                + "\"datacenterMoref\":\"datacenter-21\",\"datastoreMoref\":\"datastore-31\",\"powerOn\":true}", AUTH);
        assertEquals(400, missing.statusCode());
        String m = message(missing);
        for (String f : List.of("vmFolderMoref", "vmName", "reconnectNic", "clusterComputeResourceMoref")) {
            assertTrue(m.contains(f), m);
        }
        assertFalse(m.contains("datastoreMoref,"), m);
        HttpResponse<String> badDisk = send("POST", recoverUrl, newSpec("web-01-restored", "datastore-32", "\"true\"")
                .replace("\"disks\":[", "\"disks\":[{\"key\":2000},"), AUTH);
        assertEquals(400, badDisk.statusCode());
        assertTrue(message(badDisk).contains("disks[0].name"), badDisk.body());

        // NWR style: booleans as strings, posted to the instance's links[1].href.
        String spec = newSpec("web-01-restored", "datastore-32", "\"true\"");
        HttpResponse<String> ok = send("POST", recoverUrl, spec, AUTH);
        assertEquals(201, ok.statusCode(), ok.body());
        JsonNode job = follow(ok.headers().firstValue("Location").orElseThrow());
        assertEquals("Succeeded", job.get("completionStatus").asText(), job.toString());
        Vm restored = sim.vmNamed("web-01-restored").orElseThrow();
        assertNotEquals(web.uuid(), restored.uuid());
        assertTrue(restored.poweredOn());
        assertEquals("datastore-32", restored.placement().datastoreMoref());
        assertEquals("datastore-32", restored.disks().get(0).datastoreMoref());
        assertEquals("host-28", restored.placement().hostMoref());
        Recover rec = sim.recovers().get(0);
        assertEquals("New", rec.mode());
        assertEquals(spec, rec.requestBody());
        assertEquals(b.instanceId(), rec.instanceId());
        assertEquals(restored.uuid(), rec.recoveredVmUuid());
        assertEquals(1, getJson("/vmware/vms?q=name:web-01-restored").get("count").asInt());

        // JSON booleans work too; vCenter-side problems fail the job, not the request.
        JsonNode clash = follow(send("POST", recoverUrl, newSpec("web-01-restored", "datastore-31", "false"), AUTH).headers().firstValue("Location").orElseThrow());
        assertEquals("Failed", clash.get("completionStatus").asText());
        assertTrue(clash.get("message").asText().contains("already exists"));
        JsonNode badMoref = follow(send("POST", recoverUrl, newSpec("web-01-again", "datastore-99", "false"), AUTH).headers().firstValue("Location").orElseThrow());
        assertEquals("Failed", badMoref.get("completionStatus").asText());
        assertTrue(badMoref.get("message").asText().contains("datastore-99"));
        assertEquals(400, send("POST", recoverUrl, newSpec("x", "datastore-31", "false").replace("vcenter.local", "vc.nowhere"), AUTH).statusCode());
    }

    static String newSpec(String name, String datastore, String bool) {
        return "{\"recoverMode\":\"New\",\"vCenterHostname\":\"vcenter.local\",\"datacenterMoref\":\"datacenter-21\","
                + "\"clusterComputeResourceMoref\":\"domain-c26\",\"hostMoref\":\"host-28\",\"datastoreMoref\":\"" + datastore + "\","
                + "\"vmFolderMoref\":\"group-v22\",\"resourcePoolMoref\":\"\",\"vmName\":\"" + name + "\",\"jobName\":\"restore-" + name + "\","
                + "\"powerOn\":" + bool + ",\"reconnectNic\":" + bool + ","
                + "\"disks\":[{\"key\":2000,\"name\":\"Hard disk 1\",\"datastoreMoref\":\"" + datastore + "\"}]}";
    }

    @Test
    void opsCanAnswer202AndLocationHostIsConfigurable() throws Exception {
        start(NetworkerSimulator.builder().jobDuration(Duration.ZERO).opStatus(202).locationHost("localhost"));
        sim.assign("GOLD", "vcenter.local", web.uuid());
        HttpResponse<String> r = post(vmPath(web) + "/op/backup", "{\"policy\":\"Lifeboat\",\"workflow\":\"GOLD\"}");
        assertEquals(202, r.statusCode());
        String location = r.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("http://localhost:" + sim.port() + "/nwrestapi/v3/global/jobs/"), location);
        assertEquals("Completed", follow(location).get("state").asText());

        start(NetworkerSimulator.builder().locationBase("https://nw.example.com:9090/"));
        sim.assign("GOLD", "vcenter.local", web.uuid());
        String real = post(vmPath(web) + "/op/backup", "{\"policy\":\"Lifeboat\",\"workflow\":\"GOLD\"}").headers().firstValue("Location").orElseThrow();
        assertTrue(real.startsWith("https://nw.example.com:9090/nwrestapi/v3/global/jobs/"), real);
        assertTrue(getJson("/backups").at("/backups/0/links/0/href").asText().startsWith("https://nw.example.com:9090/"));
    }

    @Test
    void injectedFaultsUseTheErrorBodyAndConnectionsCanDrop() throws Exception {
        start();
        sim.faults().failNext(1, 500);
        HttpResponse<String> e500 = get("/protectionpolicies");
        assertEquals(500, e500.statusCode());
        assertEquals("Injected fault", message(e500));
        sim.faults().failNext(1, 503);
        HttpResponse<String> e503 = post(vmPath(web) + "/op/backup", "{}");
        assertEquals(503, e503.statusCode());
        assertEquals(503, JSON.readTree(e503.body()).at("/status/code").asInt());
        assertEquals(200, get("/protectionpolicies").statusCode());
        // The JDK client retries an idempotent request once on a dropped connection: drop both tries.
        sim.faults().dropNext(2);
        assertThrows(IOException.class, () -> get("/protectionpolicies"));
        assertEquals(200, get("/protectionpolicies").statusCode());
        assertEquals(2, sim.requests().stream().filter(r -> r.status() == 200).count(), "faulted requests never reach the handler");
    }

    @Test
    void unknownIdsAre404AndMalformedRequestsAre400() throws Exception {
        start();
        for (String path : List.of("/protectionpolicies/Nope", "/protectionpolicies/Lifeboat/workflows/Nope", "/protectiongroups/Nope",
                "/vmware/vcenters/nope.local", "/backups/nope", "/jobs/999", "/jobs/abc", "/no/such/resource",
                backupsPath(web.uuid()) + "/nope", backupsPath("nope"))) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path);
            assertFalse(message(r).isBlank(), path);
        }
        assertEquals(404, send("GET", "http://127.0.0.1:" + sim.port() + "/nwrestapi/v2/global", null, AUTH).statusCode());
        HttpResponse<String> badJson = post("/protectiongroups/GOLD/op/updatevmwareworkitems", "{not json");
        assertEquals(400, badJson.statusCode());
        assertEquals(405, send("DELETE", url("/protectionpolicies"), null, AUTH).statusCode());
        HttpResponse<String> xml = http.send(HttpRequest.newBuilder(URI.create(url("/backups"))).header("Authorization", AUTH)
                .header("Accept", "application/xml").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(406, xml.statusCode());
    }

    @Test
    void backupsCanBeDeletedOverHttpAndByTheControlApi() throws Exception {
        start();
        List<Backup> bs = sim.backups(web.uuid());
        Instant now = sim.clock().instant();
        assertTrue(bs.get(0).expiredAt(now));
        assertFalse(bs.get(1).expiredAt(now));
        assertEquals(204, send("DELETE", url("/backups/" + bs.get(0).id()), null, AUTH).statusCode());
        assertEquals(404, send("DELETE", url("/backups/" + bs.get(0).id()), null, AUTH).statusCode());
        sim.deleteBackup(bs.get(1).id());
        assertEquals(0, getJson("/backups").get("count").asInt());
        assertEquals(0, getJson(backupsPath(web.uuid())).get("count").asInt());
    }

    @Test
    void controlApiSetsUpCustomInventory() throws Exception {
        start();
        sim.addVCenter("vc2.lab");
        sim.addInventoryObject("vc2.lab", "datastore-77", "fast-ssd");
        Placement p = new Placement("datacenter-21", "domain-c26", "host-29", "resgroup-27", "group-v22", "datastore-77");
        Vm big = sim.addVm("vc2.lab", "big-01", p, List.of(
                new Disk(2000, "Hard disk 1", "datastore-77", "fast-ssd", 1024, false),
                new Disk(2001, "Hard disk 2", "datastore-31", "datastore1", 2048, true)));
        assertThrows(IllegalArgumentException.class, () -> sim.addVm("vc2.lab", "x", new Placement("datacenter-9", null, null, null, null, "datastore-31"), null));
        Backup b = sim.addBackup(big.uuid(), sim.clock().instant().minus(Duration.ofHours(1)), sim.clock().instant().plus(Duration.ofDays(1)));
        assertEquals(2, getJson("/vmware/vcenters/vc2.lab/protectedvms/" + big.uuid() + "/backups/" + b.id()).at("/vmInformation/disks").size());
        assertEquals(3, getJson("/vmware/vms").get("count").asInt());
        assertEquals("fast-ssd", sim.vCenters().get(1).inventory().get("datastore-77"));
        assertEquals(List.of("GOLD", "SILVER"), sim.groupNames());
        assertEquals(List.of("Lifeboat"), sim.policyNames());
        assertEquals(List.of("GOLD"), sim.workflowGroups("Lifeboat", "GOLD"));
    }
}
