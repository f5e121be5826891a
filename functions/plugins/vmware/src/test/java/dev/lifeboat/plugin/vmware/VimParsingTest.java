package dev.lifeboat.plugin.vmware;

import dev.lifeboat.plugin.PluginTls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.vmware.VimClient.Moref;
import dev.lifeboat.plugin.vmware.Xml.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;

/**
 * The wire without a server: captured vcsim 0.24.2 envelopes (src/test/resources/envelopes; task-running.xml is
 * written in the shape newer vcsim and vCenter use, since 0.24.2 never reports a running task) through the StAX
 * parser and the error mapping.
 */
class VimParsingTest {
    private static final String WHERE = "vc.example:443";

    static byte[] envelope(String name) {
        try (InputStream in = VimParsingTest.class.getResourceAsStream("/envelopes/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("no envelope " + name, e);
        }
    }

    static VimClient.Fault fault(String name) {
        VimClient.Reply reply = VimClient.reply(500, envelope(name));
        assertNull(reply.response());
        return reply.fault();
    }

    @Test
    void invalidLoginIsBadCredentials() {
        VimClient.Fault f = fault("invalid-login.xml");
        assertEquals("InvalidLogin", f.type());
        PluginError e = VimClient.faultError("Login", f, WHERE);
        assertInstanceOf(TerminalError.class, e);
        assertEquals(TerminalError.BAD_CREDENTIALS, e.code());
        assertTrue(e.getMessage().startsWith("BAD_CREDENTIALS: vCenter at vc.example:443 refused the login: Login failure"), e.getMessage());
    }

    @Test
    void notAuthenticatedIsRecognised() {
        VimClient.Fault f = fault("not-authenticated.xml");
        assertTrue(f.isNotAuthenticated());
        assertEquals("", f.faultString());
    }

    @Test
    void notAuthenticatedAsAMissingPropertyIsRecognised() {
        VimClient.Reply reply = VimClient.reply(200, envelope("missing-not-authenticated.xml"));
        assertTrue(VimClient.missingForNoSession(reply.response()));
        assertFalse(VimClient.missingForNoSession(VimClient.reply(200, envelope("task-success.xml")).response()));
    }

    @Test
    void managedObjectNotFoundSaysWhatIsGone() {
        assertEquals(TerminalError.UNKNOWN_VM, VimClient.faultError("CreateSnapshot_Task", fault("not-found-vm.xml"), WHERE).code());
        assertEquals(TerminalError.UNKNOWN_RESTORE_POINT, VimClient.faultError("RevertToSnapshot_Task", fault("not-found-snapshot.xml"), WHERE).code());
        PluginError task = VimClient.faultError("RetrievePropertiesEx", fault("not-found-task.xml"), WHERE);
        assertEquals(TerminalError.UNKNOWN_JOB, task.code());
        assertTrue(task.detail().contains("Task:task-999"), task.detail());
        assertEquals(new Moref("Task", "task-999"), fault("not-found-task.xml").obj());
    }

    @Test
    void otherFaultsAreRefusedWithTheFaultString() {
        PluginError e = VimClient.faultError("CreateSnapshotEx_Task", fault("method-not-found.xml"), WHERE);
        assertInstanceOf(TerminalError.class, e);
        assertEquals(TerminalError.REFUSED, e.code());
        assertTrue(e.detail().contains("does not implement: CreateSnapshotEx_Task (MethodNotFound)"), e.detail());
    }

    @Test
    void httpErrorsWithoutAFaultAreRetryable() {
        assertThrows(IllegalArgumentException.class, () -> VimClient.reply(500, "Injected fault".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> VimClient.reply(503, envelope("task-success.xml")));
        assertEquals(RetryableError.SERVER_ERROR, VimClient.httpError(500, "Login", WHERE, new IllegalArgumentException("x")).code());
        assertEquals(RetryableError.SERVER_ERROR, VimClient.httpError(503, "Login", WHERE, new IllegalArgumentException("x")).code());
        assertEquals(RetryableError.THROTTLED, VimClient.httpError(429, "Login", WHERE, new IllegalArgumentException("x")).code());
        PluginError notFound = VimClient.httpError(404, "Login", WHERE, new IllegalArgumentException("x"));
        assertInstanceOf(TerminalError.class, notFound);
        assertTrue(notFound.detail().contains("/sdk"), notFound.detail());
    }

    @Test
    void transportFailuresMapToTheirCodes() {
        assertEquals(RetryableError.TIMEOUT, VimClient.transportError(new SocketTimeoutException("Read timed out"), "Login", WHERE).code());
        assertEquals(RetryableError.TIMEOUT, VimClient.transportError(new InterruptedIOException("timeout"), "Login", WHERE).code());
        assertEquals(RetryableError.UNREACHABLE, VimClient.transportError(new ConnectException("Connection refused"), "Login", WHERE).code());
        assertEquals(RetryableError.UNREACHABLE, VimClient.transportError(new java.net.SocketException("Connection reset"), "Login", WHERE).code());
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));
        PluginError tls = VimClient.transportError(untrusted, "RetrieveServiceContent", WHERE);
        assertInstanceOf(TerminalError.class, tls);
        assertTrue(tls.detail().startsWith("TLS: the certificate of vCenter at vc.example:443 is not trusted"), tls.detail());
        PluginError host = VimClient.transportError(new SSLPeerUnverifiedException("Hostname localhost not verified"), "Login", WHERE);
        assertEquals(TerminalError.REFUSED, host.code());
        assertTrue(host.detail().contains("does not name that host"), host.detail());
    }

