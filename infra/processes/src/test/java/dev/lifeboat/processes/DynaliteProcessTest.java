package dev.lifeboat.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs against a stand-in script with the launcher's stdout protocol, so dynalite need not be installed. */
class DynaliteProcessTest {

    @Test
    void readsThePortServesAndStops(@TempDir Path data) throws Exception {
        Path folder = data.resolve("tables");
        DynaliteProcess dynalite = DynaliteProcess.start(resource("fake-dynalite.js"), folder);
        try {
            assertTrue(dynalite.port() > 0);
            assertEquals(URI.create("http://127.0.0.1:" + dynalite.port()), dynalite.endpoint());
            assertTrue(Files.isDirectory(folder), "the data folder is created");

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(dynalite.endpoint())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"TableNames\":[]}", answer.body());
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
                () -> DynaliteProcess.start(resource("failing-dynalite.js"), null));
        assertTrue(e.getMessage().contains("exited before printing its port"), e.getMessage());
        assertTrue(e.getMessage().contains("Cannot find module 'dynalite'"), e.getMessage());
    }

    @Test
    void timeoutReportsTheChildsStderr() {
        IOException e = assertThrows(IOException.class, () -> DynaliteProcess.start("node",
                resource("silent-dynalite.js"), null, Duration.ofMillis(1500)));
        assertTrue(e.getMessage().contains("printed no port within"), e.getMessage());
        assertTrue(e.getMessage().contains("still loading..."), e.getMessage());
    }

    @Test
    void missingScriptSaysWhatToDo() {
        IOException e = assertThrows(IOException.class,
                () -> DynaliteProcess.start(Path.of("no/such/start-dynalite.js"), null));
        assertTrue(e.getMessage().contains("dynalite launcher not found"), e.getMessage());
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 5 s");
            Thread.sleep(20);
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(DynaliteProcessTest.class.getResource("/" + name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }
}
