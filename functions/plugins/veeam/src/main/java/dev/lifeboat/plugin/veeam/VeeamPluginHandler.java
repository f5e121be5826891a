package dev.lifeboat.plugin.veeam;

import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.PluginHandler;
import dev.lifeboat.secrets.SecretStores;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The Veeam plugin Lambda ({@code dev.lifeboat.plugin.veeam.VeeamPluginHandler::handleRequest}): a JSON command in,
 * a JSON result out, typed errors as the function error (see {@link PluginHandler}).
 */
public final class VeeamPluginHandler extends PluginHandler {

    /**
     * For Lambda: passwords from the store that {@code SECRET_STORE} names (Secrets Manager unless {@code file:<dir>}),
     * timeouts from {@code VEEAM_REQUEST_TIMEOUT_SECONDS} / {@code VEEAM_TASK_DEADLINE_SECONDS} when set, log lines to
     * standard output (CloudWatch).
     */
    public VeeamPluginHandler() {
        this(new VeeamPlugin(VeeamClient.Options.fromEnvironment(System.getenv())), SecretStores.fromEnvironment(System.getenv()), System.out);
    }

    /** For the local runtime: everything from the function's own environment map. */
    public VeeamPluginHandler(Map<String, String> env) {
        this(new VeeamPlugin(VeeamClient.Options.fromEnvironment(env)), SecretStores.fromEnvironment(env), System.out);
    }

    /** For tests and local runs. */
    public VeeamPluginHandler(BackupPlugin plugin, SecretStore secrets, PrintStream log) {
        super(plugin, secrets, log);
    }

    /** One command outside Lambda (see {@link PluginHandler#runFromStandardInput}); the log goes to standard error. */
    public static void main(String[] args) throws IOException {
        runFromStandardInput(new VeeamPluginHandler(new VeeamPlugin(VeeamClient.Options.fromEnvironment(System.getenv())),
                SecretStores.fromEnvironment(System.getenv()), System.err));
    }
}