    @Test
    void aSuccessfulTaskNamesItsSnapshot() {
        Moref task = new Moref("Task", "task-68");
        VimClient.TaskInfo info = VimClient.taskInfo(task, VimClient.properties(VimClient.reply(200, envelope("task-success.xml")).response(), task));
        assertEquals("success", info.state());
        assertEquals(new Moref("VirtualMachineSnapshot", "snapshot-69"), info.result());
        assertEquals(Instant.parse("2026-11-27T10:04:30.978685786Z"), info.completeTime());
        assertNull(info.errorMessage());
    }

    @Test
    void aRunningTaskIsRunningWithItsProgress() {
        Moref task = new Moref("Task", "task-80");
        VimClient.TaskInfo info = VimClient.taskInfo(task, VimClient.properties(VimClient.reply(200, envelope("task-running.xml")).response(), task));
        assertEquals("running", info.state());
        assertEquals(42, info.progress());
        assertNull(info.result());
        Refs.Job job = new Refs.Job(Refs.Job.Kind.BACKUP, "backup/vm-57/task-80/lifeboat-x", Instant.EPOCH);
        Results.JobStatus status = new VmwareSnapshotPlugin().status(null, job, SnapshotRefs.job(job.ref()), info);
        assertEquals(Results.JobStatus.State.RUNNING, status.state());
        assertEquals(42, status.progress());
        assertNull(status.restorePoint());
        VimClient.TaskInfo queued = new VimClient.TaskInfo(task, "queued", null, null, null, null, null, null);
        assertEquals(Results.JobStatus.State.RUNNING, new VmwareSnapshotPlugin().status(null, job, SnapshotRefs.job(job.ref()), queued).state());
    }

    @Test
    void aFailedTaskFailsWithItsLocalizedMessage() {
        Moref task = new Moref("Task", "task-74");
        VimClient.TaskInfo info = VimClient.taskInfo(task, VimClient.properties(VimClient.reply(200, envelope("task-error.xml")).response(), task));
        assertEquals("error", info.state());
        assertEquals("InvalidPowerState", info.errorType());
        assertEquals("*types.InvalidPowerState", info.errorMessage());
        Refs.Job job = new Refs.Job(Refs.Job.Kind.RESTORE, "restore/vm-57/task-74/snapshot-69", Instant.EPOCH);
        Results.JobStatus status = new VmwareSnapshotPlugin().status(null, job, SnapshotRefs.job(job.ref()), info);
        assertEquals(Results.JobStatus.State.FAILED, status.state());
        assertEquals(VmwareSnapshotPlugin.JOB_FAILED, status.error().code());
        assertTrue(status.error().message().endsWith("failed: *types.InvalidPowerState"), status.error().message());
    }

    @Test
    void theSnapshotTreeIsWalkedDepthFirst() {
        Moref vm = new Moref("VirtualMachine", "vm-57");
        List<VimClient.SnapshotInfo> tree = VimClient.snapshots(
                VimClient.properties(VimClient.reply(200, envelope("snapshot-tree.xml")).response(), vm).get("snapshot"));
        assertEquals(2, tree.size());
        assertEquals("snapshot-69", tree.get(0).snapshot().value());
        assertEquals("d & <x>", tree.get(0).description());
        assertEquals("lifeboat-2", tree.get(1).name());
        assertEquals(vm, tree.get(1).vm());
        assertEquals(Instant.parse("2026-11-27T10:04:30.991024643Z"), tree.get(1).createTime());
        assertEquals(List.of(), VimClient.snapshots(null));
    }

