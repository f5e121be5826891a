package dev.lifeboat.sim.veeam;

import static dev.lifeboat.sim.veeam.Client.link;
import static dev.lifeboat.sim.veeam.Client.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.sim.SimClock;
import dev.lifeboat.sim.veeam.Client.Resp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Speaks HTTP to the simulator the way a plugin would. Time is a {@link SimClock}: tasks take 1 minute and sessions 10
 * minutes, and the tests move the clock instead of sleeping.
 */
class VeeamSimulatorTest {
    static final String CREATE_INCLUDE_XML = """
        <?xml version="1.0" encoding="utf-8"?>
        <CreateObjectInJobSpec xmlns="http://www.veeam.com/ent/v1.0">
          <HierarchyObjRef>%s</HierarchyObjRef>
          <HierarchyObjName>%s</HierarchyObjName>
        </CreateObjectInJobSpec>""";

    final SimClock clock = new SimClock();
    VeeamSimulator sim;
    Client api;
    String rootId;
    String gold;
    String webRef;
    String dbRef;

    @BeforeEach
    void start() throws Exception {
        sim = VeeamSimulator.builder().clock(clock).taskDuration(Duration.ofMinutes(1)).jobDuration(Duration.ofMinutes(10)).start();
        seed(sim);
        api = new Client(sim);
    }

