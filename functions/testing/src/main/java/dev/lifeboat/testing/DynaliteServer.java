package dev.lifeboat.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A dynalite child process (with the project's transaction shim) on a random loopback port. The child watches its
 * stdin, so it ends with this JVM even when the JVM is killed.
 */
public final class DynaliteServer implements AutoCloseable {
    private final Process process;
    private final URI endpoint;

    private DynaliteServer(Process process, int port) {
        this.process = process;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
    }

    public static DynaliteServer start(Path dataDir) {
        Path root = RepositoryRoot.find();
        Path dir = root.resolve("infra/dynalite");
        ensureInstalled(dir);
        List<String> command = new ArrayList<>(List.of("node", dir.resolve("start-dynalite.js").toString(), "--exit-with-stdin"));
        if (dataDir != null) {
            command.add("--path");
            command.add(dataDir.toString());
        }
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            String line = firstLine.get(30, TimeUnit.SECONDS);
            if (line == null || !line.matches("\\d+")) {
                p.destroyForcibly();
                throw new IllegalStateException("dynalite did not start (its error is above); it printed: " + line);
            }
            return new DynaliteServer(p, Integer.parseInt(line));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node: install Node.js 20 or newer (" + e.getMessage() + ")", e);
        } catch (Exception e) {
            throw new IllegalStateException("dynalite did not start within 30 s", e);
        }
    }

    /** Installs the pinned dynalite from the committed lock file the first time, so `mvn verify` works on a fresh clone. */
    private static synchronized void ensureInstalled(Path dir) {
        if (Files.isDirectory(dir.resolve("node_modules/dynalite"))) {
            return;
        }
        try {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile()).inheritIO().start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm ci in " + dir + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run npm: install Node.js 20 or newer with npm", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

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
