package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LocalApiMainTest {

    private static final String TEMPLATE = TestFiles.resource("test-template.yaml").toString();

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    @Test
    void portTakenIsAClearMessageAndExitStatus1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            LocalApiMain.StartupException e = assertThrows(LocalApiMain.StartupException.class,
                    () -> LocalApiMain.start(new String[] {"--template", TEMPLATE, "--port", Integer.toString(port),
                            "--dynamodb-endpoint", "http://127.0.0.1:9"}, System.out, System.err));
            assertEquals(1, e.status);
            assertTrue(e.getMessage().startsWith("Port " + port + " on 127.0.0.1 is already in use"), e.getMessage());
            assertTrue(e.getMessage().contains("--port"), e.getMessage());
        }
    }

    @Test
    void everyPortTheRuntimeOpensHasItsOwnOptionNamedWhenTakenAndListedInTheUsage() throws Exception {
        var ports = LocalApiMain.Options.parse(new String[0]).ports();
        assertEquals(java.util.List.of("--port", "--lambda-port", "--sfn-port", "--veeam-port", "--networker-port", "--dynamodb-port",
                "--events-port", "--scheduler-port", "--vcsim-port"), java.util.List.copyOf(ports.keySet()));
        assertEquals(9399, ports.get("--veeam-port").getKey(), "the simulators keep their well-known ports by default");
        assertEquals(9090, ports.get("--networker-port").getKey());
        for (String option : ports.keySet()) {
            assertTrue(LocalApiMain.USAGE.contains("  " + option + " PORT "), option + " is missing from the usage");
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                String port = Integer.toString(taken.getLocalPort());
                // Every other port free (0), so only the taken one can be named.
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--template", TEMPLATE));
                for (String other : ports.keySet()) {
                    args.addAll(java.util.List.of(other, other.equals(option) ? port : "0"));
                }
                LocalApiMain.StartupException e = assertThrows(LocalApiMain.StartupException.class,
                        () -> LocalApiMain.start(args.toArray(String[]::new), System.out, System.err));
                assertEquals(1, e.status, option);
                assertTrue(e.getMessage().startsWith("Port " + port + " on 127.0.0.1 is already in use"), e.getMessage());
                assertTrue(e.getMessage().contains(" with " + option + " PORT"), option + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(ports.get(option).getValue()), option + ": " + e.getMessage());
            }
        }
    }

    @Test
    void badArgumentsExitWithStatus2() {
        LocalApiMain.StartupException e = assertThrows(LocalApiMain.StartupException.class,
                () -> LocalApiMain.start(new String[] {"--port", "lots"}, System.out, System.err));
        assertEquals(2, e.status);
        assertTrue(e.getMessage().contains("usage: LocalApiMain"));
    }

    @Test
    void startsCreatesTablesServesAndPrintsWhatIsWhere() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (FakeDynamoDb dynamo = new FakeDynamoDb();
                LocalApiMain.Running running = LocalApiMain.start(new String[] {"--template", TEMPLATE, "--port", "0", "--lambda-port", "0", "--sfn-port", "0", "--veeam-port", "0",
                        "--networker-port", "0",
                        "--dynamodb-endpoint", dynamo.endpoint().toString(), "--param", "Stage=test"},
                        stream(out), stream(err))) {
            assertEquals(1, dynamo.createTableRequests.size());
            URI base = running.api().baseUri();
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals(dynamo.endpoint().toString(), health.headers().firstValue("x-dynamodb-endpoint").orElseThrow());
            assertEquals("test", health.headers().firstValue("x-stage").orElseThrow(), "--param overrides a default");
            assertEquals("lifeboat-local-table", health.headers().firstValue("x-table-name").orElseThrow());

            String banner = out.toString(StandardCharsets.UTF_8);
            assertTrue(banner.matches("(?s)Lifeboat started locally in \\d+ ms.*"), banner);
            assertTrue(banner.contains("API        " + base), banner);
            assertTrue(banner.contains("DynamoDB   " + dynamo.endpoint()), banner);
            assertTrue(banner.contains("LifeboatTable = lifeboat-local-table"), banner);
            assertTrue(banner.contains("GET     /health -> EchoFunction  (no token)"), banner);
            String token = banner.lines().filter(line -> line.contains("export TOKEN=")).findFirst().orElseThrow()
                    .replaceFirst(".*export TOKEN=", "");
            assertEquals("local-user", new LocalTokens(LocalTokens.keyFromEnvironment()).verify(token).get("sub"));
        }
    }
}
