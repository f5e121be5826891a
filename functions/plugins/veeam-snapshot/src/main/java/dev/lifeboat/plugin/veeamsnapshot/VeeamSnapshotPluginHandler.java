package dev.lifeboat.plugin.veeamsnapshot;

import dev.lifeboat.domain.secret.SecretStore;
import dev.lifeboat.plugin.PluginHandler;
import dev.lifeboat.plugin.veeam.VeeamClient;
import dev.lifeboat.plugin.veeam.VeeamPlugin;
import dev.lifeboat.plugin.vmware.VmwareSnapshotPlugin;
import dev.lifeboat.secrets.SecretStores;
import java.io.PrintStream;
import java.util.Map;

/** The Veeam+Snapshot plugin Lambda. Configuration from the environment: CREDENTIAL_SEPARATOR and the Veeam timeouts. */
public final class VeeamSnapshotPluginHandler extends PluginHandler {
    public VeeamSnapshotPluginHandler() {
        this(System.getenv(), System.out);
    }

    /** For the local runtime: everything from the function's own environment map. */
    public VeeamSnapshotPluginHandler(Map<String, String> env) {
        this(env, System.out);
    }

    VeeamSnapshotPluginHandler(Map<String, String> env, PrintStream log) {
        this(new VeeamSnapshotPlugin(new VeeamPlugin(VeeamClient.Options.fromEnvironment(env)), new VmwareSnapshotPlugin(),
                env.getOrDefault("CREDENTIAL_SEPARATOR", "#")), SecretStores.fromEnvironment(env), log);
    }

    public VeeamSnapshotPluginHandler(VeeamSnapshotPlugin plugin, SecretStore secrets, PrintStream log) {
        super(plugin, secrets, log);
    }
}
