package dev.lifeboat.plugin.networker;

import dev.lifeboat.plugin.vmware.Fixtures;
import dev.lifeboat.sim.FaultProxy;
import dev.lifeboat.sim.Faults;
import dev.lifeboat.testing.VcsimServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The vCenter of the placement tests: a real vcsim (infra/vcsim, one per test JVM, admitting only {@link #USER} /
 * {@link #PASSWORD}, so a wrong password is refused) behind an https {@link FaultProxy} whose certificate the manager
 * trusts by {@code caBundlePem}. The plugin reaches it as NetWorker names a vCenter, {@code 127.0.0.1:PORT}.
 *
 * <p><b>Why the proxy renames morefs.</b> vcsim 0.24.2 names objects after their type ({@code clustercomputeresource-27},
 * {@code computeresource-23}, {@code folder-3}, and datastores by their temp dir,
 * {@code /tmp/govcsim-DC0-LocalDS_0-…@folder-5}), while vCenter writes {@code domain-c27}, {@code domain-s23},
 * {@code group-v3}, {@code datastore-…}; the NetWorker simulator checks a recover's morefs by those vCenter prefixes.
 * So the proxy shows vcsim in vCenter's spelling: answers get the vCenter names, requests get vcsim's back. Nothing
 * else changes: objects, structure and faults are vcsim's. (Folders all become {@code group-v…}: vcsim does not tell
 * a VM folder from a host folder by its name, and nothing here needs to.) {@link #vcsimName} gives the name vcsim uses.
 */
final class VcsimVcenter {
    static final String USER = "svc-lifeboat@vsphere.local";
    static final String PASSWORD = "Vc-Pl4ce#ment!";

    private static final Pattern TYPED_VALUE = Pattern.compile(
            "(?<![\\w:])type=\"(ClusterComputeResource|ComputeResource|Folder|Datastore)\">([^<]+)<");
    private static final Pattern NUMBERED = Pattern.compile("[a-z]+-(\\d+)");
    private static VcsimVcenter instance;

    private final VcsimServer vcsim;
    private final FaultProxy proxy;
    private final String caBundlePem;
    private final Map<String, String> toVcenter = new ConcurrentHashMap<>();
    private final Map<String, String> toVcsim = new ConcurrentHashMap<>();
    private final AtomicInteger datastores = new AtomicInteger(100);
    private final HttpClient raw = HttpClient.newBuilder().sslContext(VcsimServer.trustAll()).build();

    private VcsimVcenter() throws Exception {
        vcsim = VcsimServer.start(List.of("-tls=false", "-username", USER, "-password", PASSWORD));
        // The VMware plugin's fixtures already make an https identity for 127.0.0.1; the same one serves here.
        Fixtures.ProxyTls tls = Fixtures.proxyTls();
        proxy = FaultProxy.start(vcsim.sdkUri(), new Faults(), tls.serverContext());
        caBundlePem = tls.certificatePem();
        proxy.addRule((request, upstream) -> {
            FaultProxy.Answer a = upstream.forward(new FaultProxy.Exchange(request.method(), request.pathAndQuery(), request.headers(),
                    rename(request.body(), toVcsim, false)));
            return new FaultProxy.Answer(a.status(), a.headers(), a.body() == null ? null : rename(a.body(), toVcenter, true));
        });
    }

    /** Started on first use; vcsim exits with the test JVM (it watches its stdin), a shutdown hook ends it earlier. */
    static synchronized VcsimVcenter get() {
        if (instance == null) {
            try {
                instance = new VcsimVcenter();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start vcsim and its proxy", e);
            }
            VcsimVcenter started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.proxy.close();
                started.vcsim.close();
            }));
        }
        return instance;
    }

    /** The vCenter as NetWorker names it (vCenterHostname): host:port. */
    String host() {
        return "127.0.0.1:" + proxy.port();
    }

    URI sdk() {
        return proxy.baseUri().resolve("/sdk");
    }

    /** The proxy's certificate: what the manager's caBundlePem must hold for the plugin to trust this vCenter. */
    String caBundlePem() {
        return caBundlePem;
    }

    /** The name vcsim itself uses for a moref value the proxy showed (the value when it was not renamed). */
    String vcsimName(String vcenterName) {
        return toVcsim.getOrDefault(vcenterName, vcenterName);
    }

    // ---- renaming -----------------------------------------------------------------------------------------------------

    private String rename(String body, Map<String, String> names, boolean learn) {
        Matcher m = TYPED_VALUE.matcher(body);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(2);
            String renamed = learn ? vcenterName(m.group(1), value) : names.getOrDefault(value, value);
            m.appendReplacement(out, Matcher.quoteReplacement("type=\"" + m.group(1) + "\">" + renamed + "<"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String vcenterName(String type, String vcsimName) {
        return toVcenter.computeIfAbsent(vcsimName, v -> {
            Matcher n = NUMBERED.matcher(v);
            String name = switch (type) {
                case "ClusterComputeResource" -> n.matches() ? "domain-c" + n.group(1) : v;
                case "ComputeResource" -> n.matches() ? "domain-s" + n.group(1) : v;
                case "Folder" -> v.startsWith("folder-") && n.matches() ? "group-v" + n.group(1) : v;
                default -> v.startsWith("datastore-") ? v : "datastore-" + datastores.incrementAndGet();
            };
            toVcsim.put(name, v);
            return name;
        });
    }

    // ---- what a test does to vCenter besides reading it (raw SOAP, as an administrator would in the vSphere client) --

    /** Gives a VM another instance uuid (ReconfigVM_Task), so that vCenter has the VM NetWorker knows by that uuid. */
    void setInstanceUuid(String vmMoref, String uuid) {
        task(login(), "<ReconfigVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">" + vmMoref + "</_this><spec><instanceUuid>"
                + uuid + "</instanceUuid></spec></ReconfigVM_Task>");
    }

    /** Powers a VM off and deletes it from vCenter and its datastore (Destroy_Task): the VM is gone. */
    void destroy(String vmMoref) {
        String cookie = login();
        task(cookie, "<PowerOffVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">" + vmMoref + "</_this></PowerOffVM_Task>");
        task(cookie, "<Destroy_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">" + vmMoref + "</_this></Destroy_Task>");
    }

    private String login() {
        HttpResponse<String> r = soap(null, "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>"
                + USER + "</userName><password>" + PASSWORD + "</password></Login>");
        return r.headers().firstValue("Set-Cookie").map(c -> c.split(";", 2)[0]).orElseThrow();
    }

    /** Runs a task and waits for it: vcsim 0.24.2 answers when it is done, a newer one (or vCenter) may not. */
    private void task(String cookie, String body) {
        String task = first(soap(cookie, body).body(), "<returnval type=\"Task\">([^<]+)<");
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            String info = soap(cookie, "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this>"
                    + "<specSet><propSet><type>Task</type><pathSet>info.state</pathSet><pathSet>info.error</pathSet></propSet><objectSet>"
                    + "<obj type=\"Task\">" + task + "</obj></objectSet></specSet><options/></RetrievePropertiesEx>").body();
            String state = first(info, "TaskInfoState\">([a-z]+)<");
            if (state.equals("success")) {
                return;
            }
            if (state.equals("error") || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("vcsim task " + task + " ended " + state + ": " + info);
            }
            sleep();
        }
    }

    private HttpResponse<String> soap(String cookie, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(sdk()).header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "urn:vim25/6.5").POST(HttpRequest.BodyPublishers.ofString("<soapenv:Envelope xmlns:soapenv="
                        + "\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>"));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        try {
            HttpResponse<String> r = raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("vcsim answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in " + text);
        }
        return m.group(1);
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Duration timeout() {
        return Duration.ofSeconds(5);
    }
}
