package dev.lifeboat.plugin.vmware;

import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.plugin.PluginHandler;
import dev.lifeboat.secrets.SecretStores;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The Lambda function of the VMware snapshot plugin: {@code dev.lifeboat.plugin.vmware.VmwareSnapshotPluginHandler}
 * (a RequestStreamHandler, JSON in and out; see plugin-spi's {@code CommandJson}).
 */
public final class VmwareSnapshotPluginHandler extends PluginHandler {

    /** For Lambda: the secret store from {@code SECRET_STORE} (Secrets Manager unless {@code file:<dir>}), logs to stdout. */
    public VmwareSnapshotPluginHandler() {
        this(new VmwareSnapshotPlugin(), SecretStores.fromEnvironment(System.getenv()), System.out);
    }

    /** For the local runtime: the secret store from the function's own environment map. */
    public VmwareSnapshotPluginHandler(Map<String, String> env) {
        this(new VmwareSnapshotPlugin(), SecretStores.fromEnvironment(env), System.out);
    }

    /** For tests and local runs: any plugin configuration, secret store and log. */
    public VmwareSnapshotPluginHandler(VmwareSnapshotPlugin plugin, SecretStore secrets, PrintStream log) {
        super(plugin, secrets, log);
    }

    /**
     * Runs one command outside Lambda: the command's JSON on stdin, the result's JSON on stdout, the log line on
     * stderr; a plugin error prints its code and message on stderr and exits 1. For local runs and for the test that
     * proves the shaded jar works on its own.
     */
    public static void main(String[] args) throws IOException {
        VmwareSnapshotPluginHandler handler = new VmwareSnapshotPluginHandler(new VmwareSnapshotPlugin(),
                SecretStores.fromEnvironment(System.getenv()), System.err);
        runFromStandardInput(handler);
    }
}