    private static Map<String, Object> values(String envelope, Moref obj) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        VimClient.objects(VimClient.reply(200, envelope(envelope)).response()).getOrDefault(obj, Map.of())
                .forEach((path, val) -> out.put(path, VimClient.value(val)));
        return out;
    }

    @Test
    void propertiesBecomeMorefsStringsListsAndMaps() {
        Moref vm = new Moref("VirtualMachine", "vm-57");
        Map<String, Object> p = values("properties-vm.xml", vm);
        assertEquals("DC0_H0_VM0", p.get("name"));
        assertEquals(new Moref("HostSystem", "host-21"), p.get("runtime.host"));
        assertEquals(new Moref("ResourcePool", "resgroup-22"), p.get("resourcePool"));
        assertEquals(new Moref("Folder", "folder-3"), p.get("parent"));
        Moref ds = new Moref("Datastore", "/tmp/govcsim-DC0-LocalDS_0-1940331496@folder-5");
        assertEquals(List.of(ds), p.get("datastore"), "an ArrayOfManagedObjectReference with one item is still a list");
        assertEquals(List.of(ds), VimClient.asMorefs(p.get("datastore")));
        assertEquals("b4689bed-97f0-5bcd-8a4c-07477cc8f06f", p.get("config.instanceUuid"));
        assertNull(VimClient.asMoref(p.get("name")));

        Map<String, Object> host = values("properties-host.xml", new Moref("HostSystem", "host-21"));
        assertEquals(new Moref("ComputeResource", "computeresource-23"), host.get("parent"));
        assertEquals("connected", host.get("runtime.connectionState"));
        assertEquals("false", host.get("runtime.inMaintenanceMode"));
    }

    @Test
    void aDatastoresHostMountsAreMapsAndNameItsHosts() {
        Moref ds = new Moref("Datastore", "/tmp/govcsim-DC0-LocalDS_0-1940331496@folder-5");
        Map<String, Object> p = values("properties-datastore.xml", ds);
        assertEquals("LocalDS_0", p.get("name"));
        assertEquals("true", p.get("summary.accessible"));
        List<?> mounts = (List<?>) p.get("host");
        assertEquals(1, mounts.size());
        Map<?, ?> mount = (Map<?, ?>) mounts.get(0);
        assertEquals(new Moref("HostSystem", "host-50"), mount.get("key"));
        assertEquals(Map.of("accessMode", "readWrite", "mounted", "true", "accessible", "true"), mount.get("mountInfo"));
        assertEquals(List.of(new Moref("HostSystem", "host-50")), VimClient.mountingHosts(p.get("host")));

        // A host that lost the datastore (unmounted, or inaccessible) is no place for a VM on it.
        Map<String, Object> gone = Map.of("key", new Moref("HostSystem", "host-9"), "mountInfo", Map.of("mounted", "true", "accessible", "false"));
        Map<String, Object> bare = Map.of("key", new Moref("HostSystem", "host-10"));
        assertEquals(List.of(new Moref("HostSystem", "host-10")), VimClient.mountingHosts(List.of(gone, bare)));
        assertEquals(List.of(), VimClient.mountingHosts(null));
    }

    @Test
    void aRepeatedFieldIsAListAndAnInvalidPathIsAbsent() {
        String xml = "<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><RetrievePropertiesExResponse xmlns=\"urn:vim25\">"
                + "<returnval><objects><obj type=\"ClusterComputeResource\">domain-c7</obj><propSet><name>summary</name>"
                + "<val xsi:type=\"ClusterComputeResourceSummary\"><numHosts>2</numHosts><tag>a</tag><tag>b</tag></val></propSet>"
                + "</objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>";
        Node response = VimClient.reply(200, xml.getBytes(StandardCharsets.UTF_8)).response();
        Moref cluster = new Moref("ClusterComputeResource", "domain-c7");
        Map<?, ?> summary = (Map<?, ?>) VimClient.value(VimClient.objects(response).get(cluster).get("summary"));
        assertEquals("2", summary.get("numHosts"));
        assertEquals(List.of("a", "b"), summary.get("tag"));

        assertEquals(Map.of(), values("properties-invalid.xml", new Moref("VirtualMachine", "vm-63")), "a missingSet leaves the path out");
        assertFalse(VimClient.missingForNoSession(VimClient.reply(200, envelope("properties-invalid.xml")).response()));
    }

    @Test
    void aDatastoreVCenterDoesNotHaveIsRefusedNamingIt() {
        VimClient.Fault f = fault("not-found-datastore.xml");
        assertEquals("ManagedObjectNotFound", f.type());
        assertEquals(new Moref("Datastore", "datastore-999"), f.obj());
        PluginError e = VimClient.faultError("RetrievePropertiesEx", f, WHERE);
        assertEquals(TerminalError.REFUSED, e.code());
        assertTrue(e.detail().contains("no longer has Datastore:datastore-999"), e.detail());
        assertEquals(new Moref("Datastore", "datastore-999"), VimClient.notFound(e), "the caller can tell which object is gone");
        assertNull(VimClient.notFound(VimClient.faultError("Login", fault("invalid-login.xml"), WHERE)));
    }

    @Test
    void anEmptyFindByUuidIsNoVm() {
        assertNull(VimClient.reply(200, envelope("find-by-uuid-none.xml")).response().child("returnval"));
    }

    @Test
    void envelopesEscapeWhatTheyCarry() {
        String body = VimClient.envelope("Login", VimClient.this_(new Moref("SessionManager", "SessionManager"))
                + "<password>" + Xml.escape("a<b&c\"d'e\u0001") + "</password>");
        assertTrue(body.contains("<password>a&lt;b&amp;c&quot;d&apos;e</password>"), body);
        Xml.Node parsed = Xml.parse(body.getBytes(StandardCharsets.UTF_8));
        assertEquals("a<b&c\"d'e", parsed.child("Body").first().text("password"));
    }

    @Test
    void aDocumentTypeIsRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
        assertThrows(IllegalArgumentException.class, () -> Xml.parse(xxe.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void endpointsBecomeSdkUrls() {
        assertEquals(URI.create("https://vc.example.com/sdk"), VimClient.sdkUri("https://vc.example.com"));
        assertEquals(URI.create("https://vc.example.com:8443/sdk"), VimClient.sdkUri("https://vc.example.com:8443/"));
        assertEquals(URI.create("https://vc.example.com/custom/sdk"), VimClient.sdkUri("https://vc.example.com/custom/sdk"));
        assertEquals(TerminalError.BAD_COMMAND, assertThrows(TerminalError.class, () -> VimClient.sdkUri("https://u:p@vc/sdk")).code());
        assertEquals(TerminalError.BAD_COMMAND, assertThrows(TerminalError.class, () -> VimClient.sdkUri("vc.example.com")).code());
    }

    @Test
    void refsRoundTrip() {
        SnapshotRefs.JobRef job = new SnapshotRefs.JobRef(SnapshotRefs.Action.BACKUP, "vm-57", "task-68", "lifeboat-20261127T100430.123Z");
        assertEquals("backup/vm-57/task-68/lifeboat-20261127T100430.123Z", job.format());
        assertEquals(job, SnapshotRefs.job(job.format()));
        SnapshotRefs.JobRef odd = new SnapshotRefs.JobRef(SnapshotRefs.Action.REMOVE, "vm/1%", "task-1", "snapshot-2");
        assertEquals(odd, SnapshotRefs.job(odd.format()));
        assertEquals(new SnapshotRefs.PointRef("vm-57", "snapshot-69"), SnapshotRefs.point("vm-57/snapshot-69"));
        assertEquals(TerminalError.UNKNOWN_JOB, assertThrows(TerminalError.class, () -> SnapshotRefs.job("task-68")).code());
        assertEquals(TerminalError.UNKNOWN_RESTORE_POINT, assertThrows(TerminalError.class, () -> SnapshotRefs.point("snapshot-69")).code());
    }

    @Test
    void aBadCaBundleIsABadCommand() {
        assertEquals(TerminalError.BAD_COMMAND, assertThrows(TerminalError.class, () -> PluginTls.fromPem("not a certificate")).code());
        assertEquals(TerminalError.BAD_COMMAND, assertThrows(TerminalError.class,
                () -> PluginTls.fromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).code());
    }
}
