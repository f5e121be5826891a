package dev.lifeboat.events;

import dev.lifeboat.domain.events.EventPublisher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Publishes backup and restore state changes to an EventBridge bus with PutEvents: source {@code lifeboat}, the
 * kind's detail-type, the backup or restore id (when given) as the only resource, and the detail as a JSON object.
 *
 * <p>Facts of the service this follows, from the PutEvents API reference
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html) and the user guide pages it
 * links (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
 * <ul>
 *   <li>One request carries at most 10 entries (the Entries array's maximum), so events go out in batches of 10.</li>
 *   <li>An entry is at most 256 KB, counted as the UTF-8 bytes of Source, DetailType, Detail and each Resource
 *       (plus 14 for Time, which this class leaves to the service). The API reference also says the total entry
 *       size of a request must stay under 256 KB, so a batch is closed early when the next entry would pass it.
 *       An event too large on its own is refused before anything is sent.</li>
 *   <li>One failed entry does not fail the request: the answer has {@code FailedEntryCount} and, in request order,
 *       one result per entry, with {@code ErrorCode}/{@code ErrorMessage} instead of {@code EventId} for the
 *       failed ones, and the caller must send those again. They are sent once more; entries that fail again are
 *       reported as lost.</li>
 * </ul>
 * A call that fails as a whole has already been retried by the SDK's retry strategy; then it and every later
 * batch count as lost, since the bus is not reachable.
 */
public final class EventBridgePublisher implements EventPublisher {
    public static final String SOURCE = "lifeboat";
    public static final String DEFAULT_BUS = "default";
    /** PutEvents API reference: Entries, "Array Members: Minimum number of 1 item. Maximum number of 10 items." */
    static final int MAX_ENTRIES = 10;
    /** PutEvents API reference: "The maximum size for a PutEvents event entry is 256 KB." */
    static final int MAX_ENTRY_BYTES = 256 * 1024;

    private final Supplier<EventBridgeClient> client;
    private final String eventBusName;

    /**
     * @param client       built on first publish, once, so functions that never publish never build it
     * @param eventBusName the bus's name or ARN; null or blank is the account's {@code default} bus
     */
    public EventBridgePublisher(Supplier<EventBridgeClient> client, String eventBusName) {
        this.client = new Lazy<>(client);
        this.eventBusName = AwsErrors.blank(eventBusName) ? DEFAULT_BUS : eventBusName;
    }

    /** The publisher for a function's environment: {@code EVENT_BUS_NAME} (default {@code default}). */
    public static EventBridgePublisher fromEnvironment(Map<String, String> env, Supplier<EventBridgeClient> client) {
        return new EventBridgePublisher(client, env.get("EVENT_BUS_NAME"));
    }

    public String eventBusName() {
        return eventBusName;
    }

    @Override
    public void publish(List<StateChangeEvent> events) {
        List<PutEventsRequestEntry> entries = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            entries.add(entry(events.get(i), i));
        }
        if (entries.isEmpty()) {
            return;
        }
        List<List<PutEventsRequestEntry>> batches = batches(entries);
        int lost = 0;
        Set<String> codes = new TreeSet<>();
        int unsent = entries.size();
        for (List<PutEventsRequestEntry> batch : batches) {
            unsent -= batch.size();
            List<PutEventsRequestEntry> pending = batch;
            try {
                Failed failed = send(pending);
                if (!failed.entries().isEmpty()) {
                    pending = failed.entries();
                    failed = send(pending);
                }
                lost += failed.entries().size();
                codes.addAll(failed.codes());
            } catch (SdkException e) {
                int total = lost + pending.size() + unsent;
                throw new Unavailable(total + " of " + entries.size() + " events were not published to event bus "
                        + eventBusName + ": PutEvents failed: " + AwsErrors.describe(e), total, e);
            }
        }
        if (lost > 0) {
            throw new Unavailable(lost + " of " + entries.size() + " events were not published to event bus "
                    + eventBusName + " (failed twice: " + String.join(", ", codes) + ")", lost, null);
        }
    }

    /** The entries of a request that failed, and their error codes. */
    private record Failed(List<PutEventsRequestEntry> entries, Set<String> codes) {}

    private Failed send(List<PutEventsRequestEntry> batch) {
        PutEventsResponse answer = client.get().putEvents(r -> r.entries(batch));
        List<PutEventsRequestEntry> failed = new ArrayList<>();
        Set<String> codes = new TreeSet<>();
        List<PutEventsResultEntry> results = answer.entries();
        for (int i = 0; i < batch.size(); i++) {
            // Results come in request order, one per entry; one without a result is not known to be published.
            PutEventsResultEntry result = i < results.size() ? results.get(i) : null;
            if (result == null || result.errorCode() != null || result.eventId() == null) {
                failed.add(batch.get(i));
                codes.add(result == null ? "NoResult" : String.valueOf(result.errorCode()));
            }
        }
        return new Failed(failed, codes);
    }

    private PutEventsRequestEntry entry(StateChangeEvent event, int index) {
        Objects.requireNonNull(event, "event " + index);
        PutEventsRequestEntry.Builder b = PutEventsRequestEntry.builder()
                .eventBusName(eventBusName)
                .source(SOURCE)
                .detailType(event.kind().detailType())
                .detail(Json.write(Json.object(event.detail())));
        // Resources: the id as given; an SDK list left unset is not sent at all, which the service reads as empty.
        if (!AwsErrors.blank(event.resource())) {
            b.resources(event.resource());
        }
        PutEventsRequestEntry entry = b.build();
        int size = size(entry);
        if (size > MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("event " + index + " (" + event.kind().detailType() + ") is " + size
                    + " bytes; EventBridge takes at most " + MAX_ENTRY_BYTES + " per event");
        }
        return entry;
    }

    /** The entry size as the EventBridge user guide counts it ("Calculating PutEvents event entry size"). */
    static int size(PutEventsRequestEntry entry) {
        int size = entry.time() == null ? 0 : 14;
        size += utf8(entry.source()) + utf8(entry.detailType()) + utf8(entry.detail());
        for (String resource : entry.resources()) {
            size += utf8(resource);
        }
        return size;
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** In order, at most {@link #MAX_ENTRIES} entries and {@link #MAX_ENTRY_BYTES} bytes of entries per batch. */
    static List<List<PutEventsRequestEntry>> batches(List<PutEventsRequestEntry> entries) {
        List<List<PutEventsRequestEntry>> batches = new ArrayList<>();
        List<PutEventsRequestEntry> batch = new ArrayList<>();
        int bytes = 0;
        for (PutEventsRequestEntry entry : entries) {
            int size = size(entry);
            if (!batch.isEmpty() && (batch.size() == MAX_ENTRIES || bytes + size > MAX_ENTRY_BYTES)) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(entry);
            bytes += size;
        }
        batches.add(batch);
        return batches;
    }
}
