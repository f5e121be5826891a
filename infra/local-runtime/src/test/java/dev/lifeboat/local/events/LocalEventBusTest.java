package dev.lifeboat.local.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

class LocalEventBusTest {
    private static final Instant START = Instant.parse("2030-01-01T08:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private LocalEventBus bus;
    private EventBridgeClient client;

    @BeforeEach
    void start() throws Exception {
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        bus = new LocalEventBus("127.0.0.1", 0, new LocalClock(START, 1), log).start();
        client = AwsClients.eventBridge(bus.endpoint());
    }

    @AfterEach
    void stop() {
        client.close();
        bus.close();
    }

    private static PutEventsRequestEntry entry(String id) {
        return PutEventsRequestEntry.builder().source("lifeboat").detailType("Backup State Change")
                .detail("{\"id\":\"" + id + "\",\"status\":\"RUNNING\"}").resources(id).eventBusName("lifeboat-bus")
                .build();
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void putEventsRoundTrip() throws Exception {
        List<LocalEventBus.Event> heard = new CopyOnWriteArrayList<>();
        bus.addListener(heard::add);

        PutEventsResponse response = client.putEvents(r -> r.entries(entry("b-1"), entry("b-2")));

        assertEquals(0, response.failedEntryCount());
        assertEquals(2, response.entries().size());
        List<LocalEventBus.Event> events = bus.events();
        assertEquals(2, events.size());
        for (int i = 0; i < 2; i++) {
            LocalEventBus.Event event = events.get(i);
            assertEquals(response.entries().get(i).eventId(), event.id());
            assertNull(response.entries().get(i).errorCode());
            assertEquals("lifeboat", event.source());
            assertEquals("Backup State Change", event.detailType());
            assertEquals("lifeboat-bus", event.eventBusName());
            assertEquals(List.of("b-" + (i + 1)), event.resources());
            assertEquals("b-" + (i + 1), JSON.readTree(event.detail()).path("id").asText());
            // Stamped on the local clock, which started in 2030.
            assertFalse(event.time().isBefore(START));
            assertTrue(event.time().isBefore(START.plus(Duration.ofDays(1))));
        }
        AwsClients.await("the listener hears both events", Duration.ofSeconds(30), () -> heard.size() == 2);
        assertEquals(events, heard, "every event, in order");
        assertTrue(log().contains("source=lifeboat detail-type=\"Backup State Change\""), log());
        assertTrue(log().contains("id=" + events.get(1).id()), log());
        assertEquals(2, log().lines().filter(line -> line.startsWith("[events] ")).count());
    }

    @Test
    void theEventAsARuleTargetReceivesIt() throws Exception {
        client.putEvents(r -> r.entries(entry("b-1")));
        JsonNode event = JSON.readTree(bus.events().get(0).toJson());
        assertEquals("0", event.path("version").asText());
        assertEquals(bus.events().get(0).id(), event.path("id").asText());
        assertEquals("Backup State Change", event.path("detail-type").asText());
        assertEquals("lifeboat", event.path("source").asText());
        assertEquals("000000000000", event.path("account").asText());
        assertEquals("us-east-1", event.path("region").asText());
        assertTrue(event.path("time").asText().matches("2030-01-0\\dT\\d\\d:\\d\\d:\\d\\dZ"), event.toString());
        assertEquals("b-1", event.path("resources").path(0).asText());
        assertEquals("RUNNING", event.path("detail").path("status").asText(), "detail is an object, not text");
    }

    @Test
    void anEventWithATimeKeepsIt() {
        Instant time = Instant.parse("2026-05-01T12:34:56Z");
        client.putEvents(r -> r.entries(entry("b-1").toBuilder().time(time).build()));
        assertEquals(time, bus.events().get(0).time());
    }

    @Test
    void anEntryWithoutARequiredMemberFailsAlone() {
        PutEventsResponse response = client.putEvents(r -> r.entries(
                entry("ok-1"),
                entry("x").toBuilder().source(null).build(),
                entry("x").toBuilder().detailType("").build(),
                entry("x").toBuilder().detail(null).build(),
                entry("x").toBuilder().detail("not json").build(),
                entry("x").toBuilder().detail("[1,2]").build(),
                entry("ok-2")));

        assertEquals(5, response.failedEntryCount());
        List<String> codes = new ArrayList<>();
        response.entries().forEach(result -> codes.add(result.errorCode()));
        assertEquals(java.util.Arrays.asList(null, "InvalidArgument", "InvalidArgument", "InvalidArgument",
                "MalformedDetail", "MalformedDetail", null), codes);
        assertTrue(response.entries().get(1).errorMessage().contains("Source"));
        assertNotNull(response.entries().get(0).eventId());
        assertNull(response.entries().get(1).eventId());
        assertEquals(List.of("ok-1", "ok-2"), bus.events().stream().map(e -> e.resources().get(0)).toList());
    }

    @Test
    void aRequestWithoutOneCompleteEntryFailsAsAWhole() {
        EventBridgeException e = assertThrows(EventBridgeException.class, () -> client.putEvents(r -> r.entries(
                entry("x").toBuilder().source(null).build(), entry("y").toBuilder().detail(null).build())));
        assertEquals(400, e.statusCode());
        assertEquals("ValidationException", e.awsErrorDetails().errorCode());
        assertTrue(bus.events().isEmpty());
    }

    @Test
    void moreThanTenEntriesIsAValidationException() {
        List<PutEventsRequestEntry> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(entry("b-" + i));
        }
        EventBridgeException e = assertThrows(EventBridgeException.class,
                () -> client.putEvents(r -> r.entries(eleven)));
        assertEquals(400, e.statusCode());
        assertEquals("ValidationException", e.awsErrorDetails().errorCode());
        assertTrue(bus.events().isEmpty());

        // Ten is fine.
        assertEquals(0, client.putEvents(r -> r.entries(eleven.subList(0, 10))).failedEntryCount());
        assertEquals(10, bus.events().size());
    }

    @Test
    void otherOperationsAreUnknown() {
        EventBridgeException e = assertThrows(EventBridgeException.class, () -> client.listRules(r -> { }));
        assertEquals("UnknownOperationException", e.awsErrorDetails().errorCode());
    }

    @Test
    void onlyTheLastEventsAreKept() {
        bus.withCapacity(3);
        for (int i = 1; i <= 5; i++) {
            String id = "b-" + i;
            client.putEvents(r -> r.entries(entry(id)));
        }
        assertEquals(List.of("b-3", "b-4", "b-5"), bus.events().stream().map(e -> e.resources().get(0)).toList());
        bus.clear();
        assertTrue(bus.events().isEmpty());
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        bus.addListener(event -> {
            throw new IllegalStateException("listener bug");
        });
        bus.addListener(event -> heard.add(event.id()));
        client.putEvents(r -> r.entries(entry("b-1")));
        AwsClients.await("the second listener", Duration.ofSeconds(30), () -> heard.size() == 1);
        AwsClients.await("the failure is logged", Duration.ofSeconds(30), () -> log().contains("listener bug"));
    }
}
