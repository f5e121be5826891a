package dev.lifeboat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Proves the vcsim build and the wire: raw vim25 SOAP over java.net.http with {@link VcsimServer#trustAll()} (whose
 * X509ExtendedTrustManager also skips the host-name check, so no system property is needed).
 */
@ExtendWith(Vcsim.class)
class VcsimServerTest {
    private static final String VIM = "urn:vim25";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    @Test
    void printsTheRealBoundPortWithoutCredentials(VcsimServer vcsim) {
        assertEquals("127.0.0.1", vcsim.host());
        assertTrue(vcsim.port() > 0);
        assertEquals(URI.create("https://127.0.0.1:" + vcsim.port() + "/sdk"), vcsim.sdkUri());
        assertNull(vcsim.sdkUri().getUserInfo());
    }

    @Test
    void logsInFindsAVmAndSnapshotsIt(VcsimServer vcsim) throws Exception {
        Soap soap = new Soap(vcsim.sdkUri());
        Element content = soap.ok("""
                <RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>""");
        assertEquals("VirtualCenter", child(content, "about", "apiType").getTextContent());
        String sessionManager = child(content, "sessionManager").getTextContent();
        String searchIndex = child(content, "searchIndex").getTextContent();
        String propertyCollector = child(content, "propertyCollector").getTextContent();

        Element session = soap.ok(login(sessionManager, "lifeboat", "secret"));
        assertEquals("LoginResponse", session.getParentNode().getLocalName());
        assertEquals("lifeboat", child(session, "userName").getTextContent());
        assertTrue(soap.cookie.startsWith("vmware_soap_session="), soap.cookie);

        Element vm = soap.ok("""
                <FindByInventoryPath xmlns="urn:vim25"><_this type="SearchIndex">%s</_this>
                <inventoryPath>DC0/vm/DC0_H0_VM0</inventoryPath></FindByInventoryPath>""".formatted(searchIndex));
        assertEquals("VirtualMachine", vm.getAttribute("type"));
        String vmRef = vm.getTextContent();
        String instanceUuid = value(soap.ok(properties(propertyCollector, "VirtualMachine", vmRef, "config.instanceUuid")),
                "config.instanceUuid").getTextContent();
        Element byUuid = soap.ok("""
                <FindByUuid xmlns="urn:vim25"><_this type="SearchIndex">%s</_this><uuid>%s</uuid>
                <vmSearch>true</vmSearch><instanceUuid>true</instanceUuid></FindByUuid>""".formatted(searchIndex, instanceUuid));
        assertEquals(vmRef, byUuid.getTextContent());

        Element task = soap.ok("""
                <CreateSnapshot_Task xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this><name>lifeboat-test</name>
                <description>from VcsimServerTest</description><memory>false</memory><quiesce>false</quiesce></CreateSnapshot_Task>"""
                .formatted(vmRef));
        assertEquals("Task", task.getAttribute("type"));

        // vcsim 0.24.2 finishes the task before it answers; a real vCenter (and newer vcsim) says queued/running first.
        Element info = null;
        String state = null;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); System.nanoTime() < deadline; Thread.sleep(100)) {
            info = soap.ok(properties(propertyCollector, "Task", task.getTextContent(), "info.state", "info.result", "info.error"));
            state = value(info, "info.state").getTextContent();
            if (state.equals("success") || state.equals("error")) {
                break;
            }
        }
        assertEquals("success", state);
        Element result = value(info, "info.result");
        assertEquals("ManagedObjectReference", result.getAttributeNS(XSI, "type")); // vcsim's prefix is not "xsi"
        assertEquals("VirtualMachineSnapshot", result.getAttribute("type"));
        assertFalse(result.getTextContent().isBlank());

        Element tree = value(soap.ok(properties(propertyCollector, "VirtualMachine", vmRef, "snapshot")), "snapshot");
        assertEquals(result.getTextContent(), child(tree, "currentSnapshot").getTextContent());
        assertEquals("lifeboat-test", child(tree, "rootSnapshotList", "name").getTextContent());
    }

    @Test
    void anEmptyPasswordIsAnInvalidLoginFault(VcsimServer vcsim) throws Exception {
        Soap soap = new Soap(vcsim.sdkUri());
        Soap.Reply reply = soap.call(login("SessionManager", "lifeboat", ""));
        assertEquals(500, reply.status());
        assertEquals("Login failure", reply.body().getElementsByTagName("faultstring").item(0).getTextContent());
        Element fault = (Element) reply.body().getElementsByTagNameNS(VIM, "InvalidLoginFault").item(0);
        assertNotNull(fault);
        assertEquals("InvalidLogin", fault.getAttributeNS(XSI, "type"));
    }

    @Test
    void usernameFlagAdmitsOnlyThatPair() throws Exception {
        try (VcsimServer strict = VcsimServer.start(List.of("-username", "alice", "-password", "s3cret"))) {
            assertEquals(500, new Soap(strict.sdkUri()).call(login("SessionManager", "alice", "wrong")).status());
            assertEquals(500, new Soap(strict.sdkUri()).call(login("SessionManager", "user", "pass")).status());
            assertEquals(200, new Soap(strict.sdkUri()).call(login("SessionManager", "alice", "s3cret")).status());
        }
    }

    @Test
    void trustAllAlsoSkipsTheHostNameCheck(VcsimServer vcsim) throws Exception {
        // The certificate names example.com, 127.0.0.1 and ::1 but not "localhost".
        InetAddress localhost = InetAddress.getByName("localhost");
        assumeTrue(localhost instanceof Inet4Address && localhost.isLoopbackAddress(), "localhost is not 127.0.0.1 here");
        HttpClient client = HttpClient.newBuilder().sslContext(VcsimServer.trustAll()).build();
        HttpResponse<String> about = client.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + vcsim.port() + "/about")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, about.statusCode());
        assertTrue(about.body().contains("CreateSnapshot_Task"));
    }

    private static String login(String sessionManager, String user, String password) {
        return """
                <Login xmlns="urn:vim25"><_this type="SessionManager">%s</_this>
                <userName>%s</userName><password>%s</password></Login>""".formatted(sessionManager, user, password);
    }

    private static String properties(String propertyCollector, String type, String ref, String... paths) {
        StringBuilder pathSet = new StringBuilder();
        for (String path : paths) {
            pathSet.append("<pathSet>").append(path).append("</pathSet>");
        }
        return """
                <RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">%s</_this><specSet>
                <propSet><type>%s</type>%s</propSet><objectSet><obj type="%s">%s</obj></objectSet>
                </specSet><options/></RetrievePropertiesEx>""".formatted(propertyCollector, type, pathSet, type, ref);
    }

    /** The {@code val} of the property called {@code name} in a RetrievePropertiesEx returnval (one object). */
    private static Element value(Element returnval, String name) {
        for (Node n = child(returnval, "objects").getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element propSet && propSet.getLocalName().equals("propSet")
                    && child(propSet, "name").getTextContent().equals(name)) {
                return child(propSet, "val");
            }
        }
        throw new AssertionError("no property " + name);
    }

    /** Follows a path of vim25 child elements. */
    private static Element child(Element parent, String... path) {
        Element e = parent;
        for (String name : path) {
            Node n = e.getFirstChild();
            while (n != null && !(n instanceof Element c && VIM.equals(c.getNamespaceURI()) && name.equals(c.getLocalName()))) {
                n = n.getNextSibling();
            }
            if (n == null) {
                throw new AssertionError("no " + name + " in " + e.getLocalName());
            }
            e = (Element) n;
        }
        return e;
    }

    /** One vim25 session: posts SOAP bodies, keeps the session cookie that Login sets. */
    private static final class Soap {
        record Reply(int status, Document body) {}

        private final HttpClient client = HttpClient.newBuilder()
                .sslContext(VcsimServer.trustAll())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        private final URI sdk;
        private String cookie = "";

        Soap(URI sdk) {
            this.sdk = sdk;
        }

        Reply call(String body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(sdk)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "text/xml; charset=utf-8")
                    .header("SOAPAction", "urn:vim25/6.5")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
                            <soapenv:Body>%s</soapenv:Body></soapenv:Envelope>""".formatted(body)));
            if (!cookie.isEmpty()) {
                request.header("Cookie", cookie);
            }
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().firstValue("Set-Cookie").ifPresent(c -> cookie = c.split(";", 2)[0]);
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            return new Reply(response.statusCode(), factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body())));
        }

        /** Calls and returns the response's {@code returnval}, failing on anything but HTTP 200. */
        Element ok(String body) throws Exception {
            Reply reply = call(body);
            assertEquals(200, reply.status(), () -> "SOAP fault: " + reply.body().getDocumentElement().getTextContent());
            Node returnval = reply.body().getElementsByTagNameNS(VIM, "returnval").item(0);
            assertNotNull(returnval, "no returnval");
            return (Element) returnval;
        }
    }
}
