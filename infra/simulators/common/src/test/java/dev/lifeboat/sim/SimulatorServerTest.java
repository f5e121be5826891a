package dev.lifeboat.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulatorServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    SimulatorServer start(Faults faults) throws IOException {
        return SimulatorServer.start(0, faults, e -> SimulatorServer.send(e, 200, "text/plain", "ok"), new SimulatorServer.ErrorBody() {
            public String render(int status, String message) {
                return "{\"status\":" + status + ",\"message\":\"" + message + "\"}";
            }

            public String contentType() {
                return "application/json";
            }
        });
    }

    HttpResponse<String> get(SimulatorServer s) throws Exception {
        return http.send(HttpRequest.newBuilder(s.baseUri()).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesInjectsErrorsAndDropsConnections() throws Exception {
        Faults faults = new Faults();
        try (SimulatorServer s = start(faults)) {
            assertEquals("ok", get(s).body());
            faults.failNext(2, 503);
            assertEquals(503, get(s).statusCode());
            HttpResponse<String> second = get(s);
            assertEquals(503, second.statusCode());
            assertTrue(second.body().contains("Injected fault"));
            assertEquals(200, get(s).statusCode());
            // The JDK client retries an idempotent request once on a dropped connection, so drop both tries.
            faults.dropNext(2);
            assertThrows(IOException.class, () -> get(s));
            assertEquals(200, get(s).statusCode());
        }
    }

    @Test
    void errorRateIsAShareOfRequests() throws Exception {
        Faults faults = new Faults(7).errorRate(0.5, 500);
        int errors = 0;
        try (SimulatorServer s = start(faults)) {
            for (int i = 0; i < 200; i++) {
                if (get(s).statusCode() == 500) errors++;
            }
        }
        assertTrue(errors > 60 && errors < 140, "about half: " + errors);
    }

    @Test
    void latencyDelaysEveryAnswer() throws Exception {
        Faults faults = new Faults().latency(Duration.ofMillis(150));
        try (SimulatorServer s = start(faults)) {
            long t0 = System.nanoTime();
            get(s);
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 150);
        }
    }

    @Test
    void clockMovesAheadOnDemand() {
        SimClock clock = new SimClock();
        var before = clock.instant();
        clock.advance(Duration.ofMinutes(16));
        assertTrue(Duration.between(before, clock.instant()).toMinutes() >= 16);
    }
}
