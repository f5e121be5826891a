package dev.lifeboat.plugin.veeam;

import dev.lifeboat.sim.veeam.VeeamSimulator;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK client with one test hook: after the next {@code n} successful logons it ends every logon session of the
 * simulator ({@link VeeamSimulator#expireSessions()}), so the session a plugin just got "expires before its first
 * use". Nothing is added to the simulator and nothing to the plugin: the plugin takes its HttpClient per manager.
 */
public final class SteeringHttpClient extends HttpClient {
    private final HttpClient delegate;
    private final VeeamSimulator sim;
    private final AtomicInteger expireAfterLogons = new AtomicInteger();

    SteeringHttpClient(HttpClient delegate, VeeamSimulator sim) {
        this.delegate = delegate;
        this.sim = sim;
    }

    public void expireNextSessions(int logons) {
        expireAfterLogons.set(logons);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        HttpResponse<T> response = delegate.send(request, handler);
        boolean logon = request.uri().getPath().toLowerCase(Locale.ROOT).contains("sessionmngr") && response.statusCode() == 201;
        if (logon && expireAfterLogons.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            sim.expireSessions();
        }
        return response;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return delegate.sendAsync(request, handler, push);
    }

    @Override public Optional<CookieHandler> cookieHandler() { return delegate.cookieHandler(); }
    @Override public Optional<Duration> connectTimeout() { return delegate.connectTimeout(); }
    @Override public Redirect followRedirects() { return delegate.followRedirects(); }
    @Override public Optional<ProxySelector> proxy() { return delegate.proxy(); }
    @Override public SSLContext sslContext() { return delegate.sslContext(); }
    @Override public SSLParameters sslParameters() { return delegate.sslParameters(); }
    @Override public Optional<Authenticator> authenticator() { return delegate.authenticator(); }
    @Override public Version version() { return delegate.version(); }
    @Override public Optional<Executor> executor() { return delegate.executor(); }
}
