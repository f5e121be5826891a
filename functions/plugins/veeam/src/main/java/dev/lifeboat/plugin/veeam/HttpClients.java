package dev.lifeboat.plugin.veeam;

import dev.lifeboat.plugin.PluginTls;
import dev.lifeboat.plugin.Refs;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

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
        SSLContext tls = PluginTls.sslContext(manager);
        if (tls != null) {
            b.sslContext(tls);
        }
        return b.build();
    }
}
