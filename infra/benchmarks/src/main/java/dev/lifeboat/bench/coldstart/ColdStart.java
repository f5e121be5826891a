package dev.lifeboat.bench.coldstart;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One cold start: spawns a fresh JVM with {@link LambdaJvm}'s options and the class path {@code launcher.jar:function.jar},
 * runs {@link LambdaLauncher} for the handler and event, and times from just before the spawn to the moment the
 * launcher's line arrives (after the first request was handled). Timing from the spawn, in this process, counts
 * everything a Lambda cold start counts of the JVM (the launcher binary, JVM creation, CDS mapping) and needs no
 * clock shared between two processes; the JVM's own start time would leave out the part before it is taken.
 */
public final class ColdStart {
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static final int KEEP_LINES = 40;

    private final Path launcherJar;
    private final Path workDir;

    /** @param workDir the child's working directory (Lambda's is the task root), also where answers are written */
    public ColdStart(Path launcherJar, Path workDir) {
        this.launcherJar = launcherJar;
        this.workDir = workDir;
    }

    /** What to start: a handler from a jar, with the function's environment and memory, and the event to send. */
    public record Launch(String name, Path jar, String handler, int memoryMb, Map<String, String> environment, byte[] event) {}

    /**
     * @param spawnToAnswerNanos spawn → the first request answered
     * @param initNanos          loading the handler class and running its constructor (Lambda's function init)
     * @param requestNanos       the first {@code handleRequest}
     * @param outcome            {@code ok}, {@code error:CLASS} (the handler threw: a handled request with a function
     *                           error) or {@code init-error:CLASS}
     * @param answer             what the handler wrote, or the thrown exception's message
     */
    public record Sample(long spawnToAnswerNanos, long initNanos, long requestNanos, String outcome, String answer) {
        public boolean ok() {
            return outcome.equals("ok");
        }
    }

    /** The child's environment: Lambda's basics, then the function's variables. Nothing of this process leaks in. */
    static Map<String, String> environment(Path workDir, Map<String, String> function) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        // An execution environment has no AWS config or credentials file; this machine's must not count either.
        env.put("AWS_CONFIG_FILE", workDir.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", workDir.resolve("no-aws-credentials").toString());
        env.putAll(function);
        return env;
    }

    public Sample run(Launch launch) throws IOException, InterruptedException {
        Path event = Files.createTempFile(workDir, "event-", ".json");
        Path answer = workDir.resolve(event.getFileName().toString().replace("event-", "answer-"));
        Files.write(event, launch.event());
        List<String> command = new ArrayList<>();
        command.add(LambdaJvm.java().toString());
        command.addAll(LambdaJvm.options(launch.memoryMb()));
        command.add("-cp");
        command.add(launcherJar.toAbsolutePath() + File.pathSeparator + launch.jar().toAbsolutePath());
        command.add(LambdaLauncher.class.getName());
        command.add(launch.handler());
        command.add(event.toAbsolutePath().toString());
        command.add(answer.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment(workDir, launch.environment()));

        Deque<String> lines = new ArrayDeque<>();
        CompletableFuture<Marked> marker = new CompletableFuture<>();
        long spawned = System.nanoTime();
        Process process = builder.start();
        try {
            Thread stdout = reader(process.getInputStream(), lines, marker, "coldstart-stdout");
            Thread stderr = reader(process.getErrorStream(), lines, null, "coldstart-stderr");
            Marked marked;
            try {
                marked = marker.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException(launch.name() + ": no answer within " + LIMIT.toSeconds() + " s" + output(lines));
            } catch (ExecutionException e) {
                throw new IllegalStateException(launch.name() + ": the JVM ended without answering (exit "
                        + exitCode(process) + ")" + output(lines), e.getCause());
            }
            if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(launch.name() + ": answered but did not exit" + output(lines));
            }
            stdout.join(5_000);
            stderr.join(5_000);
            Map<String, String> fields = fields(marked.line());
            String outcome = fields.getOrDefault("outcome", "?");
            if (outcome.startsWith("init-error")) {
                throw new IllegalStateException(launch.name() + ": " + launch.handler() + " did not start: " + outcome + output(lines));
            }
            String text = Files.exists(answer) ? Files.readString(answer, StandardCharsets.UTF_8) : "";
            return new Sample(marked.nanos() - spawned, Long.parseLong(fields.get("init")), Long.parseLong(fields.get("request")),
                    outcome, text);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(event);
            Files.deleteIfExists(answer);
        }
    }

    private record Marked(String line, long nanos) {}

    private static Thread reader(InputStream in, Deque<String> keep, CompletableFuture<Marked> marker, String name) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (marker != null && line.startsWith(LambdaLauncher.MARK)) {
                        marker.complete(new Marked(line, System.nanoTime()));
                        continue;
                    }
                    synchronized (keep) {
                        keep.addLast(line);
                        if (keep.size() > KEEP_LINES) {
                            keep.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // The child is gone.
            }
            if (marker != null) {
                marker.completeExceptionally(new IOException("stdout closed before the launcher's line"));
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : line.substring(LambdaLauncher.MARK.length()).trim().split(" ")) {
            int equals = part.indexOf('=');
            if (equals > 0) {
                fields.put(part.substring(0, equals), part.substring(equals + 1));
            }
        }
        return fields;
    }

    private static String output(Deque<String> lines) {
        synchronized (lines) {
            return lines.isEmpty() ? " (no output)" : "; its last lines:\n  " + String.join("\n  ", lines);
        }
    }

    private static String exitCode(Process process) {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "none yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
