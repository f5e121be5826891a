package dev.lifeboat.plugin.veeam;

import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.TerminalError;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * JDK HTTP clients per TLS setting of a manager, kept while the Lambda container lives so warm invocations reuse
 * connections. EM listens on https 9398 with, often, a self-signed certificate (§1.1): a manager may bring its CA
 * bundle ({@code caBundlePem}) or, in labs, switch verification off ({@code insecureTls}).
 */
final class HttpClients {
    private static final int MAX_CACHED = 16;
    private static final Map<String, HttpClient> CACHE = new ConcurrentHashMap<>();

    private HttpClients() {}

    static HttpClient forManager(Refs.Manager manager, Duration connectTimeout) {
        String key = (manager.insecureTls() ? "insecure" : manager.caBundlePem() == null ? "jvm" : "ca:" + manager.caBundlePem().hashCode())
                + "/" + connectTimeout.toMillis();
        if (CACHE.size() > MAX_CACHED) CACHE.clear();
        return CACHE.computeIfAbsent(key, k -> build(manager, connectTimeout));
    }

    private static HttpClient build(Refs.Manager manager, Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder()
                // HTTP/1.1: EM is an HTTP/1.1 service; the JDK's h2c upgrade attempt on http:// buys nothing.
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout);
        if (manager.insecureTls()) {
            b.sslContext(context(new TrustManager[] {TRUST_ALL}));
        } else if (manager.caBundlePem() != null && !manager.caBundlePem().isBlank()) {
            b.sslContext(context(trustManagers(manager.caBundlePem())));
        }
        return b.build();
    }

    private static SSLContext context(TrustManager[] trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    private static TrustManager[] trustManagers(String pem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) throw new GeneralSecurityException("no certificate");
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) store.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the manager's caBundlePem holds no readable PEM certificate");
        }
    }

    /**
     * Accepts any certificate and, being an {@link X509ExtendedTrustManager} that checks nothing, skips the host name
     * check too (the JDK performs it inside the extended trust manager). Labs only: the manager must ask for it.
     */
    private static final X509ExtendedTrustManager TRUST_ALL = new X509ExtendedTrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
