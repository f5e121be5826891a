package dev.lifeboat.plugin.veeam;

import dev.lifeboat.plugin.PluginError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs {@link VeeamPluginHandler} (its Lambda constructor) on the command read from standard input, as the Lambda
 * runtime would, and prints {@code RESULT <json>}; a plugin error prints {@code ERROR <class> <message>} and exits 1.
 * {@link VeeamJarIT} starts it in a fresh JVM with only the shaded jar (and this class) on the class path.
 */
public final class JarLauncher {
    private JarLauncher() {}

    public static void main(String[] args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new VeeamPluginHandler().handleRequest(System.in, out, null);
        } catch (PluginError e) {
            System.out.println("ERROR " + e.getClass().getName() + " " + e.getMessage());
            System.exit(1);
        }
        System.out.println("RESULT " + out.toString(StandardCharsets.UTF_8));
    }
}
