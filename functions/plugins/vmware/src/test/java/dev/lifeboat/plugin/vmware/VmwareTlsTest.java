package dev.lifeboat.plugin.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.testing.VcsimServer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The three trust modes against vcsim's real TLS (Go's self-signed test certificate for 127.0.0.1, example.com, ::1).
 */
class VmwareTlsTest {
    private final VcsimServer vcsim = Fixtures.vcsim();
    private final VmwareSnapshotPlugin plugin = new VmwareSnapshotPlugin(new VimClient.Config(Duration.ofSeconds(5), Duration.ofSeconds(5)));

    @Test
    void theDefaultTrustStoreRefusesVcsimsCertificateClearly() {
        TerminalError e = assertThrows(TerminalError.class,
                () -> plugin.listPolicies(Fixtures.session(vcsim.sdkUri(), null, false)));
        assertEquals(TerminalError.REFUSED, e.code());
        assertTrue(e.detail().startsWith("TLS: the certificate of vCenter at 127.0.0.1:" + vcsim.port() + " is not trusted"), e.detail());
        assertTrue(e.detail().contains("caBundlePem"), "says what to do: " + e.detail());

        Results.Connection c = plugin.checkConnection(Fixtures.session(vcsim.sdkUri(), null, false));
        assertFalse(c.authenticated());
        assertFalse(c.reachable(), "no trusted connection could be made");
        assertTrue(c.details().contains("TLS"), c.details());
    }

    @Test
    void insecureTlsTrustsAnything() {
        Results.Connection c = plugin.checkConnection(Fixtures.session(vcsim.sdkUri(), null, true));
        assertTrue(c.authenticated(), c.details());
        assertTrue(c.details().startsWith("VMware vCenter Server 6.5.0 build-5973321 (API 6.5) at https://127.0.0.1:"), c.details());
    }

    @Test
    void insecureTlsAlsoSkipsTheHostName() {
        assumeLocalhostIsLoopback();
        URI byName = URI.create("https://localhost:" + vcsim.port() + "/sdk");
        assertEquals(List.of(), plugin.listPolicies(Fixtures.session(byName, null, true)));
    }

    @Test
    void aCaBundleWithVcsimsCertificateIsTrusted() {
        String pem = Fixtures.vcsimPem();
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----"), pem);
        Results.Connection c = plugin.checkConnection(Fixtures.session(vcsim.sdkUri(), pem, false));
        assertTrue(c.reachable() && c.authenticated(), c.details());
        assertEquals(List.of(), plugin.listPolicies(Fixtures.session(vcsim.sdkUri(), "some words before the bundle\n" + pem, false)));
    }

    @Test
    void aCaBundleStillChecksTheHostName() {
        assumeLocalhostIsLoopback();
        // The certificate names 127.0.0.1, ::1 and example.com, not "localhost".
        URI byName = URI.create("https://localhost:" + vcsim.port() + "/sdk");
        TerminalError e = assertThrows(TerminalError.class, () -> plugin.listPolicies(Fixtures.session(byName, Fixtures.vcsimPem(), false)));
        assertEquals(TerminalError.REFUSED, e.code());
        assertTrue(e.detail().startsWith("TLS: the certificate of vCenter at localhost:" + vcsim.port() + " does not name that host"), e.detail());
    }

    @Test
    void anotherCertificateInTheBundleIsNotEnough() {
        TerminalError e = assertThrows(TerminalError.class,
                () -> plugin.listPolicies(Fixtures.session(vcsim.sdkUri(), Fixtures.proxyTls().certificatePem(), false)));
        assertTrue(e.detail().contains("is not trusted"), e.detail());
    }

    private static void assumeLocalhostIsLoopback() {
        try {
            InetAddress localhost = InetAddress.getByName("localhost");
            assumeTrue(localhost instanceof Inet4Address && localhost.isLoopbackAddress(), "localhost is not 127.0.0.1 here");
        } catch (java.net.UnknownHostException e) {
            assumeTrue(false, "localhost does not resolve");
        }
    }
}
