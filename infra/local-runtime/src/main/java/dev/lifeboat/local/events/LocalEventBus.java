package dev.lifeboat.local.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.local.LocalEnvironment;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * EventBridge's {@code PutEvents} on a local port, for the SDK's {@code EventBridgeClient} pointed here through
 * {@code AWS_ENDPOINT_URL_EVENTBRIDGE}: awsJson1_1, {@code POST /} with {@code X-Amz-Target: AWSEvents.PutEvents}.
 *
 * <p>Every accepted event is kept (the last {@link #DEFAULT_CAPACITY}, or as set), written as one line to the log,
 * and handed to the listeners, in order, on one thread of their own, so that a slow listener never slows a
 * publisher. There are no rules: what a listener does with an event is up to whoever registers it.
 *
 * <p>The service's rules it keeps, from the PutEvents API reference
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
 * API_PutEventsRequestEntry.html, API_PutEventsResultEntry.html):
 * <ul>
 *   <li>1 to 10 entries per request, else the whole request fails ({@code ValidationException}, 400).</li>
 *   <li>{@code Source}, {@code DetailType} and {@code Detail} are required: an entry without one of them fails
 *       alone ({@code ErrorCode} {@code InvalidArgument}), and a request in which no entry has all three fails as
 *       a whole ({@code ValidationException}; the reference says the request fails, not with which error).</li>
 *   <li>{@code Detail} must be a JSON object, else the entry fails with {@code MalformedDetail}.</li>
 *   <li>One result per entry, in request order: {@code EventId} on success, {@code ErrorCode} and
 *       {@code ErrorMessage} on failure; {@code FailedEntryCount} counts the failures. Without a {@code Time} the
 *       event takes the time it was received (here: on the {@link LocalClock}).</li>
 * </ul>
 * The error messages are this class's own; only the codes are the service's.
 */
public final class LocalEventBus implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 1000;
    public static final String PUT_EVENTS_TARGET = "AWSEvents.PutEvents";
    /** The PutEvents API reference: Entries, "Array Members: Minimum number of 1 item. Maximum number of 10 items." */
    public static final int MAX_ENTRIES = 10;
    private static final int LOGGED_DETAIL_CHARS = 300;

    /**
     * One accepted event.
     *
     * @param eventBusName the entry's {@code EventBusName} as given (name or ARN), {@code default} when absent
     * @param detail       the JSON object text as the publisher sent it
     */
    public record Event(String id, Instant time, String eventBusName, String source, String detailType,
            String detail, List<String> resources) {

        /**
         * The event as EventBridge delivers it to a rule's target
         * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html): {@code version},
         * {@code id}, {@code detail-type}, {@code source}, {@code account}, {@code time} (seconds, UTC),
         * {@code region}, {@code resources}, and {@code detail} as an object.
         */
        public String toJson() {
            ObjectNode event = JsonHttp.object();
            event.put("version", "0");
            event.put("id", id);
            event.put("detail-type", detailType);
            event.put("source", source);
            event.put("account", LocalEnvironment.ACCOUNT);
            event.put("time", time.truncatedTo(ChronoUnit.SECONDS).toString());
            event.put("region", LocalEnvironment.REGION);
            ArrayNode list = event.putArray("resources");
            resources.forEach(list::add);
            try {
                event.set("detail", JsonHttp.JSON.readTree(detail));
                return JsonHttp.JSON.writeValueAsString(event);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("an accepted detail is a JSON object", e);
            }
        }
    }

    private final String host;
    private final int requestedPort;
    private final LocalClock clock;
    private final PrintStream log;
    private final Deque<Event> events = new ArrayDeque<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private int capacity = DEFAULT_CAPACITY;
    private HttpServer server;
    private volatile ExecutorService delivery;

    /**
     * @param port  0 for any free port, see {@link #port()}
     * @param clock stamps events that carry no {@code Time}
     * @param log   one line per accepted event
     */
    public LocalEventBus(String host, int port, LocalClock clock, PrintStream log) {
        this.host = host;
        this.requestedPort = port;
        this.clock = clock;
        this.log = log;
    }

    /** How many events to keep (the oldest go first); default {@value #DEFAULT_CAPACITY}. */
    public synchronized LocalEventBus withCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        while (events.size() > capacity) {
            events.removeFirst();
        }
        return this;
    }

    public synchronized LocalEventBus start() throws IOException {
        if (server != null) {
            return this;
        }
        // One thread: listeners see events one at a time, in the order they were accepted.
        delivery = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "lifeboat-events-delivery");
            thread.setDaemon(true);
            return thread;
        });
        server = JsonHttp.bind(host, requestedPort, "lifeboat-events");
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** The value for {@code AWS_ENDPOINT_URL_EVENTBRIDGE}. */
    public URI endpoint() {
        return URI.create("http://" + host + ":" + port());
    }

    /** Called with every accepted event, in order, on the bus's delivery thread; exceptions are logged. */
    public void addListener(Consumer<Event> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<Event> listener) {
        listeners.remove(listener);
    }

    /** The kept events, oldest first. */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized void clear() {
        events.clear();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            JsonHttp.stop(server);
            delivery.shutdownNow();
            server = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (!"POST".equals(exchange.getRequestMethod()) || !PUT_EVENTS_TARGET.equals(target)) {
                JsonHttp.awsJsonError(exchange, 400, "UnknownOperationException",
                        "The local event bus answers only " + PUT_EVENTS_TARGET + ", got " + target);
                return;
            }
            JsonNode body;
            try {
                body = JsonHttp.parse(JsonHttp.body(exchange));
            } catch (JsonProcessingException e) {
                JsonHttp.awsJsonError(exchange, 400, "SerializationException", "The request is not JSON");
                return;
            }
            JsonNode entries = body.path("Entries");
            if (!entries.isArray() || entries.isEmpty() || entries.size() > MAX_ENTRIES) {
                JsonHttp.awsJsonError(exchange, 400, "ValidationException", "1 validation error detected: Value at "
                        + "'entries' failed to satisfy constraint: Member must have length between 1 and "
                        + MAX_ENTRIES + ", got " + (entries.isArray() ? entries.size() : "none"));
                return;
            }
            boolean anyComplete = false;
            for (JsonNode entry : entries) {
                anyComplete |= missing(entry) == null;
            }
            if (!anyComplete) {
                JsonHttp.awsJsonError(exchange, 400, "ValidationException",
                        "No entry has Source, DetailType and Detail; every event needs all three");
                return;
            }
            JsonHttp.send(exchange, 200, JsonHttp.AWS_JSON_1_1, putEvents(entries));
        }
    }

    private JsonNode putEvents(JsonNode entries) {
        ObjectNode answer = JsonHttp.object();
        ArrayNode results = JsonHttp.JSON.createArrayNode();
        int failed = 0;
        List<Event> accepted = new ArrayList<>();
        for (JsonNode entry : entries) {
            ObjectNode result = results.addObject();
            String missing = missing(entry);
            if (missing != null) {
                failed++;
                result.put("ErrorCode", "InvalidArgument")
                        .put("ErrorMessage", "Parameter " + missing + " is not valid: it is required");
                continue;
            }
            String detail = entry.get("Detail").asText();
            if (!isJsonObject(detail)) {
                failed++;
                result.put("ErrorCode", "MalformedDetail").put("ErrorMessage", "Detail is not a JSON object");
                continue;
            }
            Instant time;
            try {
                time = JsonHttp.instant(entry.get("Time"));
            } catch (RuntimeException e) {
                failed++;
                result.put("ErrorCode", "InvalidArgument").put("ErrorMessage", "Parameter Time is not valid");
                continue;
            }
            List<String> resources = new ArrayList<>();
            entry.path("Resources").forEach(resource -> resources.add(resource.asText()));
            String bus = JsonHttp.text(entry, "EventBusName");
            Event event = new Event(UUID.randomUUID().toString(), time != null ? time : clock.now(),
                    bus == null || bus.isEmpty() ? "default" : bus, entry.get("Source").asText(),
                    entry.get("DetailType").asText(), detail, List.copyOf(resources));
            result.put("EventId", event.id());
            accepted.add(event);
        }
        answer.put("FailedEntryCount", failed);
        answer.set("Entries", results);
        accept(accepted);
        return answer;
    }

    private void accept(List<Event> accepted) {
        synchronized (this) {
            for (Event event : accepted) {
                events.addLast(event);
                if (events.size() > capacity) {
                    events.removeFirst();
                }
            }
        }
        for (Event event : accepted) {
            log.println(logLine(event));
            ExecutorService executor = delivery;
            if (!listeners.isEmpty() && executor != null) {
                try {
                    executor.execute(() -> deliver(event));
                } catch (RejectedExecutionException closing) {
                    // The bus is closing: the event is kept and logged, not delivered.
                }
            }
        }
    }

    private void deliver(Event event) {
        for (Consumer<Event> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.println("[events] listener failed on event " + event.id() + ": " + e);
            }
        }
    }

    static String logLine(Event event) {
        String detail = event.detail().replaceAll("\\s*\\n\\s*", " ");
        if (detail.length() > LOGGED_DETAIL_CHARS) {
            detail = detail.substring(0, LOGGED_DETAIL_CHARS) + "...";
        }
        return "[events] " + event.time().truncatedTo(ChronoUnit.SECONDS) + " bus=" + event.eventBusName()
                + " source=" + event.source() + " detail-type=\"" + event.detailType() + "\""
                + (event.resources().isEmpty() ? "" : " resources=" + event.resources())
                + " id=" + event.id() + " detail=" + detail;
    }

    /** The first required member the entry lacks (absent, not text, or empty), or null. */
    private static String missing(JsonNode entry) {
        for (String field : List.of("Source", "DetailType", "Detail")) {
            String value = JsonHttp.text(entry, field);
            if (value == null || value.isEmpty()) {
                return field;
            }
        }
        return null;
    }

    private static boolean isJsonObject(String text) {
        try {
            return JsonHttp.JSON.readTree(text).isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
