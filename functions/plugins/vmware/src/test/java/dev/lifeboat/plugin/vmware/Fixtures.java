package dev.lifeboat.plugin.vmware;

import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.testing.VcsimServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** What the plugin's tests share: one strict vcsim per test JVM, VM look-ups, certificates. */
public final class Fixtures {
    public static final String USER = "lifeboat@vsphere.local";
    public static final String PASSWORD = "Vc-Secret-1#x";
    static final String WRONG_PASSWORD = "Wrong-Password-7";

    private static VcsimServer vcsim;
    private static String vcsimPem;
    private static ProxyTls proxyTls;

    private Fixtures() {}

    /**
     * A vcsim that admits only {@link #USER}/{@link #PASSWORD}: the default one lets any non-empty password in, so a
     * wrong password could not be told from a right one. Started once per test JVM; it exits with the JVM (vcsim
     * watches its stdin), and a shutdown hook stops it earlier on a clean exit.
     */
    public static synchronized VcsimServer vcsim() {
        if (vcsim == null) {
            vcsim = VcsimServer.start(List.of("-username", USER, "-password", PASSWORD));
            VcsimServer started = vcsim;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return vcsim;
    }

    static Refs.Manager manager(URI sdk, String caBundlePem, boolean insecureTls) {
        return new Refs.Manager("dc1", ManagerType.VMWARE_SNAPSHOT, sdk.toString(), USER, new SecretRef("lifeboat/manager/vc", "v1"),
                caBundlePem, insecureTls);
    }

    static Session session(URI sdk, String caBundlePem, boolean insecureTls) {
        return new Session(manager(sdk, caBundlePem, insecureTls), new Secret(PASSWORD));
    }

    /** A VM as Lifeboat would name it, with the moref and instance UUID vcsim gives it (looked up, never hard-coded). */
    public static Refs.Vm vm(String inventoryPath) {
        VcsimServer v = vcsim();
        try {
            HttpClient http = HttpClient.newBuilder().sslContext(VcsimServer.trustAll()).build();
            String cookie = raw(http, v.sdkUri(), null, "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"
                    + "<userName>" + USER + "</userName><password>" + PASSWORD.replace("&", "&amp;") + "</password></Login>").cookie;
            String moref = first(raw(http, v.sdkUri(), cookie, "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">SearchIndex"
                    + "</_this><inventoryPath>" + inventoryPath + "</inventoryPath></FindByInventoryPath>").body, "<returnval type=\"VirtualMachine\">([^<]+)<");
            String uuid = first(raw(http, v.sdkUri(), cookie, "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                    + "propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>config.instanceUuid</pathSet></propSet>"
                    + "<objectSet><obj type=\"VirtualMachine\">" + moref + "</obj></objectSet></specSet><options/></RetrievePropertiesEx>").body,
                    "<val[^>]*>([^<]+)</val>");
            String name = inventoryPath.substring(inventoryPath.lastIndexOf('/') + 1);
            return new Refs.Vm("lb-" + name, name, "vc.local", moref, uuid, true);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot look up " + inventoryPath + " in vcsim", e);
        }
    }

    private record Raw(String body, String cookie) {}

    private static Raw raw(HttpClient http, URI sdk, String cookie, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(sdk).header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "urn:vim25/6.5").POST(HttpRequest.BodyPublishers.ofString(
                        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>" + body
                                + "</soapenv:Body></soapenv:Envelope>"));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("vcsim answered " + r.statusCode() + ": " + r.body());
        }
        return new Raw(r.body(), r.headers().firstValue("Set-Cookie").map(c -> c.split(";", 2)[0]).orElse(cookie));
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in " + text);
        }
        return m.group(1);
    }

    /**
     * vcsim's certificate chain as PEM, read from one trust-all handshake: Go's built-in test certificate, valid for
     * 127.0.0.1 (and example.com, ::1), self-signed, so the chain is its own trust anchor.
     */
    static synchronized String vcsimPem() {
        if (vcsimPem == null) {
            VcsimServer v = vcsim();
            try (SSLSocket socket = (SSLSocket) VcsimServer.trustAll().getSocketFactory().createSocket(v.host(), v.port())) {
                socket.startHandshake();
                vcsimPem = pem(socket.getSession().getPeerCertificates());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read vcsim's certificate", e);
            }
        }
        return vcsimPem;
    }

    static String pem(Certificate... chain) {
        StringBuilder out = new StringBuilder();
        try {
            for (Certificate c : chain) {
                out.append("-----BEGIN CERTIFICATE-----\n")
                        .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** The fault proxy's own https identity: a key and self-signed certificate for 127.0.0.1, made by keytool. */
    public record ProxyTls(SSLContext serverContext, String certificatePem) {}

    public static synchronized ProxyTls proxyTls() {
        if (proxyTls == null) {
            try {
                Path dir = Files.createTempDirectory("lifeboat-proxy-tls");
                Path store = dir.resolve("proxy.p12");
                char[] pass = "changeit".toCharArray();
                String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
                Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "proxy", "-keyalg", "EC", "-groupname", "secp256r1",
                        "-dname", "CN=127.0.0.1, O=Lifeboat tests", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                        .redirectErrorStream(true).start();
                byte[] out;
                try (InputStream in = p.getInputStream()) {
                    out = in.readAllBytes();
                }
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed: " + new String(out, StandardCharsets.UTF_8));
                }
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(store)) {
                    ks.load(in, pass);
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pass);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
                proxyTls = new ProxyTls(context, pem(ks.getCertificate("proxy")));
                Files.deleteIfExists(store);
                Files.deleteIfExists(dir);
            } catch (Exception e) {
                throw new IllegalStateException("cannot make the proxy's certificate", e);
            }
        }
        return proxyTls;
    }

    public static Duration testTimeout() {
        return Duration.ofSeconds(1);
    }
}
