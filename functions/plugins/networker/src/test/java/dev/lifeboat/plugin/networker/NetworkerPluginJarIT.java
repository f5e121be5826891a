package dev.lifeboat.plugin.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.Command;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Operation;
import dev.lifeboat.plugin.PluginJars;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.vmware.VimClient;
import dev.lifeboat.plugin.vmware.VimClient.Moref;
import dev.lifeboat.secrets.FileSecretStore;
import dev.lifeboat.sim.networker.NetworkerSimulator;
import dev.lifeboat.sim.networker.Placement;
import dev.lifeboat.sim.networker.Vm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment jar (shaded and minimized) on its own: commands run the handler class from target/networker-plugin.jar
 * in a fresh {@code java -cp} process with nothing else on the class path. A connection check (NetWorker over the JDK
 * client) and a restore as a new VM of a VM vCenter no longer has, which needs vCenter over OkHttp (the part the
 * minimizing could break). Runs in the package phase, after the shade plugin (see the pom).
 */
class NetworkerPluginJarIT {
    static final long MAX_JAR_BYTES = 8L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void theShadedJarRestoresAGoneVmAsNewPlacedByVcenter() throws Exception {
        Path jar = Path.of(System.getProperty("networker.plugin.jar", "target/networker-plugin.jar"));
        assertTrue(Files.isRegularFile(jar), "no " + jar + ": run the package phase");
        long size = Files.size(jar);
        System.err.println("networker-plugin.jar: " + size + " bytes");
        assertTrue(size <= MAX_JAR_BYTES, "the jar is " + size + " bytes, over " + MAX_JAR_BYTES);

        VcsimVcenter vcenter = VcsimVcenter.get();
        try (NetworkerSimulator nw = NetworkerSimulator.builder().jobDuration(Duration.ZERO).credentials("nwadmin", "Nw-S3cret!").start()) {
            nw.addPolicy("Lifeboat", "");
            nw.addWorkflow("Lifeboat", "GOLD", "GOLD");
            nw.addVCenter(vcenter.host());
            // NetWorker's record of a VM on vcsim's datastore, at a host of vcsim's cluster.
            String datastore;
            String host;
            String cluster;
            try (VimClient.Session s = new VimClient(
                    new VimClient.Config(Duration.ofSeconds(5), Duration.ofSeconds(5)))
                    .open(vcenter.sdk().toString(), vcenter.caBundlePem(), false, VcsimVcenter.USER, new Secret(VcsimVcenter.PASSWORD))) {
                s.login();
                Moref ds = VimClient.asMorefs(s.properties(s.findByInventoryPath("DC0/vm/DC0_C0_RP0_VM0"),
                        List.of("datastore")).get("datastore")).get(0);
                Moref h = s.hostsMounting(ds).get(0);
                Moref c = VimClient.asMoref(s.properties(h, List.of("parent")).get("parent"));
                datastore = ds.value();
                host = h.value();
                cluster = c.value();
                Moref dc = s.datacenterOf(c);
                Moref pool = VimClient.asMoref(s.properties(c, List.of("resourcePool")).get("resourcePool"));
                Moref folder = VimClient.asMoref(s.properties(dc, List.of("vmFolder")).get("vmFolder"));
                for (String moref : List.of(dc.value(), cluster, host, pool.value(), folder.value(), datastore)) {
                    nw.addInventoryObject(vcenter.host(), moref, moref);
                }
                Vm vm = nw.addVm(vcenter.host(), "jar-01", new Placement(dc.value(), cluster, host,
                        pool.value(), folder.value(), datastore), null);
                nw.assign("GOLD", vcenter.host(), vm.uuid());

                FileSecretStore files = new FileSecretStore(dir.resolve("secrets"));
                String password = "Nw-S3cret!#" + VcsimVcenter.PASSWORD;
                Refs.Manager manager = new Refs.Manager("dc1", ManagerType.NETWORKER, nw.baseUri().toString(),
                        "nwadmin#" + VcsimVcenter.USER, files.put("lifeboat/manager/dc1", new Secret(password)), vcenter.caBundlePem(), false);
                Refs.Vm ref = new Refs.Vm("lb-jar-01", "jar-01", vm.vCenterHostname(), vm.moref(), vm.uuid(), false);
                Map<String, String> env = Map.of("SECRET_STORE", "file:" + files.dir());

                JsonNode connection = run(jar, env, Command.of(Operation.CHECK_CONNECTION, manager), password);
                assertTrue(connection.path("authenticated").asBoolean(), connection.toString());

                // The backup in process (not what is under test), then the VM is gone and the jar restores it.
                NetworkerPlugin inProcess = new NetworkerPlugin(NetworkerPlugin.Settings.defaults());
                Session session = new Session(manager, new Secret(password));
                Refs.Job backup = inProcess.startBackup(session, ref, new Refs.Policy("p", "GOLD"));
                Results.JobStatus done = inProcess.pollJob(session, backup);
                assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
                nw.deleteVm(vm.uuid());

                JsonNode started = run(jar, env, Command.of(Operation.START_RESTORE, manager).withVm(ref)
                        .withRestore(done.restorePoint(), Refs.RestoreMode.IN_PLACE), password);
                assertEquals("RESTORE", started.path("job").path("kind").asText(), started.toString());
            }
            JsonNode body = CommandJson.TREES.read(nw.recovers().get(0).requestBody());
            assertEquals("New", body.path("recoverMode").asText());
            assertEquals(datastore, body.path("datastoreMoref").asText());
            assertEquals(host, body.path("hostMoref").asText());
            assertEquals(cluster, body.path("clusterComputeResourceMoref").asText());
            Instant deadline = Instant.now().plusSeconds(10);
            while (nw.vmNamed("jar-01").isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertTrue(nw.vmNamed("jar-01").isPresent(), "NetWorker recreated the VM");
        }
    }

    private static JsonNode run(Path jar, Map<String, String> env, Command command, String password) throws Exception {
        PluginJars.Run run = PluginJars.run(jar, "dev.lifeboat.plugin.networker.NetworkerPluginHandler", env,
                CommandJson.TREES.bytes(CommandJson.toJson(command)));
        String stdout = run.stdout();
        String stderr = run.stderr();
        assertEquals(0, run.exitCode(), "stdout: " + stdout + "\nstderr: " + stderr);
        for (String part : password.split("#", 2)) {
            assertFalse((stdout + stderr).contains(part), "no password in the output");
        }
        assertTrue(stderr.contains("\"outcome\":\"ok\""), stderr);
        return CommandJson.TREES.read(stdout);
    }
}
