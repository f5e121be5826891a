package dev.lifeboat.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.events.EventPublisher.StateChangeEvent;
import dev.lifeboat.domain.events.EventPublisher.StateChangeEvent.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/** The PutEvents adapter with the real SDK client against {@link FakeEventBridge}. */
class EventBridgePublisherTest {
    static final String BUS = "lifeboat-events";

    FakeEventBridge fake;
    EventBridgeClient client;
    EventBridgePublisher publisher;

    @BeforeEach
    void start() {
        fake = new FakeEventBridge();
        client = fake.client();
        publisher = new EventBridgePublisher(() -> client, BUS);
    }

    @AfterEach
    void stop() {
        client.close();
        fake.close();
    }

    static StateChangeEvent backup(String id) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("id", id);
        detail.put("vm", "vm-web-01");
        detail.put("status", "FAILED");
        return new StateChangeEvent(Kind.BACKUP, id, detail);
    }

    static List<StateChangeEvent> backups(int n) {
        return IntStream.range(0, n).mapToObj(i -> backup("b" + i)).toList();
    }

    static List<String> ids(FakeEventBridge.Request request) {
        return request.entries().stream().map(e -> detail(e).path("id").asText()).toList();
    }

    static JsonNode detail(JsonNode entry) {
        try {
            return Json.TREES.read(entry.path("Detail").asText());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eachEventIsAnEntryWithTheSourceTheKindsDetailTypeItsResourceAndItsDetailAsJson() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("code", "TIMEOUT");
        nested.put("retryable", true);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("id", "r1");
        detail.put("backupId", "01JBACKUP");
        detail.put("progress", 42);
        detail.put("sizeBytes", 12_345_678_901L);
        detail.put("ratio", 0.5);
        detail.put("exact", new BigDecimal("1.10"));
        detail.put("finishedAt", null);
        detail.put("error", nested);
        detail.put("tags", Arrays.asList("a", 1, null, List.of(false)));

        publisher.publish(List.of(new StateChangeEvent(Kind.RESTORE, "01JRESTORE", detail),
                new StateChangeEvent(Kind.BACKUP, null, Map.of("id", "b1"))));

        assertEquals(1, fake.requests().size());
        FakeEventBridge.Request request = fake.requests().get(0);
        assertEquals("POST", request.method());
        assertEquals("/", request.path());
        assertEquals("AWSEvents.PutEvents", request.target());
        assertEquals("application/x-amz-json-1.1", request.contentType());
        List<JsonNode> entries = request.entries();
        assertEquals(2, entries.size());

        JsonNode restore = entries.get(0);
        assertEquals(BUS, restore.path("EventBusName").asText());
        assertEquals("lifeboat", restore.path("Source").asText());
        assertEquals("Restore State Change", restore.path("DetailType").asText());
        assertEquals("[\"01JRESTORE\"]", restore.path("Resources").toString());
        assertTrue(restore.path("Detail").isTextual(), "Detail is a JSON document inside a string");
        assertEquals("{\"id\":\"r1\",\"backupId\":\"01JBACKUP\",\"progress\":42,\"sizeBytes\":12345678901,\"ratio\":0.5,"
                + "\"exact\":1.10,\"finishedAt\":null,\"error\":{\"code\":\"TIMEOUT\",\"retryable\":true},"
                + "\"tags\":[\"a\",1,null,[false]]}", restore.path("Detail").asText());
        assertFalse(restore.has("Time"), "the service stamps the time of the call");

        JsonNode backup = entries.get(1);
        assertEquals("Backup State Change", backup.path("DetailType").asText());
        assertTrue(backup.path("Resources").isMissingNode() || backup.path("Resources").isEmpty(),
                "no resource id, no resources: " + backup);
        assertEquals("{\"id\":\"b1\"}", backup.path("Detail").asText());
    }

    @Test
    void twentyFiveEventsGoOutInThreeCallsOfAtMostTenInOrder() {
        publisher.publish(backups(25));

        List<FakeEventBridge.Request> requests = fake.requests();
        assertEquals(List.of(10, 10, 5), requests.stream().map(r -> r.entries().size()).toList());
        List<String> sent = requests.stream().flatMap(r -> ids(r).stream()).toList();
        assertEquals(IntStream.range(0, 25).mapToObj(i -> "b" + i).toList(), sent);
    }

    @Test
    void aBatchIsClosedEarlyWhenTheNextEntryWouldPassTheRequestSizeLimit() {
        String big = "x".repeat(100 * 1024);
        List<StateChangeEvent> events = IntStream.range(0, 3)
                .mapToObj(i -> new StateChangeEvent(Kind.BACKUP, "b" + i, Map.of("id", "b" + i, "log", big)))
                .toList();

        publisher.publish(events);

        assertEquals(List.of(2, 1), fake.requests().stream().map(r -> r.entries().size()).toList());
    }

    @Test
    void failedEntriesAreSentOnceMoreAndOnlyThey() {
        fake.failEntry("b3", "ThrottlingException");
        fake.failEntry("b7", "InternalFailure");

        publisher.publish(backups(12));

        List<FakeEventBridge.Request> requests = fake.requests();
        assertEquals(3, requests.size(), "first batch, its retry, second batch");
        assertEquals(10, requests.get(0).entries().size());
        assertEquals(List.of("b3", "b7"), ids(requests.get(1)));
        assertEquals(List.of("b10", "b11"), ids(requests.get(2)));
    }

    @Test
    void entriesThatFailTwiceAreLostAndNamedAfterTheOthersArePublished() {
        fake.failEntry("b2", "ThrottlingException", "ThrottlingException");
        fake.failEntry("b5", "InternalFailure", "InternalFailure");
        fake.failEntry("b6", "InternalFailure");

        EventPublisher.Unavailable e = assertThrows(EventPublisher.Unavailable.class,
                () -> publisher.publish(backups(12)));

        assertEquals(2, e.lost());
        assertTrue(e.getMessage().startsWith("2 of 12 events were not published to event bus " + BUS), e.getMessage());
        assertTrue(e.getMessage().contains("InternalFailure") && e.getMessage().contains("ThrottlingException"),
                e.getMessage());
        List<FakeEventBridge.Request> requests = fake.requests();
        assertEquals(3, requests.size(), "the second batch still goes out");
        assertEquals(List.of("b2", "b5", "b6"), ids(requests.get(1)));
        assertEquals(List.of("b10", "b11"), ids(requests.get(2)));
    }

    @Test
    void aCallThatFailsAsAWholeLosesItsBatchAndEveryLaterOne() {
        fake.failRequests(0, 500);

        EventPublisher.Unavailable e = assertThrows(EventPublisher.Unavailable.class,
                () -> publisher.publish(backups(25)));

        assertEquals(25, e.lost());
        assertTrue(e.getMessage().contains("25 of 25") && e.getMessage().contains("InternalException (HTTP 500)"),
                e.getMessage());
        List<FakeEventBridge.Request> requests = fake.requests();
        assertTrue(requests.size() > 1, "the SDK retried the call itself");
        for (FakeEventBridge.Request request : requests) {
            assertEquals(ids(requests.get(0)), ids(request), "no later batch is tried");
        }
    }

    @Test
    void aFailureAfterAPublishedBatchCountsOnlyWhatWasNotPublished() {
        fake.failRequests(1, 500);

        EventPublisher.Unavailable e = assertThrows(EventPublisher.Unavailable.class,
                () -> publisher.publish(backups(25)));

        assertEquals(15, e.lost(), "the first batch was published");
        assertTrue(e.getMessage().startsWith("15 of 25 events"), e.getMessage());
    }

    @Test
    void aRetryThatFailsAsAWholeLosesTheRetriedEntriesAndTheLaterBatches() {
        fake.failEntry("b3", "ThrottlingException");
        fake.failRequests(1, 500);

        EventPublisher.Unavailable e = assertThrows(EventPublisher.Unavailable.class,
                () -> publisher.publish(backups(25)));

        assertEquals(1 + 15, e.lost());
        assertEquals(List.of("b3"), ids(fake.requests().get(1)));
    }

    @Test
    void anUnreachableBusIsUnavailable() {
        try (EventBridgeClient closed = FakeEventBridge.client(URI.create("http://127.0.0.1:1"))) {
            EventBridgePublisher unreachable = new EventBridgePublisher(() -> closed, BUS);
            EventPublisher.Unavailable e = assertThrows(EventPublisher.Unavailable.class,
                    () -> unreachable.publish(backups(3)));
            assertEquals(3, e.lost());
            assertTrue(e.getMessage().contains("PutEvents failed: SdkClientException"), e.getMessage());
        }
    }

    @Test
    void anEventAboveTheEntryLimitIsRefusedBeforeAnythingIsSent() {
        List<StateChangeEvent> events = new ArrayList<>(backups(2));
        events.add(new StateChangeEvent(Kind.BACKUP, "b2", Map.of("log", "x".repeat(256 * 1024))));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> publisher.publish(events));

        assertTrue(e.getMessage().startsWith("event 2 (Backup State Change)"), e.getMessage());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void anEntryExactlyAtTheLimitIsPublished() {
        String source = EventBridgePublisher.SOURCE;
        String type = Kind.BACKUP.detailType();
        int room = EventBridgePublisher.MAX_ENTRY_BYTES - source.length() - type.length() - "r".length()
                - "{\"log\":\"\"}".length();
        publisher.publish(List.of(new StateChangeEvent(Kind.BACKUP, "r", Map.of("log", "x".repeat(room)))));
        assertEquals(1, fake.requests().size());
    }

    @Test
    void nothingToPublishBuildsNoClient() {
        new EventBridgePublisher(() -> {
            throw new AssertionError("no client for no events");
        }, BUS).publish(List.of());
    }

    @Test
    void theBusComesFromTheEnvironmentAndIsTheDefaultBusWithoutIt() {
        assertEquals("default", EventBridgePublisher.fromEnvironment(Map.of(), () -> client).eventBusName());
        assertEquals("default", new EventBridgePublisher(() -> client, " ").eventBusName());
        assertEquals(BUS, EventBridgePublisher.fromEnvironment(Map.of("EVENT_BUS_NAME", BUS), () -> client)
                .eventBusName());

        EventBridgePublisher.fromEnvironment(Map.of(), () -> client).publish(backups(1));
        assertEquals("default", fake.requests().get(0).entries().get(0).path("EventBusName").asText());
    }

    @Test
    void theClientIsBuiltOnceOnFirstUse() {
        int[] built = {0};
        EventBridgePublisher lazy = new EventBridgePublisher(() -> {
            built[0]++;
            return client;
        }, BUS);
        assertEquals(0, built[0]);
        lazy.publish(backups(1));
        lazy.publish(backups(11));
        assertEquals(1, built[0]);
    }

    @Test
    void anEventHoldsOnlyJsonValuesAsAnUnmodifiableCopy() {
        Map<String, Object> detail = new HashMap<>();
        detail.put("when", Instant.EPOCH);
        assertThrows(IllegalArgumentException.class, () -> new StateChangeEvent(Kind.BACKUP, "b", detail));
        assertThrows(IllegalArgumentException.class,
                () -> new StateChangeEvent(Kind.BACKUP, "b", Map.of("x", Double.NaN)));
        assertThrows(IllegalArgumentException.class,
                () -> new StateChangeEvent(Kind.BACKUP, "b", Map.of("x", Map.of(1, "one"))));
        assertThrows(IllegalArgumentException.class,
                () -> new StateChangeEvent(Kind.BACKUP, "b", Map.of("x", List.of(new Object()))));

        Map<String, Object> source = new HashMap<>();
        List<Object> list = new ArrayList<>(List.of("a"));
        source.put("list", list);
        StateChangeEvent event = new StateChangeEvent(Kind.RESTORE, null, source);
        source.put("late", 1);
        list.add("b");
        assertEquals(Map.of("list", List.of("a")), event.detail());
        assertThrows(UnsupportedOperationException.class, () -> event.detail().put("x", 1));
        assertEquals(Map.of(), new StateChangeEvent(Kind.RESTORE, null, null).detail());
        assertEquals("Restore State Change", Kind.RESTORE.detailType());
    }
}
