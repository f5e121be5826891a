package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Runs against a stand-in script with the launcher's stdout protocol, so dynalite need not be installed. */
class DynaliteTest {

    @BeforeAll
    static void nodeIsInstalled() {
        boolean found;
        try {
            found = new ProcessBuilder("node", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            found = false;
        }
        assumeTrue(found, "node is not on the PATH");
    }

    @Test
    void readsThePortServesAndStops(@TempDir Path data) throws Exception {
        Path folder = data.resolve("tables");
        Dynalite dynalite = Dynalite.start(TestFiles.resource("fake-dynalite.js"), folder);
        try {
            assertTrue(dynalite.port() > 0);
            assertEquals(URI.create("http://127.0.0.1:" + dynalite.port()), dynalite.endpoint());
            assertTrue(Files.isDirectory(folder), "the data folder is created");

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(dynalite.endpoint())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"TableNames\":[]}", answer.body());
            try (DynamoDbClient client = LocalTables.client(dynalite.endpoint())) {
                assertTrue(client.listTables().tableNames().isEmpty(), "the SDK talks to it");
            }
            waitFor(() -> dynalite.stderr().contains("data path: " + folder.toAbsolutePath()));
        } finally {
            dynalite.close();
        }
        assertFalse(dynalite.isAlive());
        Optional<ProcessHandle> handle = ProcessHandle.of(dynalite.pid());
        assertTrue(handle.isEmpty() || !handle.get().isAlive(), "no process left behind");
    }

    @Test
    void failureReportsTheChildsStderr() {
        IOException e = assertThrows(IOException.class,
                () -> Dynalite.start(TestFiles.resource("failing-dynalite.js"), null));
        assertTrue(e.getMessage().contains("exited before printing its port"), e.getMessage());
        assertTrue(e.getMessage().contains("Cannot find module 'dynalite'"), e.getMessage());
    }

    @Test
    void timeoutReportsTheChildsStderr() {
        IOException e = assertThrows(IOException.class, () -> Dynalite.start("node",
                TestFiles.resource("silent-dynalite.js"), null, Duration.ofMillis(1500)));
        assertTrue(e.getMessage().contains("printed no port within"), e.getMessage());
        assertTrue(e.getMessage().contains("still loading..."), e.getMessage());
    }

    @Test
    void missingScriptSaysWhatToDo() {
        IOException e = assertThrows(IOException.class,
                () -> Dynalite.start(Path.of("no/such/start-dynalite.js"), null));
        assertTrue(e.getMessage().contains("dynalite launcher not found"), e.getMessage());
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 5 s");
            Thread.sleep(20);
        }
    }
}
