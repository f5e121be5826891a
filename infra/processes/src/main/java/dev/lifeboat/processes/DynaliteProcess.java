package dev.lifeboat.processes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A dynalite child process: {@code node infra/dynalite/start-dynalite.js [--path DIR] --exit-with-stdin}. The
 * script prints its port as the first line of stdout and listens on 127.0.0.1. It also exits when its stdin
 * closes, which happens when this JVM dies in any way, so no dynalite outlives the runtime.
 */
public final class DynaliteProcess implements AutoCloseable {

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int STDERR_KEEP = 16 * 1024;

    private final Process process;
    private final int port;
    private final StringBuffer stderr;

    private DynaliteProcess(Process process, int port, StringBuffer stderr) {
        this.process = process;
        this.port = port;
        this.stderr = stderr;
    }

    /**
     * The repository's dynalite (with the transaction shim), installed from the committed lock file the first time, so
     * a plain {@code mvn verify} works on a fresh clone.
     *
     * @param dataDirectory where LevelDB keeps the tables across runs; {@code null} for memory
     */
    public static DynaliteProcess startFromRepository(Path dataDirectory) throws IOException {
        Path script = defaultScript(RepositoryRoot.find());
        ensureInstalled(script.getParent());
        return start("node", script, dataDirectory, DEFAULT_START_TIMEOUT);
    }

    /** {@code npm ci} in the launcher's folder when its packages are missing. */
    public static synchronized void ensureInstalled(Path folder) throws IOException {
        if (Files.isDirectory(folder.resolve("node_modules").resolve("dynalite"))) {
            return;
        }
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(folder.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IOException("cannot run npm to install dynalite: install Node.js 20 or newer with npm", e);
        }
        try {
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IOException("npm ci in " + folder + " failed (its output is above)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing dynalite", e);
        }
    }

    /** The launcher script of the repository: {@code <root>/infra/dynalite/start-dynalite.js}. */
    public static Path defaultScript(Path repositoryRoot) {
        return repositoryRoot.resolve("infra").resolve("dynalite").resolve("start-dynalite.js");
    }

    /** Starts with {@code node} from the PATH and the default timeout. */
    public static DynaliteProcess start(Path script, Path dataDirectory) throws IOException {
        return start("node", script, dataDirectory, DEFAULT_START_TIMEOUT);
    }

    /**
     * @param node          the node executable
     * @param dataDirectory where LevelDB keeps the tables across runs (created if missing); {@code null} for memory
     * @throws IOException when node cannot start, the script fails, or prints no port within {@code timeout}; the
     *                     message includes what the child wrote on stderr
     */
    public static DynaliteProcess start(String node, Path script, Path dataDirectory, Duration timeout) throws IOException {
        return start(node, script, dataDirectory, timeout, 0);
    }

    /** V8's young-generation semi-space of the dynalite process, in MB (why: in start). */
    static final int SEMI_SPACE_MB = 64;

    /** @param listenPort where dynalite listens, 0 for any free one */
    public static DynaliteProcess start(String node, Path script, Path dataDirectory, Duration timeout, int listenPort) throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IOException("dynalite launcher not found: " + script.toAbsolutePath());
        }
        // A request's garbage dies young, but V8's default young generation (16 MB semi-spaces) promotes much of it,
        // and every full collection then walks the whole table in memory: with 300,000 items, 64 MB semi-spaces took
        // 8 to 30 % off a transaction of 100 Puts (infra/dynalite/bench/transactions.js and three hand-run pairs).
        List<String> command = new ArrayList<>(List.of(node, "--max-semi-space-size=" + SEMI_SPACE_MB, script.toAbsolutePath().toString()));
        if (dataDirectory != null) {
            Files.createDirectories(dataDirectory);
            command.add("--path");
            command.add(dataDirectory.toAbsolutePath().toString());
        }
        if (listenPort != 0) {
            command.add("--port");
            command.add(Integer.toString(listenPort));
        }
        command.add("--exit-with-stdin");
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IOException("Cannot run " + node + " (is Node.js installed and on the PATH?): "
                    + e.getMessage(), e);
        }
        StringBuffer stderr = new StringBuffer();
        drain(process.getErrorStream(), stderr, "dynalite-stderr");
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                return null;
            }
        }, runnable -> daemon(runnable, "dynalite-port").start());
        String line;
        try {
            line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stop(process);
            throw new IOException("dynalite printed no port within " + timeout.toSeconds() + " s"
                    + childOutput(stderr));
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for dynalite", e);
        } catch (ExecutionException e) {
            stop(process);
            throw new IOException("Cannot read dynalite's output", e.getCause());
        }
        int port;
        try {
            port = Integer.parseInt(line == null ? "" : line.trim());
        } catch (NumberFormatException e) {
            stop(process);
            throw new IOException((line == null ? "dynalite exited before printing its port"
                    : "dynalite printed '" + line + "' instead of a port") + childOutput(stderr));
        }
        // Keep reading stdout so a chatty child never blocks on a full pipe.
        drain(process.getInputStream(), null, "dynalite-stdout");
        return new DynaliteProcess(process, port, stderr);
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** What the child wrote on stderr (the last {@value #STDERR_KEEP} characters). */
    public String stderr() {
        return stderr.toString();
    }

    /** SIGTERM, then SIGKILL after 5 s; returns when the process is gone. */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.close();
        } catch (IOException ignored) {
            // Closing stdin is only a second way to ask it to stop.
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String childOutput(StringBuffer stderr) {
        // The drain thread may still be copying the last lines the child wrote before exiting.
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String text = stderr.toString().strip();
        return text.isEmpty() ? " (nothing on stderr)" : "; its stderr:\n" + text;
    }

    private static void drain(InputStream in, StringBuffer keep, String name) {
        daemon(() -> {
            byte[] buffer = new byte[4096];
            int read;
            try {
                while ((read = in.read(buffer)) > 0) {
                    if (keep != null) {
                        keep.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                        if (keep.length() > STDERR_KEEP) {
                            keep.delete(0, keep.length() - STDERR_KEEP);
                        }
                    }
                }
            } catch (IOException ignored) {
                // The child is gone.
            }
        }, name).start();
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
