package dev.lifeboat.plugin.networker;

import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.PluginHandler;
import dev.lifeboat.secrets.SecretStores;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The NetWorker plugin's Lambda entry point ({@code dev.lifeboat.plugin.networker.NetworkerPluginHandler::handleRequest}):
 * the shared {@link PluginHandler} frame around a {@link NetworkerPlugin}. Configuration comes from the environment:
 * {@code SECRET_STORE} (see {@link SecretStores}), {@code CREDENTIAL_SEPARATOR} and the timeouts of
 * {@link NetworkerPlugin.Settings#fromEnvironment}.
 */
public final class NetworkerPluginHandler extends PluginHandler {

    /** For Lambda: everything from the environment, one log line per command on standard output (CloudWatch). */
    public NetworkerPluginHandler() {
        this(NetworkerPlugin.fromEnvironment(System.getenv()), SecretStores.fromEnvironment(System.getenv()), System.out);
    }

    /** For the local runtime: everything from the function's own environment map. */
    public NetworkerPluginHandler(Map<String, String> env) {
        this(NetworkerPlugin.fromEnvironment(env), SecretStores.fromEnvironment(env), System.out);
    }

    /** For tests and the local runtime: the plugin, the secret store and the log given. */
    public NetworkerPluginHandler(BackupPlugin plugin, SecretStore secrets, PrintStream log) {
        super(plugin, secrets, log);
    }

    /**
     * Runs one command outside Lambda: the command's JSON on stdin, the result's JSON on stdout, the log line on
     * stderr; a plugin error prints its class, code and message on stderr and exits 1. For local runs and for the test
     * that proves the shaded jar works on its own.
     */
    public static void main(String[] args) throws IOException {
        NetworkerPluginHandler handler = new NetworkerPluginHandler(NetworkerPlugin.fromEnvironment(System.getenv()),
                SecretStores.fromEnvironment(System.getenv()), System.err);
        runFromStandardInput(handler);
    }
}
