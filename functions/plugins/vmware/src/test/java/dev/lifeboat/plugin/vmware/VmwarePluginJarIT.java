package dev.lifeboat.plugin.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.Command;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Operation;
import dev.lifeboat.plugin.PluginJars;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.secrets.FileSecretStore;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment jar (shaded and minimized) on its own: each command runs the handler class from
 * target/vmware-plugin.jar in a fresh {@code java -cp} process, with nothing else on the class path, against vcsim.
 * Runs in the package phase, after the shade plugin (see the pom). Both secret stores a plugin uses are exercised: the
 * Parameters and Secrets extension (here a stand-in on loopback) as in AWS, and a folder as in the local runtime.
 */
class VmwarePluginJarIT {
    static final long MAX_JAR_BYTES = 8L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void theShadedJarRunsCommandsAgainstVcsim() throws Exception {
        Path jar = Path.of(System.getProperty("vmware.plugin.jar", "target/vmware-plugin.jar"));
        assertTrue(Files.isRegularFile(jar), "no " + jar + ": run the package phase");
        long size = Files.size(jar);
        System.err.println("vmware-plugin.jar: " + size + " bytes");
        assertTrue(size <= MAX_JAR_BYTES, "the jar is " + size + " bytes, over " + MAX_JAR_BYTES);

        Refs.Vm vm = Fixtures.vm("DC0/vm/DC0_C0_RP0_VM1");

        // 1. The Parameters and Secrets extension (a stand-in on loopback, on the port the extension's variable names).
        AtomicInteger reads = new AtomicInteger();
        HttpServer extension = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        extension.createContext("/secretsmanager/get", exchange -> {
            boolean authorised = "session-token".equals(exchange.getRequestHeaders().getFirst("X-Aws-Parameters-Secrets-Token"));
            byte[] body = (authorised
                    ? "{\"Name\":\"lifeboat/manager/vc\",\"VersionId\":\"11111111-2222-3333-4444-555555555555\",\"SecretString\":"
                    + CommandJson.TREES.write(JsonNodeFactory.instance.textNode(Fixtures.PASSWORD)) + "}"
                    : "unauthorized").getBytes(StandardCharsets.UTF_8);
            if (authorised) {
                reads.incrementAndGet();
            }
            exchange.sendResponseHeaders(authorised ? 200 : 401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        extension.start();
        try {
            Refs.Manager viaExtension = manager(new SecretRef("lifeboat/manager/vc", "11111111-2222-3333-4444-555555555555"));
            JsonNode connection = run(jar, Map.of("SECRET_STORE", "secretsmanager-extension", "AWS_SESSION_TOKEN", "session-token",
                    "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", Integer.toString(extension.getAddress().getPort())),
                    Command.of(Operation.CHECK_CONNECTION, viaExtension));
            assertTrue(connection.path("authenticated").asBoolean(), connection.toString());
            assertEquals(1, reads.get());
        } finally {
            extension.stop(0);
        }

        // 2. A file store, a backup and its poll.
        FileSecretStore files = new FileSecretStore(dir.resolve("secrets"));
        Refs.Manager viaFile = manager(files.put("lifeboat/manager/vc", new Secret(Fixtures.PASSWORD)));
        Map<String, String> fileEnv = Map.of("SECRET_STORE", "file:" + files.dir());
        JsonNode started = run(jar, fileEnv, Command.of(Operation.START_BACKUP, viaFile).withVm(vm));
        Refs.Job job = new Refs.Job(Refs.Job.Kind.BACKUP, started.path("job").path("ref").asText(), null);
        JsonNode done = run(jar, fileEnv, Command.of(Operation.POLL_JOB, viaFile).withJob(job));
        assertEquals("SUCCEEDED", done.path("state").asText(), done.toString());
        assertTrue(done.path("restorePoint").path("ref").asText().startsWith(vm.moref() + "/snapshot-"), done.toString());
    }

    private static Refs.Manager manager(SecretRef ref) {
        return new Refs.Manager("dc1", ManagerType.VMWARE_SNAPSHOT, Fixtures.vcsim().sdkUri().toString(), Fixtures.USER, ref,
                Fixtures.vcsimPem(), false);
    }

    private static JsonNode run(Path jar, Map<String, String> env, Command command) throws Exception {
        PluginJars.Run run = PluginJars.run(jar, "dev.lifeboat.plugin.vmware.VmwareSnapshotPluginHandler", env,
                CommandJson.TREES.bytes(CommandJson.toJson(command)));
        String stdout = run.stdout();
        String stderr = run.stderr();
        assertEquals(0, run.exitCode(), "stdout: " + stdout + "\nstderr: " + stderr);
        assertFalse((stdout + stderr).contains(Fixtures.PASSWORD));
        assertTrue(stderr.contains("\"outcome\":\"ok\""), stderr);
        return CommandJson.TREES.read(stdout);
    }

}
