package dev.lifeboat.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * For tests of a plugin's deployment jar: runs a handler's command-line entry ({@link PluginHandler#runFromStandardInput})
 * in a fresh JVM with only the jar on the class path, as Lambda would load it, so a class the shade step left out
 * fails here and not in AWS. The child's environment keeps no AWS or secret-store variable of the build's.
 */
public final class PluginJars {
    private PluginJars() {}

    public record Run(int exitCode, String stdout, String stderr) {}

    public static Run run(Path jar, String mainClass, Map<String, String> env, byte[] stdin) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", jar.toAbsolutePath().toString(), mainClass);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("SECRET_STORE") || k.equals("CLASSPATH"));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(mainClass + " from " + jar + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
