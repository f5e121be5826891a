package dev.lifeboat.plugin;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * How a plugin trusts its backup system (and vCenter). Three modes, chosen per manager, the same for every plugin:
 * <ul>
 *   <li>{@code caBundlePem} given: only those certificates are trust anchors (a private CA, or vCenter's own
 *       self-signed VMCA root); host names are still checked.</li>
 *   <li>neither: the JVM's default trust store, host names checked (a vCenter with a publicly trusted certificate).</li>
 *   <li>{@code insecureTls}: anything is trusted and host names are not checked. An explicit lab switch, off unless
 *       the manager says so; never a fallback.</li>
 * </ul>
 */
public final class PluginTls {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+?)-----END CERTIFICATE-----");

    /** A socket factory with its trust manager (OkHttp wants both), and the host-name check to use. */
    public record Trust(SSLContext context, X509TrustManager trustManager, HostnameVerifier hostnameVerifier) {}

    private PluginTls() {}

    /** For JDK HTTP clients: the context to use, or null for the JVM's default trust. */
    public static SSLContext sslContext(Refs.Manager manager) {
        if (manager.insecureTls()) {
            return insecure().context();
        }
        if (manager.caBundlePem() != null && !manager.caBundlePem().isBlank()) {
            return fromPem(manager.caBundlePem()).context();
        }
        return null;
    }

    /** Trust anchored in the PEM certificates only. A bundle that holds no certificate is a configuration error. */
    public static Trust fromPem(String caBundlePem) {
        List<X509Certificate> certificates = certificates(caBundlePem);
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                anchors.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            X509TrustManager trustManager = null;
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    trustManager = x;
                }
            }
            if (trustManager == null) {
                throw new IllegalStateException("the JVM offers no X509TrustManager");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager}, null);
            // null: OkHttp's own verifier (RFC 2818 names and IP addresses), as for the default trust store.
            return new Trust(context, trustManager, null);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's CA bundle cannot be used: " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = PEM.matcher(pem);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(1));
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's CA bundle holds a certificate that cannot be read: "
                    + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new TerminalError(TerminalError.BAD_COMMAND,
                    "the manager's CA bundle holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** Trusts every certificate and every host name: {@code insecureTls} only. */
    public static Trust insecure() {
        try {
            X509ExtendedTrustManager all = new TrustAll();
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {all}, null);
            return new Trust(context, all, (host, session) -> true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An extended trust manager: JSSE would wrap a plain X509TrustManager with its own endpoint check, which would
     * still refuse a certificate for another host name.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
