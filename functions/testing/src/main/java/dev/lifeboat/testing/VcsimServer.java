package dev.lifeboat.testing;

import dev.lifeboat.processes.RepositoryRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A vcsim child process (govmomi's vCenter simulator, vim25 SOAP at {@code /sdk}) on a free loopback port, built from
 * infra/vcsim on first use. The child watches its stdin, so it ends with this JVM even when the JVM is killed.
 * Default inventory and quirks: infra/vcsim/README.md.
 */
public final class VcsimServer implements AutoCloseable {
    private static final Pattern URL_LINE = Pattern.compile("VCSIM_URL=(https?://127\\.0\\.0\\.1:(\\d+)/sdk)");
    private static final long START_SECONDS = 30;
    private static final long BUILD_MINUTES = 10;

    private final Process process;
    private final URI sdkUri;

    private VcsimServer(Process process, URI sdkUri) {
        this.process = process;
        this.sdkUri = sdkUri;
    }

    /** Starts vcsim with its defaults: https, 2 VMs per resource pool, any non-empty user and password log in. */
    public static VcsimServer start() {
        return start(List.of());
    }

    /**
     * Starts vcsim with extra flags of infra/vcsim/main.go, e.g. {@code -username u -password p} (only that pair logs
     * in), {@code -vm 3} or {@code -tls=false}.
     */
    public static VcsimServer start(List<String> flags) {
        Path binary = ensureBuilt(RepositoryRoot.find().resolve("infra/vcsim"));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-l", "127.0.0.1:0", "-exit-with-stdin"));
        command.addAll(flags);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
        }
        try {
            String line = CompletableFuture.supplyAsync(() -> firstLine(p.getInputStream())).get(START_SECONDS, TimeUnit.SECONDS);
            Matcher m = line == null ? null : URL_LINE.matcher(line);
            if (m == null || !m.matches()) {
                throw new IllegalStateException("vcsim did not start (its error is above); it printed: " + line);
            }
            return new VcsimServer(p, URI.create(m.group(1)));
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("vcsim printed no VCSIM_URL line within " + START_SECONDS + " s", e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            p.destroyForcibly();
            throw e instanceof IllegalStateException ise ? ise : new IllegalStateException("vcsim did not start", e);
        }
    }

    private static String firstLine(InputStream in) {
        try {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Runs infra/vcsim/build.sh when the binary is missing or older than main.go, so `mvn verify` works on a fresh
     * machine (the script installs Go and Debian's govmomi with apt-get if needed).
     */
    private static synchronized Path ensureBuilt(Path dir) {
        Path binary = dir.resolve("target/vcsim");
        try {
            if (Files.isExecutable(binary)
                    && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(dir.resolve("main.go"))) > 0) {
                return binary;
            }
        } catch (IOException e) {
            // fall through to the build, which reports the real problem
        }
        Path script = dir.resolve("build.sh");
        try {
            // Both streams go to our stderr: surefire reads a forked JVM's stdout as its own channel.
            Process build = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
            CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> {
                try (InputStream out = build.getInputStream()) {
                    out.transferTo(System.err);
                } catch (IOException e) {
                    // the exit code tells
                }
            });
            if (!build.waitFor(BUILD_MINUTES, TimeUnit.MINUTES)) {
                build.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within " + BUILD_MINUTES + " minutes");
            }
            copy.join();
            if (build.exitValue() != 0 || !Files.isExecutable(binary)) {
                throw new IllegalStateException(script + " failed (exit " + build.exitValue() + "; its output is above). "
                        + "It needs Debian's golang-go and golang-github-vmware-govmomi-dev, installed with apt-get as root.");
            }
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run bash " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code https://127.0.0.1:PORT/sdk} ({@code http} with {@code -tls=false}); carries no credentials. */
    public URI sdkUri() {
        return sdkUri;
    }

    public String host() {
        return sdkUri.getHost();
    }

    public int port() {
        return sdkUri.getPort();
    }

    /**
     * An SSLContext for tests that trusts any server certificate and checks no host name. vcsim serves Go's
     * self-signed test certificate ("Acme Co", for example.com, 127.0.0.1 and ::1), which no trust store holds.
     * Because the trust manager is an {@link X509ExtendedTrustManager}, JSSE does not wrap it with its own
     * endpoint-identification check, so java.net.http.HttpClient needs no
     * {@code jdk.internal.httpclient.disableHostnameVerification} with it. Never use this outside tests.
     */
    public static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAll()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

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

    /** Stops vcsim (SIGTERM: it closes the server and removes its temp datastore dirs). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
