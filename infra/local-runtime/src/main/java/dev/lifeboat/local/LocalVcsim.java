package dev.lifeboat.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * vCenter for VMWARE_SNAPSHOT managers, when {@code infra/vcsim/build.sh} has built it (it needs Debian's Go and govmomi
 * packages, which a fresh machine may not have: then the runtime starts without it). Plain http, because a manager has
 * no setting to trust vcsim's self-signed certificate; any non-empty user and password log in.
 */
final class LocalVcsim implements AutoCloseable {
    private final Process process;
    private final URI sdk;

    private LocalVcsim(Process process, URI sdk) {
        this.process = process;
        this.sdk = sdk;
    }

    /** @param port vcsim's port, 0 for any free one */
    static Optional<LocalVcsim> startIfBuilt(Path repository, int port) throws IOException {
        Path binary = repository.resolve("infra/vcsim/target/vcsim");
        if (!Files.isExecutable(binary)) {
            return Optional.empty();
        }
        // -exit-with-stdin: vcsim ends with this JVM even when the JVM is killed without running its shutdown hooks.
        Process p = new ProcessBuilder(binary.toString(), "-l", "127.0.0.1:" + port, "-tls=false", "-exit-with-stdin")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(20, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("VCSIM_URL=")) {
                p.destroyForcibly();
                throw new IOException("vcsim did not start; it printed: " + line);
            }
            return Optional.of(new LocalVcsim(p, URI.create(line.substring("VCSIM_URL=".length()))));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while vcsim started", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("vcsim printed no VCSIM_URL line within 20 s", e);
        }
    }

    URI sdk() {
        return sdk;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