    void seed(VeeamSimulator s) {
        rootId = s.addHierarchyRoot("vcenter.local");
        webRef = s.addVm("vcenter.local", "web-01", "vm-101", "50123a4b-0000-0000-0000-000000000101");
        dbRef = s.addVm("vcenter.local", "db-01", "vm-102", "50123a4b-0000-0000-0000-000000000102");
        gold = s.addJob("GOLD");
        s.addJob("SILVER - Silver policy");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Polls a task until {@code Finished}, moving the clock a minute each time it still runs. */
    JsonNode finish(String token, String taskId) {
        for (int i = 0; i < 10; i++) {
            JsonNode t = api.getJson(token, "tasks/" + taskId);
            if ("Finished".equals(t.path("State").asText())) {
                return t;
            }
            if ("Running".equals(t.path("State").asText())) {
                clock.advance(Duration.ofMinutes(1));
            }
        }
        throw new AssertionError("task " + taskId + " never finished");
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- logon ----

    @Test
    void logonAnswers201WithTokenHeaderCookieAndXmlByDefault() {
        Resp r = api.post("sessionMngr/?v=latest").accept(null).basic("lifeboat", "lifeboat").send();
        assertEquals(201, r.status());
        String token = r.header("X-RestSvcSessionId");
        assertNotNull(token);
        assertTrue(r.header("Set-Cookie").startsWith("X-RestSvcSessionId=" + token), r.header("Set-Cookie"));
        assertTrue(r.contentType().startsWith("application/xml"), r.contentType());
        Element doc = r.xml();
        assertEquals("LogonSession", doc.getLocalName());
        assertEquals(Client.NS, doc.getNamespaceURI());
        String sessionId = text(doc, "SessionId");
        assertEquals(sessionId, new String(Base64.getDecoder().decode(token), StandardCharsets.US_ASCII));
        assertEquals("lifeboat", text(doc, "UserName"));
        assertTrue(doc.getAttribute("Href").endsWith("/api/logonSessions/" + sessionId));

        JsonNode json = api.post("sessionMngr/?v=v1_7").basic("lifeboat", "lifeboat").send().json();
        assertEquals("LogonSession", json.path("Type").asText());
        assertTrue(link(json, "Delete", "LogonSession").endsWith("/logonSessions/" + json.path("SessionId").asText()));
    }

    @Test
    void badOrMissingCredentialsAre401WithBasicChallenge() {
        Resp bad = api.post("sessionMngr/?v=latest").accept(null).basic("lifeboat", "wrong").send();
        assertEquals(401, bad.status());
        assertEquals("Basic Realm=RestSvc", bad.header("WWW-Authenticate"));
        Element error = bad.xml();
        assertEquals("Error", error.getLocalName());
        assertEquals(Client.NS, error.getNamespaceURI());
        assertEquals("401", error.getAttribute("StatusCode"));
        assertTrue(bad.contentType().startsWith("application/xml"));

        Resp missing = api.post("sessionMngr/?v=latest").send();
        assertEquals(401, missing.status());
        assertEquals("Basic Realm=RestSvc", missing.header("WWW-Authenticate"));
        assertEquals(401, missing.json().path("StatusCode").asInt());
    }

    @Test
    void everyOtherCallNeedsALogonSession() {
        Resp none = api.get("jobs").send();
        assertEquals(401, none.status());
        assertEquals(401, none.json().path("StatusCode").asInt());
        assertEquals(401, api.get("jobs").token("Zm9vYmFy").send().status());
        assertEquals(200, api.get("jobs").token(api.logon()).send().status());
    }

    @Test
    void sessionExpiresAfterFifteenIdleMinutesAndEachCallTouchesIt() {
        String token = api.logon();
        clock.advance(Duration.ofMinutes(14));
        assertEquals(200, api.get("jobs").token(token).send().status());
        clock.advance(Duration.ofMinutes(14));
        assertEquals(200, api.get("jobs").token(token).send().status());
        clock.advance(Duration.ofMinutes(16));
        assertEquals(401, api.get("jobs").token(token).send().status());
        assertEquals("Expired", sim.logonSessions().get(0).state());

        String other = api.logon();
        sim.expireSessions();
        assertEquals(401, api.get("jobs").token(other).send().status());
    }

    @Test
    void logoffEndsTheSessionAndIsVisibleToTests() {
        Resp logon = api.post("sessionMngr/?v=latest").basic("lifeboat", "lifeboat").send();
        String token = logon.header("X-RestSvcSessionId");
        String id = logon.json().path("SessionId").asText();
        Resp off = api.delete("logonSessions/" + id).token(token).send();
        assertEquals(204, off.status());
        assertEquals("", off.body());
        assertEquals(401, api.get("jobs").token(token).send().status());
        assertEquals("LoggedOff", sim.logonSessions().get(0).state());
        VeeamSimulator.RecordedRequest delete = sim.requests().stream().filter(r -> r.method().equals("DELETE")).findFirst().orElseThrow();
        assertEquals("/api/logonSessions/" + id, delete.path());
        assertEquals(token, delete.header("x-restsvcsessionid"));
        assertEquals(204, delete.status());
    }

    @Test
    void cookieWinsOverHeader() {
        String a = api.logon();
        String b = api.logon();
        String aId = new String(Base64.getDecoder().decode(a), StandardCharsets.US_ASCII);
        api.delete("logonSessions/" + aId).token(a).send();
        // A dead cookie fails the call even with a good header, and a good cookie carries a bad header.
        assertEquals(401, api.get("jobs").token(b).cookie(a).send().status());
        assertEquals(200, api.get("jobs").token("bm9uc2Vuc2U=").cookie(b).send().status());
    }

    // ---- jobs, hierarchy, lookup ----

    @Test
    void jobsAsReferencesEntitiesAndQueries() {
        String token = api.logon();
        JsonNode refs = api.getJson(token, "jobs");
        assertEquals(2, refs.path("Refs").size());
        JsonNode ref = refs.path("Refs").get(0);
        assertEquals("JobReference", ref.path("Type").asText());
        assertEquals("urn:veeam:Job:" + gold, ref.path("UID").asText());
        assertEquals("GOLD", ref.path("Name").asText());
        assertTrue(link(ref, "Up", "BackupServerReference").endsWith("/backupServers/" + sim.backupServerId()));
        assertTrue(link(ref, "Down", "BackupJobSessionReferenceList").endsWith("/jobs/" + gold + "/backupSessions"));

        JsonNode job = api.getJson(token, "jobs/" + gold + "?format=Entity");
        assertEquals("Job", job.path("Type").asText());
        assertEquals("Backup", job.path("JobType").asText());
        assertEquals("VMware", job.path("Platform").asText());
        assertTrue(job.path("ScheduleEnabled").asBoolean());
        assertEquals(0, job.path("JobInfo").path("BackupJobInfo").path("Includes").path("ObjectInJobs").size());
        assertEquals(2, api.getJson(token, "jobs?format=Entity").path("Jobs").size());

        JsonNode byName = api.getJson(token, "query?type=Job&format=Entities&filter=" + q("Name==GOLD"));
        assertEquals(1, byName.path("Entities").path("Jobs").path("Jobs").size());
        assertEquals("GOLD", byName.path("Entities").path("Jobs").path("Jobs").get(0).path("Name").asText());
        assertEquals(1, byName.path("PagingInfo").path("PagesCount").asInt());
        JsonNode quoted = api.getJson(token, "query?type=Job&format=Entities&filter=" + q("Name==\"SILVER - Silver policy\""));
        assertEquals(1, quoted.path("Entities").path("Jobs").path("Jobs").size());
        JsonNode asRefs = api.getJson(token, "query?type=Job&filter=" + q("Name==GOLD,Name==\"SILVER - Silver policy\""));
        assertEquals(2, asRefs.path("Refs").path("Refs").size());

        Element xml = api.get("jobs/" + gold + "?format=Entity").token(token).accept("application/xml").send().xml();
        assertEquals("Job", xml.getLocalName());
        assertEquals("Backup", text(xml, "JobType"));
    }

    @Test
    void lookupGivesTheHierarchyObjRefOfAVm() {
        String token = api.logon();
        JsonNode roots = api.getJson(token, "hierarchyRoots");
        JsonNode root = roots.path("Refs").get(0);
        assertEquals("HierarchyRootReference", root.path("Type").asText());
        assertEquals("vcenter.local", root.path("Name").asText());
        assertEquals("urn:veeam:HierarchyRoot:" + rootId, root.path("UID").asText());

        JsonNode items = api.getJson(token, "lookup?host=" + q(root.path("UID").asText()) + "&name=WEB-01&type=vm");
        assertEquals(1, items.path("HierarchyItems").size());
        JsonNode item = items.path("HierarchyItems").get(0);
        assertEquals("urn:VMware:Vm:" + rootId + ".vm-101", item.path("ObjectRef").asText());
        assertEquals("Vm", item.path("ObjectType").asText());
        assertEquals("web-01", item.path("ObjectName").asText());
        assertEquals(0, api.getJson(token, "lookup?host=" + q(root.path("UID").asText()) + "&name=nope&type=Vm").path("HierarchyItems").size());
        // The same name in another vCenter is that vCenter's VM: the lookup answers for the host it is asked about.
        String otherRoot = sim.addHierarchyRoot("vcenter2.local");
        sim.addVm("vcenter2.local", "Web-01", "vm-7", null);
        JsonNode here = api.getJson(token, "lookup?host=" + q(root.path("UID").asText()) + "&name=web-01&type=Vm").path("HierarchyItems");
        assertEquals(List.of("urn:VMware:Vm:" + rootId + ".vm-101"), here.findValuesAsText("ObjectRef"));
        JsonNode there = api.getJson(token, "lookup?host=" + q("urn:veeam:HierarchyRoot:" + otherRoot) + "&name=WEB-01&type=Vm").path("HierarchyItems");
        assertEquals(List.of("urn:VMware:Vm:" + otherRoot + ".vm-7"), there.findValuesAsText("ObjectRef"));

        Element xml = api.get("lookup?host=" + q(root.path("UID").asText()) + "&name=db-01&type=Vm").token(token).accept(null).send().xml();
        assertEquals("HierarchyItems", xml.getLocalName());
        assertEquals(dbRef, text(xml, "ObjectRef"));
        assertEquals(404, api.get("lookup?host=urn:veeam:HierarchyRoot:00000000-0000-0000-0000-000000000000&name=x&type=Vm").token(token).send().status());
    }

    // ---- includes ----

    @Test
    void includeIsAddedAndRemovedWhenItsTaskFinishes() {
        String token = api.logon();
        Resp add = api.post("jobs/" + gold + "/includes").token(token).xml(CREATE_INCLUDE_XML.formatted(webRef, "web-01")).send();
        assertEquals(202, add.status(), add.body());
        JsonNode task = add.json();
        assertEquals("Running", task.path("State").asText());
        assertEquals("UpdateJob", task.path("Operation").asText());
        assertTrue(task.path("TaskId").asText().startsWith("task-"));
        assertTrue(link(task, "Delete", "Task").endsWith("/tasks/" + task.path("TaskId").asText()));
        assertEquals(0, api.getJson(token, "jobs/" + gold + "/includes").path("ObjectInJobs").size());

        clock.advance(Duration.ofMinutes(1));
        JsonNode collecting = api.getJson(token, "tasks/" + task.path("TaskId").asText());
        assertEquals("OperationFinished", collecting.path("State").asText());
        assertTrue(collecting.path("Result").isMissingNode());
        JsonNode done = api.getJson(token, "tasks/" + task.path("TaskId").asText());
        assertEquals("Finished", done.path("State").asText());
        assertTrue(done.path("Result").path("Success").asBoolean());
        assertEquals("Ok", done.path("Result").path("Message").asText());

        JsonNode includes = api.getJson(token, "jobs/" + gold + "/includes");
        assertEquals(1, includes.path("ObjectInJobs").size());
        JsonNode web = includes.path("ObjectInJobs").get(0);
        assertEquals(webRef, web.path("HierarchyObjRef").asText());
        assertEquals("web-01", web.path("Name").asText());
        assertEquals(1, sim.includes("GOLD").size());

        // The only object of a job cannot be removed: the UpdateJob task fails.
        String webId = web.path("ObjectInJobId").asText();
        JsonNode refused = finish(token, api.delete("jobs/" + gold + "/includes/" + webId).token(token).send().json().path("TaskId").asText());
        assertFalse(refused.path("Result").path("Success").asBoolean());
        assertTrue(refused.path("Result").path("Message").asText().contains("only object"));
        assertEquals(1, sim.includes("GOLD").size());

        // A JSON body works too; with two objects one can go.
        Resp addDb = api.post("jobs/" + gold + "/includes").token(token)
            .json("{\"HierarchyObjRef\":\"" + dbRef + "\",\"HierarchyObjName\":\"db-01\"}").send();
        assertEquals(202, addDb.status(), addDb.body());
        finish(token, addDb.json().path("TaskId").asText());
        Resp remove = api.delete("jobs/" + gold + "/includes/" + webId).token(token).send();
        assertEquals(202, remove.status());
        assertTrue(finish(token, remove.json().path("TaskId").asText()).path("Result").path("Success").asBoolean());
        assertEquals(List.of(dbRef), sim.includes("GOLD").stream().map(VeeamSimulator.IncludeInfo::hierarchyObjRef).toList());

        // Adding a VM already in the job fails its task.
        String again = api.post("jobs/" + gold + "/includes").token(token).xml(CREATE_INCLUDE_XML.formatted(dbRef, "db-01")).send()
            .json().path("TaskId").asText();
        assertFalse(finish(token, again).path("Result").path("Success").asBoolean());
    }

    @Test
    void xmlBodiesNeedTheNamespaceAndTheSchemaOrder() {
        String token = api.logon();
        String path = "jobs/" + gold + "/includes";
        Resp outOfOrder = api.post(path).token(token).xml("""
            <CreateObjectInJobSpec xmlns="http://www.veeam.com/ent/v1.0">
              <HierarchyObjName>web-01</HierarchyObjName><HierarchyObjRef>%s</HierarchyObjRef>
            </CreateObjectInJobSpec>""".formatted(webRef)).send();
        assertEquals(400, outOfOrder.status());
        assertEquals(400, outOfOrder.json().path("StatusCode").asInt());
        Resp noNamespace = api.post(path).token(token).xml(
            "<CreateObjectInJobSpec><HierarchyObjRef>" + webRef + "</HierarchyObjRef><HierarchyObjName>web-01</HierarchyObjName></CreateObjectInJobSpec>").send();
        assertEquals(400, noNamespace.status());
        Resp missingName = api.post(path).token(token).xml(
            "<CreateObjectInJobSpec xmlns=\"http://www.veeam.com/ent/v1.0\"><HierarchyObjRef>" + webRef + "</HierarchyObjRef></CreateObjectInJobSpec>").send();
        assertEquals(400, missingName.status());
        Resp empty = api.post(path).token(token).xml("").send();
        assertEquals(400, empty.status());
        assertEquals("Node [root] does not exist.", empty.json().path("Message").asText());
        assertEquals(400, api.post(path).token(token).json("{not json").send().status());
        assertEquals(400, api.post(path).token(token).json("{\"HierarchyObjRef\":\"vm-101\",\"HierarchyObjName\":\"x\"}").send().status());
        assertTrue(sim.tasks().isEmpty());
    }

    @Test
    void severalAcceptTypesOnAPostWithABodyAreRefused() {
        String token = api.logon();
        Resp r = api.post("jobs/" + gold + "/includes").token(token).accept("application/xml, application/json")
            .xml(CREATE_INCLUDE_XML.formatted(webRef, "web-01")).send();
        assertEquals(400, r.status());
        assertEquals("Node [root] does not exist.", r.json().path("Message").asText());
    }

    // ---- backup ----

    @Test
    void quickBackupTaskLinksASessionThatSucceedsAndAddsARestorePoint() {
        sim.includeVm("GOLD", "web-01");
        String token = api.logon();
        Resp start = api.post("backupServers/" + sim.backupServerId() + "?action=quickbackup").token(token)
            .json("{\"VmRef\":\"" + webRef + "\"}").send();
        assertEquals(202, start.status(), start.body());
        JsonNode task = start.json();
        assertEquals("QuickBackup", task.path("Operation").asText());
        assertNull(link(task, "Related", null));

        JsonNode done = finish(token, task.path("TaskId").asText());
        assertTrue(done.path("Result").path("Success").asBoolean());
        String sessionHref = link(done, "Related", "BackupJobSession");
        assertNotNull(sessionHref, done.toString());
        assertTrue(sessionHref.endsWith("?format=Entity"));

        JsonNode starting = api.getJson(token, api.rel(sessionHref));
        assertEquals("BackupJobSession", starting.path("Type").asText());
        assertEquals("Starting", starting.path("State").asText());
        assertEquals("None", starting.path("Result").asText());
        assertEquals(0, starting.path("Progress").asInt());
        assertEquals("urn:veeam:Job:" + gold, starting.path("JobUid").asText());
        assertEquals("GOLD", starting.path("JobName").asText());
        assertEquals("1900-01-01T00:00:00Z", starting.path("EndTimeUTC").asText());

        clock.advance(Duration.ofMinutes(5));
        JsonNode working = api.getJson(token, api.rel(sessionHref));
        assertEquals("Working", working.path("State").asText());
        int progress = working.path("Progress").asInt();
        assertTrue(progress > 0 && progress < 100, "progress " + progress);

        clock.advance(Duration.ofMinutes(6));
        JsonNode stopped = api.getJson(token, api.rel(sessionHref));
        assertEquals("Stopped", stopped.path("State").asText());
        assertEquals("Success", stopped.path("Result").asText());
        assertEquals(100, stopped.path("Progress").asInt());
        assertTrue(Instant.parse(stopped.path("EndTimeUTC").asText()).isAfter(Instant.parse(stopped.path("CreationTimeUTC").asText())));
        assertNotNull(link(stopped, "Down", "RestorePointReference"));

        JsonNode points = api.getJson(token, "query?type=VmRestorePoint&format=Entities&filter=" + q("VmDisplayName==\"web-01\""));
        JsonNode list = points.path("Entities").path("VmRestorePoints").path("VmRestorePoints");
        assertEquals(1, list.size());
        JsonNode point = list.get(0);
        assertEquals("web-01", point.path("VmDisplayName").asText());
        assertEquals("Full", point.path("PointType").asText());
        assertEquals(webRef, point.path("HierarchyObjRef").asText());
        assertNotNull(link(point, "Up", "RestorePointReference"));
        assertNotNull(link(point, "Up", "BackupFileReference"));
        assertNotNull(link(point, "Restore", null));
        assertEquals(1, api.getJson(token, "vmRestorePoints?format=Entity").path("VmRestorePoints").size());
        assertEquals(1, sim.restorePoints("web-01").size());

        // The per-VM task session points at the new restore point; the job lists the session.
        String sessionId = stopped.path("UID").asText().substring("urn:veeam:BackupJobSession:".length());
        JsonNode taskSessions = api.getJson(token, "backupSessions/" + sessionId + "/taskSessions?format=Entity");
        JsonNode ts = taskSessions.path("BackupTaskSessions").get(0);
        assertEquals("Completed", ts.path("State").asText());
        assertEquals("Success", ts.path("Result").asText());
        assertTrue(link(ts, "Related", "VmRestorePoint").contains(point.path("UID").asText().substring("urn:veeam:VmRestorePoint:".length())));
        assertEquals(1, api.getJson(token, "jobs/" + gold + "/backupSessions").path("Refs").size());

        // A second quick backup is an increment, and the latest-session query finds it.
        String second = link(finish(token, api.post("backupServers/" + sim.backupServerId() + "?action=quickbackup").token(token)
            .xml("<QuickBackupStartupSpec xmlns=\"http://www.veeam.com/ent/v1.0\"><VmRef>" + webRef + "</VmRef></QuickBackupStartupSpec>")
            .send().json().path("TaskId").asText()), "Related", "BackupJobSession");
        clock.advance(Duration.ofMinutes(11));
        JsonNode latest = api.getJson(token, "query?type=BackupJobSession&format=Entities&filter="
            + q("JobUid==\"urn:veeam:Job:" + gold + "\"") + "&sortDesc=CreationTime&pageSize=1");
        JsonNode sessions = latest.path("Entities").path("BackupJobSessions").path("BackupJobSessions");
        assertEquals(1, sessions.size());
        assertTrue(second.startsWith(sessions.get(0).path("Href").asText().replace("?format=Entity", "")));
        assertEquals(2, latest.path("PagingInfo").path("PagesCount").asInt());
        assertEquals("Increment", sim.restorePoints("web-01").get(1).pointType());
    }

    @Test
    void failingBackupEndsFailedWithTheReasonAndNoRestorePoint() {
        sim.includeVm("GOLD", "web-01");
        sim.failNextBackup("web-01", "Disk full on repository");
        String token = api.logon();
        String quick = "backupServers/" + sim.backupServerId() + "?action=quickbackup";
        String body = "{\"VmRef\":\"" + webRef + "\"}";
        JsonNode done = finish(token, api.post(quick).token(token).json(body).send().json().path("TaskId").asText());
        assertTrue(done.path("Result").path("Success").asBoolean(), "the trigger works; the session fails");
        String session = api.rel(link(done, "Related", "BackupJobSession"));
        clock.advance(Duration.ofMinutes(11));
        JsonNode stopped = api.getJson(token, session);
        assertEquals("Stopped", stopped.path("State").asText());
        assertEquals("Failed", stopped.path("Result").asText());
        JsonNode ts = api.getJson(token, api.rel(link(stopped, "Down", "BackupTaskSessionReferenceList")) + "?format=Entity")
            .path("BackupTaskSessions").get(0);
        assertEquals("Failed", ts.path("Result").asText());
        assertEquals("Disk full on repository", ts.path("Reason").asText());
        assertTrue(sim.restorePoints().isEmpty());
        assertEquals("Disk full on repository", sim.backupSessions().get(0).failures().get("web-01"));

        // One failure only: the next backup succeeds.
        JsonNode next = finish(token, api.post(quick).token(token).json(body).send().json().path("TaskId").asText());
        clock.advance(Duration.ofMinutes(11));
        assertEquals("Success", api.getJson(token, api.rel(link(next, "Related", "BackupJobSession"))).path("Result").asText());
    }

    @Test
    void quickBackupOfAVmInNoJobFailsItsTask() {
        String token = api.logon();
        JsonNode done = finish(token, api.post("backupServers/" + sim.backupServerId() + "?action=quickbackup").token(token)
            .json("{\"VmRef\":\"" + dbRef + "\"}").send().json().path("TaskId").asText());
        assertFalse(done.path("Result").path("Success").asBoolean());
        assertTrue(done.path("Result").path("Message").asText().contains("not processed by any backup job"));
        assertNull(link(done, "Related", null));
    }

    @Test
    void startingAJobSaysTriggeredAndLinksNoSession() {
        sim.includeVm("GOLD", "web-01");
        sim.includeVm("GOLD", "db-01");
        String token = api.logon();
        Resp start = api.post("jobs/" + gold + "?action=start").token(token).accept(null).send();
        assertEquals(202, start.status());
        assertEquals("StartJob", text(start.xml(), "Operation"));
        JsonNode done = finish(token, text(start.xml(), "TaskId"));
        assertEquals("Job \"GOLD\" triggered to start.", done.path("Result").path("Message").asText());
        assertNull(link(done, "Related", null));
        clock.advance(Duration.ofMinutes(11));
        VeeamSimulator.BackupSessionInfo s = sim.backupSessions().get(0);
        assertFalse(s.quickBackup());
        assertEquals(List.of("web-01", "db-01"), s.vmNames());
        assertEquals("Success", s.result());
        assertEquals(2, sim.restorePoints().size());
    }

    // ---- restore ----

    @Test
    void restoreInPlaceRunsARestoreSessionToSuccessOrFailure() {
        String pointId = sim.addRestorePoint("web-01", Instant.parse("2025-01-02T03:04:05Z"));
        String token = api.logon();
        JsonNode point = api.getJson(token, "vmRestorePoints/" + pointId + "?format=Entity");
        assertEquals("2025-01-02T03:04:05Z", point.path("CreationTimeUTC").asText());
        String restoreHref = api.rel(link(point, "Restore", null));
        String spec = """
            <RestoreSpec xmlns="http://www.veeam.com/ent/v1.0"><VmRestoreSpec><PowerOnAfterRestore>true</PowerOnAfterRestore>
              <QuickRollback>false</QuickRollback><KeepOriginalVM>false</KeepOriginalVM></VmRestoreSpec></RestoreSpec>""";
        Resp start = api.post(restoreHref).token(token).xml(spec).send();
        assertEquals(202, start.status(), start.body());
        assertEquals("StartVMRestore", start.json().path("Operation").asText());
        JsonNode done = finish(token, start.json().path("TaskId").asText());
        String session = api.rel(link(done, "Related", "RestoreSession"));
        JsonNode working = api.getJson(token, session);
        assertEquals("RestoreSession", working.path("Type").asText());
        assertEquals("RestoreVm", working.path("JobType").asText());
        assertEquals("None", working.path("Result").asText());
        clock.advance(Duration.ofMinutes(11));
        JsonNode stopped = api.getJson(token, session);
        assertEquals("Stopped", stopped.path("State").asText());
        assertEquals("Success", stopped.path("Result").asText());
        assertEquals(webRef, stopped.path("RestoredObjRef").asText());
        VeeamSimulator.RestoreInfo restore = sim.restores().get(0);
        assertTrue(restore.powerOnAfterRestore());
        assertFalse(restore.quickRollback());
        assertEquals(pointId, restore.vmRestorePointId());

        // An empty body (as CS-V sends) is accepted; a planned failure ends the session Failed.
        sim.failNextRestore("web-01", "Datastore not reachable");
        JsonNode failing = finish(token, api.post(restoreHref).token(token).json("").send().json().path("TaskId").asText());
        clock.advance(Duration.ofMinutes(11));
        assertEquals("Failed", api.getJson(token, api.rel(link(failing, "Related", "RestoreSession"))).path("Result").asText());
        assertEquals("Datastore not reachable", sim.restores().get(1).failure());

        Resp invalid = api.post(restoreHref).token(token).json(
            "{\"VmRestoreSpec\":{\"PowerOnAfterRestore\":false,\"QuickRollback\":true,\"KeepOriginalVM\":true}}").send();
        assertEquals(400, invalid.status());
        JsonNode restores = api.getJson(token, "query?type=RestoreSession&format=Entities&filter=" + q("Result==Failed"));
        assertEquals(1, restores.path("Entities").path("RestoreSessions").path("RestoreSessions").size());
    }

    @Test
    void aDeletedRestorePointIsGone() {
        String pointId = sim.addRestorePoint("db-01", Instant.parse("2025-01-02T03:04:05Z"));
        String token = api.logon();
        assertEquals(200, api.get("vmRestorePoints/" + pointId).token(token).send().status());
        sim.deleteRestorePoint(pointId);
        assertEquals(404, api.get("vmRestorePoints/" + pointId).token(token).send().status());
        assertEquals(404, api.post("vmRestorePoints/" + pointId + "?action=restore").token(token).json("").send().status());
    }

    // ---- tasks ----

    @Test
    void aTaskIsVisibleOnlyToItsLogonSessionAndCanBeDeleted() {
        sim.includeVm("GOLD", "web-01");
        String mine = api.logon();
        String other = api.logon();
        String taskId = api.post("jobs/" + gold + "?action=start").token(mine).send().json().path("TaskId").asText();
        assertEquals(200, api.get("tasks/" + taskId).token(mine).send().status());
        Resp foreign = api.get("tasks/" + taskId).token(other).send();
        assertEquals(404, foreign.status());
        assertEquals(0, api.getJson(other, "tasks").path("Tasks").size());
        assertEquals(1, api.getJson(mine, "tasks").path("Tasks").size());
        finish(mine, taskId);
        assertEquals(204, api.delete("tasks/" + taskId).token(mine).send().status());
        assertEquals(404, api.get("tasks/" + taskId).token(mine).send().status());
    }

    // ---- errors and faults ----

    @Test
    void errorsCarryTheVeeamErrorBody() throws Exception {
        String token = api.logon();
        Resp json = api.get("jobs/5d1ea4c1-0000-0000-0000-000000000000?format=Entity").token(token).send();
        assertEquals(404, json.status());
        JsonNode e = json.json();
        List<String> names = new ArrayList<>();
        e.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("FirstChanceExceptionMessage", "Message", "StackTrace", "Status", "StatusCode"), names);
        assertTrue(e.path("FirstChanceExceptionMessage").isNull());
        assertTrue(e.path("StackTrace").isNull());
        assertTrue(e.path("Status").isNull());
        assertEquals(404, e.path("StatusCode").asInt());
        assertFalse(e.path("Message").asText().isEmpty());

        Resp xml = api.get("backupSessions/nope").token(token).accept("application/xml").send();
        assertEquals(404, xml.status());
        assertTrue(xml.contentType().startsWith("application/xml"));
        assertEquals("Error", xml.xml().getLocalName());
        assertEquals("404", xml.xml().getAttribute("StatusCode"));

        assertEquals(404, api.get("nothingHere").token(token).send().status());
        assertEquals(405, api.delete("jobs/" + gold).token(token).send().status());
        assertEquals(400, api.get("query?type=Job&filter=" + q("Colour==red")).token(token).send().status());
    }

    @Test
    void theFaultSwitchAnswersWithTheErrorBody() {
        String token = api.logon();
        sim.faults().failNext(1, 503);
        Resp unavailable = api.get("jobs").token(token).send();
        assertEquals(503, unavailable.status());
        assertEquals(503, unavailable.json().path("StatusCode").asInt());
        assertEquals("Injected fault", unavailable.json().path("Message").asText());
        sim.faults().failNext(1, 500);
        Resp broken = api.get("jobs").token(token).send();
        assertEquals(500, broken.status());
        assertTrue(broken.json().path("StackTrace").isNull());
        assertEquals(200, api.get("jobs").token(token).send().status());
    }

    @Test
    void nonAdministratorsCannotStartOrEditJobs() throws Exception {
        try (VeeamSimulator restricted = VeeamSimulator.builder().clock(clock).admin(false).instant().start()) {
            seed(restricted);
            restricted.includeVm("GOLD", "web-01");
            String pointId = restricted.addRestorePoint("web-01", Instant.parse("2025-01-02T03:04:05Z"));
            Client c = new Client(restricted);
            String token = c.logon();
            assertEquals(200, c.get("jobs").token(token).send().status());
            Resp start = c.post("jobs/" + gold + "?action=start").token(token).send();
            assertEquals(403, start.status());
            assertEquals(403, start.json().path("StatusCode").asInt());
            assertEquals(403, c.post("jobs/" + gold + "/includes").token(token).xml(CREATE_INCLUDE_XML.formatted(dbRef, "db-01")).send().status());
            assertEquals(403, c.post("backupServers/" + restricted.backupServerId() + "?action=quickbackup").token(token)
                .json("{\"VmRef\":\"" + webRef + "\"}").send().status());
            String include = restricted.includes("GOLD").get(0).objectInJobId();
            assertEquals(403, c.delete("jobs/" + gold + "/includes/" + include).token(token).send().status());
            // Restoring is not editing a job.
            assertEquals(202, c.post("vmRestorePoints/" + pointId + "?action=restore").token(token).json("").send().status());
            assertTrue(restricted.tasks().stream().allMatch(t -> t.operation().equals("StartVMRestore")));
        }
    }

    // ---- real time, main ----

    @Test
    void withInstantDurationsWorkFinishesWithoutMovingTheClock() throws Exception {
        try (VeeamSimulator fast = VeeamSimulator.builder().instant().seed(VeeamSimulator::addDemoData).start()) {
            fast.includeVm("GOLD", "web-01");
            Client c = new Client(fast);
            String token = c.logon();
            String ref = fast.includes("GOLD").get(0).hierarchyObjRef();
            JsonNode task = c.post("backupServers/" + fast.backupServerId() + "?action=quickbackup").token(token)
                .json("{\"VmRef\":\"" + ref + "\"}").send().json();
            JsonNode done = c.getJson(token, "tasks/" + task.path("TaskId").asText());
            assertEquals("Finished", done.path("State").asText());
            JsonNode session = c.getJson(token, c.rel(link(done, "Related", "BackupJobSession")));
            assertEquals("Success", session.path("Result").asText());
            assertEquals(1, fast.restorePoints("web-01").size());
        }
    }

    @Test
    void mainStartsWithTheDemoDataAndPrintsItsUrl() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VeeamSimulator demo = VeeamSimulatorMain.launch(new String[] {"--port", "0", "--job-seconds", "0"},
            new PrintStream(out, true, StandardCharsets.UTF_8))) {
            assertEquals("VEEAM_SIMULATOR=http://127.0.0.1:" + demo.port() + "/api/", out.toString(StandardCharsets.UTF_8).trim());
            Client c = new Client(demo);
            String token = c.logon();
            List<String> jobs = new ArrayList<>();
            c.getJson(token, "jobs").path("Refs").forEach(j -> jobs.add(j.path("Name").asText()));
            assertEquals(List.of("GOLD", "SILVER"), jobs);
            JsonNode root = c.getJson(token, "hierarchyRoots").path("Refs").get(0);
            assertEquals("vcenter.local", root.path("Name").asText());
            JsonNode db = c.getJson(token, "lookup?host=" + q(root.path("UID").asText()) + "&name=db-01&type=Vm").path("HierarchyItems").get(0);
            assertTrue(db.path("ObjectRef").asText().endsWith(".vm-102"));
            assertEquals(Duration.ZERO, demo.config().jobDuration());
        }
    }
}
