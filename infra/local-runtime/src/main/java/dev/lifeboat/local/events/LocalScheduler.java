package dev.lifeboat.local.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lifeboat.local.LocalEnvironment;
import dev.lifeboat.local.template.Intrinsics;
import dev.lifeboat.local.template.Resource;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.UnresolvableReferenceException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * EventBridge Scheduler on a local port, for the SDK's {@code SchedulerClient} pointed here through
 * {@code AWS_ENDPOINT_URL_SCHEDULER}, with schedules that fire on a {@link LocalClock}.
 *
 * <p>The API (REST-JSON, as the SDK 2.57.8 sends it; see {@code functions/events-aws/README.md}):
 * <pre>
 * CreateSchedule  POST   /schedules/{Name}             GroupName, ClientToken and the definition in the body
 * UpdateSchedule  PUT    /schedules/{Name}             the same; replaces the whole definition
 * GetSchedule     GET    /schedules/{Name}?groupName=
 * DeleteSchedule  DELETE /schedules/{Name}?groupName=&amp;clientToken=
 * ListSchedules   GET    /schedules?ScheduleGroup=&amp;NamePrefix=&amp;State=&amp;MaxResults=&amp;NextToken=
 * </pre>
 * Errors carry their type in {@code x-amzn-ErrorType} and {@code {"Message": ...}} as the body: 409
 * {@code ConflictException} (create of a name that exists in the group), 404 {@code ResourceNotFoundException} (a
 * schedule or group that does not exist), 400 {@code ValidationException} (a name, expression, time zone or other
 * member the service would refuse). Facts from the Scheduler API reference
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html and the pages of the other
 * operations): names of 1..64 characters of {@code [0-9a-zA-Z-_.]}; {@code ScheduleExpression} (at most 256
 * characters), {@code FlexibleTimeWindow} and {@code Target} (with {@code Arn} and {@code RoleArn}) are required;
 * {@code State} is {@code ENABLED} (default) or {@code DISABLED}; {@code ActionAfterCompletion} {@code NONE}
 * (default) or {@code DELETE}; a schedule group must exist, {@code default} always does. The error messages are
 * this class's own.
 *
 * <p>Firing, per the Scheduler user guide (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 * <ul>
 *   <li>{@code at(...)}: once, at that local time in the schedule's time zone; one whose time has passed fires at
 *       once (the guide says nothing of this case). {@code StartDate}/{@code EndDate} do not apply to it.</li>
 *   <li>{@code rate(...)}: "If you don't provide a StartDate for a rate-based schedule, your schedule starts
 *       invoking the target immediately": at the create (or update) time, then every interval; with a
 *       {@code StartDate}, at it and every interval after.</li>
 *   <li>{@code cron(...)}: each matching minute in the time zone, daylight saving as {@link CronExpression} says,
 *       not before {@code StartDate}.</li>
 *   <li>Recurring schedules stop after {@code EndDate}. A schedule that has nothing left to fire is complete;
 *       {@code ActionAfterCompletion: DELETE} then deletes it. {@code DISABLED} schedules do not fire.</li>
 *   <li>The target's input gets its context attributes replaced
 *       (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html):
 *       {@code <aws.scheduler.scheduled-time>} by the due time in ISO-8601 UTC ({@code 2022-03-22T18:59:43Z}),
 *       {@code <aws.scheduler.schedule-arn>}, {@code <aws.scheduler.execution-id>} (16 hex digits) and
 *       {@code <aws.scheduler.attempt-number>} ({@code 1}).</li>
 * </ul>
 * Every due fire fires, also after {@link LocalClock#advance} jumped over several: each is recorded with its own
 * scheduled time. Fires are exact (the service invokes within the minute); a {@code FLEXIBLE} window is accepted and
 * fires exactly too.
 */
public final class LocalScheduler implements AutoCloseable {
    public static final String DEFAULT_GROUP = "default";
    public static final String SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";
    public static final String SCHEDULE_ARN = "<aws.scheduler.schedule-arn>";
    public static final String EXECUTION_ID = "<aws.scheduler.execution-id>";
    public static final String ATTEMPT_NUMBER = "<aws.scheduler.attempt-number>";
    public static final int DEFAULT_KEPT_INVOCATIONS = 1000;

    static final String STATE_MACHINE = "AWS::Serverless::StateMachine";
    static final String SCHEDULE_GROUP = "AWS::Scheduler::ScheduleGroup";
    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-_.]{1,64}");
    private static final int MAX_EXPRESSION = 256;
    private static final int MAX_TIMEZONE = 50;
    private static final int MAX_DESCRIPTION = 512;
    private static final int MAX_LIST_RESULTS = 100;
    private static final int LOGGED_INPUT_CHARS = 200;

    /**
     * One fire of a schedule.
     *
     * @param input         the target input with the context attributes filled in ({@code null} when it had none)
     * @param scheduledTime when the schedule was due, on the local clock (what {@code <aws.scheduler.scheduled-time>}
     *                      became, to the second)
     * @param firedAt       the local clock when the scheduler fired it (at or a little after {@code scheduledTime})
     */
    public record Invocation(String scheduleArn, String groupName, String scheduleName, String targetArn,
            String input, Instant scheduledTime, String executionId, Instant firedAt) {
    }

    /** A schedule as it stands. {@code nextFire} is empty when it is disabled or has nothing left to fire. */
    public record ScheduleInfo(String groupName, String name, String arn, String expression, String timezone,
            String state, String targetArn, Optional<Instant> nextFire) {
    }

    /** A schedule's definition: what Create and Update carry, checked. */
    private record Definition(ScheduleExpression expression, String timezone, ZoneId zone, String state,
            String actionAfterCompletion, String description, Instant startDate, Instant endDate,
            JsonNode flexibleTimeWindow, ObjectNode target, String kmsKeyArn) {
    }

    /** A stored schedule; mutable, guarded by {@link #lock}. */
    private static final class Schedule {
        final String group;
        final String name;
        final long order;
        final Instant creationDate;
        Definition definition;
        Instant lastModificationDate;
        /** When a rate schedule counts from: its StartDate, else the create/update time (to the second). */
        Instant anchor;
        Instant nextFire;

        Schedule(String group, String name, long order, Instant created) {
            this.group = group;
            this.name = name;
            this.order = order;
            this.creationDate = created;
        }
    }

    private final String host;
    private final int requestedPort;
    private final LocalClock clock;
    private final ScheduleTarget target;
    private final PrintStream log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Runnable wake = this::wake;
    private final Set<String> groups = new LinkedHashSet<>(List.of(DEFAULT_GROUP));
    /** group → name → schedule, names in order for ListSchedules. */
    private final Map<String, Map<String, Schedule>> schedules = new TreeMap<>();
    private final Deque<Invocation> invocations = new ArrayDeque<>();
    private long created;
    private HttpServer server;
    private ExecutorService targets;
    private Thread timekeeper;
    private volatile boolean running;

    /**
     * @param port   0 for any free port, see {@link #port()}
     * @param target called when a schedule fires
     * @param log    one line per change and per fire
     */
    public LocalScheduler(String host, int port, LocalClock clock, ScheduleTarget target, PrintStream log) {
        this.host = host;
        this.requestedPort = port;
        this.clock = clock;
        this.target = target;
        this.log = log;
    }

    /** Binds the API and starts firing. Schedules added before fire from now on, late ones at once. */
    public synchronized LocalScheduler start() throws IOException {
        if (server != null) {
            return this;
        }
        server = JsonHttp.bind(host, requestedPort, "lifeboat-scheduler-api");
        server.createContext("/", this::handle);
        server.start();
        targets = JsonHttp.daemonPool("lifeboat-scheduler-target");
        running = true;
        clock.onAdvance(wake);
        timekeeper = new Thread(this::keepTime, "lifeboat-scheduler");
        timekeeper.setDaemon(true);
        timekeeper.start();
        return this;
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** The value for {@code AWS_ENDPOINT_URL_SCHEDULER}. */
    public URI endpoint() {
        return URI.create("http://" + host + ":" + port());
    }

    public LocalClock clock() {
        return clock;
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        running = false;
        clock.removeAdvanceListener(wake);
        wake();
        timekeeper.interrupt();
        try {
            timekeeper.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        JsonHttp.stop(server);
        targets.shutdownNow();
        server = null;
    }

    // --------------------------------------------------------------------------------------------- Java API

    /**
     * Makes a schedule group exist (as {@code AWS::Scheduler::ScheduleGroup} does in the template); a group that
     * exists is fine.
     */
    public void createGroup(String name) {
        requireName(name, "groupName");
        lock.lock();
        try {
            groups.add(name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a schedule that the template, not the API, creates: in the {@code default} group, enabled, UTC when
     * {@code timezone} is null. It is then a schedule like any other (Get, List, Delete see it), as the
     * {@code AWS::Scheduler::Schedule} SAM generates for a {@code ScheduleV2} event is.
     *
     * @return the schedule's ARN
     * @throws IllegalArgumentException for a bad name, expression or time zone, or a name that exists
     */
    public String addTemplateSchedule(String name, String expression, String timezone, String targetArn,
            String input) {
        return addTemplateSchedule(new TemplateSchedule(null, null, name, DEFAULT_GROUP, expression, timezone,
                "ENABLED", targetArn, input));
    }

    /** As above, with the group and state the template gives; the group must exist (see {@link #createGroup}). */
    public String addTemplateSchedule(TemplateSchedule schedule) {
        requireName(schedule.name(), "name");
        ObjectNode body = JsonHttp.object();
        body.put("ScheduleExpression", schedule.expression());
        if (schedule.timezone() != null) {
            body.put("ScheduleExpressionTimezone", schedule.timezone());
        }
        body.put("State", schedule.state() == null ? "ENABLED" : schedule.state());
        body.putObject("FlexibleTimeWindow").put("Mode", "OFF");
        ObjectNode targetNode = body.putObject("Target");
        targetNode.put("Arn", schedule.targetArn());
        // SAM generates a role for the schedule; locally nothing assumes it.
        targetNode.put("RoleArn", "arn:aws:iam::" + LocalEnvironment.ACCOUNT + ":role/" + schedule.name() + "Role");
        if (schedule.input() != null) {
            targetNode.put("Input", schedule.input());
        }
        Definition definition;
        try {
            definition = definition(body);
        } catch (Invalid e) {
            throw new IllegalArgumentException("Template schedule " + schedule.name() + ": " + e.getMessage(), e);
        }
        String group = schedule.groupName() == null ? DEFAULT_GROUP : schedule.groupName();
        lock.lock();
        try {
            if (!groups.contains(group)) {
                throw new IllegalArgumentException("Template schedule " + schedule.name() + ": schedule group "
                        + group + " does not exist");
            }
            if (find(group, schedule.name()) != null) {
                throw new IllegalArgumentException("Template schedule " + schedule.name() + " exists in group "
                        + group);
            }
            Schedule s = store(group, schedule.name(), definition);
            log.println("[scheduler] template " + describe(s));
        } finally {
            lock.unlock();
        }
        return arn(group, schedule.name());
    }

    /** The fires so far, oldest first (the last {@value #DEFAULT_KEPT_INVOCATIONS}). */
    public List<Invocation> invocations() {
        lock.lock();
        try {
            return List.copyOf(invocations);
        } finally {
            lock.unlock();
        }
    }

    /** Every schedule, by group and name. */
    public List<ScheduleInfo> schedules() {
        lock.lock();
        try {
            List<ScheduleInfo> out = new ArrayList<>();
            schedules.values().forEach(byName -> byName.values().forEach(s -> out.add(info(s))));
            return out;
        } finally {
            lock.unlock();
        }
    }

    public Optional<ScheduleInfo> schedule(String group, String name) {
        lock.lock();
        try {
            Schedule schedule = find(group, name);
            return schedule == null ? Optional.empty() : Optional.of(info(schedule));
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------- template helpers

    /**
     * The {@code ScheduleV2} events of the template's state machines and functions
     * ({@code AWS::Serverless::StateMachine}, {@code AWS::Serverless::Function}), resolved with {@code refs} (see
     * {@code LocalEnvironment.refs}): the expression, time zone, input, name, group and state through
     * {@link Intrinsics}, the target as the resource's {@code Arn} from the refs. Names follow SAM, which names the
     * generated schedule {@code Name}, else the event's logical id, the resource's logical id followed by the
     * event's key (samtranslator {@code model/eventsources/scheduler.py}: {@code self.Name or self.logical_id}).
     *
     * @throws UnresolvableReferenceException naming the resource, the event and the reference
     * @throws IllegalArgumentException       for an event without {@code ScheduleExpression}
     */
    @SuppressWarnings("unchecked")
    public static List<TemplateSchedule> templateSchedules(SamTemplate template, Map<String, String> refs) {
        List<TemplateSchedule> out = new ArrayList<>();
        for (Resource resource : template.resources().values()) {
            if (!STATE_MACHINE.equals(resource.type()) && !SamTemplate.FUNCTION.equals(resource.type())) {
                continue;
            }
            if (!(resource.properties().get("Events") instanceof Map<?, ?> events)) {
                continue;
            }
            for (Map.Entry<?, ?> entry : events.entrySet()) {
                String eventName = String.valueOf(entry.getKey());
                if (!(entry.getValue() instanceof Map<?, ?> event) || !"ScheduleV2".equals(event.get("Type"))) {
                    continue;
                }
                Map<String, Object> properties = event.get("Properties") instanceof Map<?, ?> map
                        ? (Map<String, Object>) map : Map.of();
                String where = resource.logicalId() + ".Events." + eventName;
                if (properties.get("ScheduleExpression") == null) {
                    throw new IllegalArgumentException(where + " has no ScheduleExpression");
                }
                String arn = refs.get(resource.logicalId() + ".Arn");
                if (arn == null) {
                    throw new UnresolvableReferenceException(resource.logicalId() + ".Arn",
                            where + ": the ARN of " + resource.logicalId() + " is not among the refs");
                }
                String name = optional(properties, "Name", refs, where);
                String group = optional(properties, "GroupName", refs, where);
                String state = optional(properties, "State", refs, where);
                out.add(new TemplateSchedule(resource.logicalId(), eventName,
                        name != null ? name : resource.logicalId() + eventName,
                        group != null ? group : DEFAULT_GROUP,
                        optional(properties, "ScheduleExpression", refs, where),
                        optional(properties, "ScheduleExpressionTimezone", refs, where),
                        state != null ? state : "ENABLED", arn,
                        optional(properties, "Input", refs, where)));
            }
        }
        return out;
    }

    /** The names of the template's {@code AWS::Scheduler::ScheduleGroup}s: their {@code Ref} in {@code refs}. */
    public static List<String> templateGroups(SamTemplate template, Map<String, String> refs) {
        List<String> out = new ArrayList<>();
        for (Resource resource : template.resources().values()) {
            if (SCHEDULE_GROUP.equals(resource.type())) {
                out.add(refs.getOrDefault(resource.logicalId(), resource.logicalId()));
            }
        }
        return out;
    }

    private static String optional(Map<String, Object> properties, String key, Map<String, String> refs,
            String where) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        try {
            return Intrinsics.resolve(value, refs);
        } catch (UnresolvableReferenceException e) {
            throw new UnresolvableReferenceException(e.reference(), where + "." + key + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ firing

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private record Fire(Invocation invocation, String logLine) {
    }

    private void keepTime() {
        while (running) {
            Fire fire = null;
            lock.lock();
            try {
                Instant now = clock.now();
                Schedule due = null;
                Instant earliest = null;
                for (Map<String, Schedule> byName : schedules.values()) {
                    for (Schedule s : byName.values()) {
                        if (s.nextFire == null) {
                            continue;
                        }
                        if (earliest == null || s.nextFire.isBefore(earliest)
                                || s.nextFire.equals(earliest) && s.order < due.order) {
                            earliest = s.nextFire;
                            due = s;
                        }
                    }
                }
                if (earliest != null && !earliest.isAfter(now)) {
                    fire = fire(due, now);
                } else {
                    // Woken by a change, an advance of the clock, or the time of the earliest fire.
                    long nanos = earliest == null ? TimeUnit.MINUTES.toNanos(1)
                            : Math.min(clock.realNanosUntil(earliest), TimeUnit.MINUTES.toNanos(1));
                    if (nanos > 0) {
                        changed.awaitNanos(nanos);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.println("[scheduler] internal error, going on: " + e);
            } finally {
                lock.unlock();
            }
            if (fire != null) {
                dispatch(fire);
            }
        }
    }

    /** Records the fire of a due schedule and moves it on; under the lock. */
    private Fire fire(Schedule s, Instant now) {
        Instant scheduled = s.nextFire;
        Definition d = s.definition;
        String arn = arn(s.group, s.name);
        String executionId = String.format("%016x", ThreadLocalRandom.current().nextLong());
        String input = d.target().hasNonNull("Input") ? d.target().get("Input").asText() : null;
        if (input != null) {
            input = input.replace(SCHEDULED_TIME, scheduled.truncatedTo(ChronoUnit.SECONDS).toString())
                    .replace(SCHEDULE_ARN, arn)
                    .replace(EXECUTION_ID, executionId)
                    .replace(ATTEMPT_NUMBER, "1");
        }
        String targetArn = d.target().path("Arn").asText();
        Invocation invocation = new Invocation(arn, s.group, s.name, targetArn, input,
                scheduled.truncatedTo(ChronoUnit.SECONDS), executionId, now);
        invocations.addLast(invocation);
        if (invocations.size() > DEFAULT_KEPT_INVOCATIONS) {
            invocations.removeFirst();
        }
        s.nextFire = following(s, scheduled);
        String line = "[scheduler] fire " + s.group + "/" + s.name + " due " + invocation.scheduledTime()
                + " -> " + targetArn + " input=" + shorten(input);
        if (s.nextFire == null) {
            if ("DELETE".equals(d.actionAfterCompletion())) {
                schedules.get(s.group).remove(s.name);
                line += " (complete, deleted)";
            } else {
                line += " (complete)";
            }
        }
        return new Fire(invocation, line);
    }

    private void dispatch(Fire fire) {
        log.println(fire.logLine());
        Invocation invocation = fire.invocation();
        try {
            targets.execute(() -> {
                try {
                    target.invoke(invocation.targetArn(), invocation.input());
                } catch (Exception e) {
                    log.println("[scheduler] target " + invocation.targetArn() + " of " + invocation.groupName() + "/"
                            + invocation.scheduleName() + " failed (not retried): " + e);
                }
            });
        } catch (RejectedExecutionException closing) {
            // Closing: the fire is recorded, the target not called.
        }
    }

    /** The first fire of a schedule just created or updated at {@code now}; null when it will not fire. */
    private static Instant first(Schedule s, Instant now) {
        Definition d = s.definition;
        if ("DISABLED".equals(d.state())) {
            return null;
        }
        Instant fire;
        if (d.expression() instanceof ScheduleExpression.At at) {
            return at.instant(d.zone());
        } else if (d.expression() instanceof ScheduleExpression.Rate rate) {
            // Without a StartDate the anchor is now (to the second): the first fire is due at once.
            fire = s.anchor;
            if (d.startDate() != null && fire.isBefore(now)) {
                // A StartDate in the past: the first beat of the anchor's rhythm that is not.
                long beats = Duration.between(fire, now).toNanos() / rate.interval().toNanos();
                fire = fire.plus(rate.interval().multipliedBy(beats));
                if (fire.isBefore(now)) {
                    fire = fire.plus(rate.interval());
                }
            }
        } else {
            Instant from = d.startDate() != null && d.startDate().isAfter(now) ? d.startDate() : now;
            fire = ((CronExpression) d.expression()).next(from, d.zone());
        }
        return withinEnd(fire, d);
    }

    /** The fire after the one due at {@code fired}; null when there is none. */
    private static Instant following(Schedule s, Instant fired) {
        Definition d = s.definition;
        if (d.expression() instanceof ScheduleExpression.At) {
            return null;
        }
        Instant next = d.expression() instanceof ScheduleExpression.Rate rate ? fired.plus(rate.interval())
                : ((CronExpression) d.expression()).next(fired.plusNanos(1), d.zone());
        return withinEnd(next, d);
    }

    private static Instant withinEnd(Instant fire, Definition d) {
        return fire == null || d.endDate() != null && fire.isAfter(d.endDate()) ? null : fire;
    }

    // --------------------------------------------------------------------------------------------------- API

    /** A request the service would refuse; answered with its status and type. */
    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;

        Invalid(int status, String type, String message) {
            super(message);
            this.status = status;
            this.type = type;
        }

        static Invalid validation(String message) {
            return new Invalid(400, "ValidationException", message);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = JsonHttp.query(exchange.getRequestURI().getRawQuery());
            try {
                JsonNode body;
                try {
                    body = JsonHttp.parse(JsonHttp.body(exchange));
                } catch (JsonProcessingException e) {
                    throw Invalid.validation("The request body is not JSON");
                }
                JsonNode answer;
                if (path.equals("/schedules") && method.equals("GET")) {
                    answer = list(query);
                } else if (path.startsWith("/schedules/") && path.indexOf('/', "/schedules/".length()) < 0) {
                    String name = URLDecoder.decode(path.substring("/schedules/".length()), StandardCharsets.UTF_8);
                    answer = switch (method) {
                        case "POST" -> create(name, body);
                        case "PUT" -> update(name, body);
                        case "GET" -> get(name, query.get("groupName"));
                        case "DELETE" -> delete(name, query.get("groupName"));
                        default -> throw new Invalid(405, "UnknownOperationException", method + " " + path);
                    };
                } else {
                    throw new Invalid(404, "UnknownOperationException",
                            "The local scheduler does not answer " + method + " " + path);
                }
                JsonHttp.send(exchange, 200, "application/json", answer);
            } catch (Invalid e) {
                JsonHttp.restJsonError(exchange, e.status, e.type, e.getMessage());
            } catch (RuntimeException e) {
                log.println("[scheduler] " + method + " " + path + " failed: " + e);
                JsonHttp.restJsonError(exchange, 500, "InternalServerException", "Local scheduler error: " + e);
            }
        }
    }

    private JsonNode create(String name, JsonNode body) throws Invalid {
        requireApiName(name, "name");
        String group = group(JsonHttp.text(body, "GroupName"));
        Definition definition = definition(body);
        lock.lock();
        try {
            requireGroup(group);
            if (find(group, name) != null) {
                throw new Invalid(409, "ConflictException", "Schedule " + name + " already exists.");
            }
            Schedule s = store(group, name, definition);
            log.println("[scheduler] create " + describe(s));
        } finally {
            lock.unlock();
        }
        return JsonHttp.object().put("ScheduleArn", arn(group, name));
    }

    private JsonNode update(String name, JsonNode body) throws Invalid {
        requireApiName(name, "name");
        String group = group(JsonHttp.text(body, "GroupName"));
        Definition definition = definition(body);
        lock.lock();
        try {
            requireGroup(group);
            Schedule s = find(group, name);
            if (s == null) {
                throw new Invalid(404, "ResourceNotFoundException", "Schedule " + name + " does not exist.");
            }
            // Update "uses all values, including empty values, specified in the request and overrides the existing
            // schedule" (UpdateSchedule API reference): the definition is replaced as a whole, and a rate schedule
            // counts from the update.
            Instant now = clock.now();
            s.definition = definition;
            s.lastModificationDate = now;
            s.anchor = anchor(definition, now);
            s.nextFire = first(s, now);
            changed.signalAll();
            log.println("[scheduler] update " + describe(s));
        } finally {
            lock.unlock();
        }
        return JsonHttp.object().put("ScheduleArn", arn(group, name));
    }

    private JsonNode get(String name, String groupName) throws Invalid {
        requireApiName(name, "name");
        String group = group(groupName);
        lock.lock();
        try {
            requireGroup(group);
            Schedule s = find(group, name);
            if (s == null) {
                throw new Invalid(404, "ResourceNotFoundException", "Schedule " + name + " does not exist.");
            }
            Definition d = s.definition;
            ObjectNode out = JsonHttp.object();
            out.put("ActionAfterCompletion", d.actionAfterCompletion());
            out.put("Arn", arn(group, name));
            out.put("CreationDate", JsonHttp.epochSeconds(s.creationDate));
            if (d.description() != null) {
                out.put("Description", d.description());
            }
            if (d.endDate() != null) {
                out.put("EndDate", JsonHttp.epochSeconds(d.endDate()));
            }
            out.set("FlexibleTimeWindow", d.flexibleTimeWindow());
            out.put("GroupName", group);
            if (d.kmsKeyArn() != null) {
                out.put("KmsKeyArn", d.kmsKeyArn());
            }
            out.put("LastModificationDate", JsonHttp.epochSeconds(s.lastModificationDate));
            out.put("Name", name);
            out.put("ScheduleExpression", d.expression().text());
            out.put("ScheduleExpressionTimezone", d.timezone());
            if (d.startDate() != null) {
                out.put("StartDate", JsonHttp.epochSeconds(d.startDate()));
            }
            out.put("State", d.state());
            out.set("Target", d.target());
            return out;
        } finally {
            lock.unlock();
        }
    }

    private JsonNode delete(String name, String groupName) throws Invalid {
        requireApiName(name, "name");
        String group = group(groupName);
        lock.lock();
        try {
            requireGroup(group);
            if (find(group, name) == null) {
                throw new Invalid(404, "ResourceNotFoundException", "Schedule " + name + " does not exist.");
            }
            schedules.get(group).remove(name);
            changed.signalAll();
            log.println("[scheduler] delete " + group + "/" + name);
        } finally {
            lock.unlock();
        }
        return JsonHttp.object();
    }

    /** ListSchedules: by group and name; NextToken is an offset into that order, opaque to the client. */
    private JsonNode list(Map<String, String> query) throws Invalid {
        String group = query.get("ScheduleGroup");
        String prefix = query.get("NamePrefix");
        String state = query.get("State");
        int max = MAX_LIST_RESULTS;
        if (query.containsKey("MaxResults")) {
            try {
                max = Integer.parseInt(query.get("MaxResults"));
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1 || max > MAX_LIST_RESULTS) {
                throw Invalid.validation("MaxResults must be from 1 to " + MAX_LIST_RESULTS);
            }
        }
        if (state != null && !state.equals("ENABLED") && !state.equals("DISABLED")) {
            throw Invalid.validation("State must be ENABLED or DISABLED, got " + state);
        }
        int offset = 0;
        if (query.containsKey("NextToken")) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(query.get("NextToken")),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw Invalid.validation("NextToken is not valid");
            }
        }
        List<Schedule> matching = new ArrayList<>();
        lock.lock();
        try {
            schedules.forEach((g, byName) -> byName.values().forEach(s -> {
                if ((group == null || g.equals(group)) && (prefix == null || s.name.startsWith(prefix))
                        && (state == null || s.definition.state().equals(state))) {
                    matching.add(s);
                }
            }));
            matching.sort(Comparator.comparing((Schedule s) -> s.group).thenComparing(s -> s.name));
            ObjectNode out = JsonHttp.object();
            ArrayNode items = out.putArray("Schedules");
            int end = Math.min(matching.size(), offset + max);
            for (int i = offset; i < end; i++) {
                Schedule s = matching.get(i);
                ObjectNode item = items.addObject();
                item.put("Arn", arn(s.group, s.name));
                item.put("CreationDate", JsonHttp.epochSeconds(s.creationDate));
                item.put("GroupName", s.group);
                item.put("LastModificationDate", JsonHttp.epochSeconds(s.lastModificationDate));
                item.put("Name", s.name);
                item.put("State", s.definition.state());
                item.putObject("Target").put("Arn", s.definition.target().path("Arn").asText());
            }
            if (end < matching.size()) {
                out.put("NextToken", Base64.getUrlEncoder().encodeToString(
                        Integer.toString(end).getBytes(StandardCharsets.UTF_8)));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------------ store

    /** Stores a new schedule and computes its first fire; under the lock. */
    private Schedule store(String group, String name, Definition definition) {
        Instant now = clock.now();
        Schedule s = new Schedule(group, name, created++, now);
        s.definition = definition;
        s.lastModificationDate = now;
        s.anchor = anchor(definition, now);
        s.nextFire = first(s, now);
        schedules.computeIfAbsent(group, g -> new TreeMap<>()).put(name, s);
        changed.signalAll();
        return s;
    }

    private static Instant anchor(Definition d, Instant now) {
        // Scheduled times are given to the second (the guide's example: 2022-03-22T18:59:43Z).
        return d.startDate() != null ? d.startDate() : now.truncatedTo(ChronoUnit.SECONDS);
    }

    private Schedule find(String group, String name) {
        Map<String, Schedule> byName = schedules.get(group);
        return byName == null ? null : byName.get(name);
    }

    private void requireGroup(String group) throws Invalid {
        if (!groups.contains(group)) {
            throw new Invalid(404, "ResourceNotFoundException", "Schedule group " + group + " does not exist.");
        }
    }

    private static String group(String groupName) throws Invalid {
        if (groupName == null) {
            return DEFAULT_GROUP;
        }
        requireApiName(groupName, "groupName");
        return groupName;
    }

    private static void requireApiName(String value, String member) throws Invalid {
        if (value == null || !NAME.matcher(value).matches()) {
            throw Invalid.validation("1 validation error detected: Value '" + value + "' at '" + member
                    + "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "[0-9a-zA-Z-_.]+ and have length between 1 and 64");
        }
    }

    private static void requireName(String value, String member) {
        try {
            requireApiName(value, member);
        } catch (Invalid e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Reads and checks a Create/Update body. */
    private static Definition definition(JsonNode body) throws Invalid {
        String text = JsonHttp.text(body, "ScheduleExpression");
        if (text == null) {
            throw Invalid.validation(mustNotBeNull("scheduleExpression"));
        }
        if (text.isEmpty() || text.length() > MAX_EXPRESSION) {
            throw Invalid.validation("ScheduleExpression must have 1 to " + MAX_EXPRESSION + " characters");
        }
        ScheduleExpression expression;
        ZoneId zone;
        String timezone = JsonHttp.text(body, "ScheduleExpressionTimezone");
        try {
            expression = ScheduleExpression.parse(text);
            if (timezone != null && (timezone.isEmpty() || timezone.length() > MAX_TIMEZONE)) {
                throw new IllegalArgumentException("ScheduleExpressionTimezone must have 1 to " + MAX_TIMEZONE
                        + " characters");
            }
            zone = ScheduleExpression.zone(timezone);
        } catch (IllegalArgumentException e) {
            throw Invalid.validation(e.getMessage());
        }
        JsonNode window = body.get("FlexibleTimeWindow");
        if (window == null || !window.isObject()) {
            throw Invalid.validation(mustNotBeNull("flexibleTimeWindow"));
        }
        String mode = JsonHttp.text(window, "Mode");
        if ("FLEXIBLE".equals(mode)) {
            int minutes = window.path("MaximumWindowInMinutes").asInt(0);
            if (minutes < 1 || minutes > 1440) {
                throw Invalid.validation("MaximumWindowInMinutes must be from 1 to 1440 when Mode is FLEXIBLE");
            }
        } else if (!"OFF".equals(mode)) {
            throw Invalid.validation("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE, got " + mode);
        }
        JsonNode targetNode = body.get("Target");
        if (targetNode == null || !targetNode.isObject()) {
            throw Invalid.validation(mustNotBeNull("target"));
        }
        for (String member : List.of("Arn", "RoleArn")) {
            String value = JsonHttp.text(targetNode, member);
            if (value == null || value.isEmpty()) {
                throw Invalid.validation(mustNotBeNull("target." + Character.toLowerCase(member.charAt(0))
                        + member.substring(1)));
            }
        }
        String state = enumValue(body, "State", "ENABLED", "ENABLED", "DISABLED");
        String after = enumValue(body, "ActionAfterCompletion", "NONE", "NONE", "DELETE");
        String description = JsonHttp.text(body, "Description");
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw Invalid.validation("Description must have at most " + MAX_DESCRIPTION + " characters");
        }
        Instant start;
        Instant end;
        try {
            start = JsonHttp.instant(body.get("StartDate"));
            end = JsonHttp.instant(body.get("EndDate"));
        } catch (RuntimeException e) {
            throw Invalid.validation("StartDate and EndDate must be timestamps");
        }
        if (start != null && end != null && !end.isAfter(start)) {
            throw Invalid.validation("EndDate must be after StartDate");
        }
        return new Definition(expression, timezone == null ? ScheduleExpression.DEFAULT_TIMEZONE : timezone, zone,
                state, after, description, start, end, window.deepCopy(), ((ObjectNode) targetNode).deepCopy(),
                JsonHttp.text(body, "KmsKeyArn"));
    }

    private static String enumValue(JsonNode body, String member, String fallback, String... allowed)
            throws Invalid {
        String value = JsonHttp.text(body, member);
        if (value == null) {
            return fallback;
        }
        if (!List.of(allowed).contains(value)) {
            throw Invalid.validation("1 validation error detected: Value '" + value + "' at '"
                    + Character.toLowerCase(member.charAt(0)) + member.substring(1)
                    + "' failed to satisfy constraint: Member must satisfy enum value set: " + List.of(allowed));
        }
        return value;
    }

    private static String mustNotBeNull(String member) {
        return "1 validation error detected: Value null at '" + member
                + "' failed to satisfy constraint: Member must not be null";
    }

    private static String arn(String group, String name) {
        return "arn:aws:scheduler:" + LocalEnvironment.REGION + ":" + LocalEnvironment.ACCOUNT + ":schedule/" + group
                + "/" + name;
    }

    private ScheduleInfo info(Schedule s) {
        Definition d = s.definition;
        return new ScheduleInfo(s.group, s.name, arn(s.group, s.name), d.expression().text(), d.timezone(),
                d.state(), d.target().path("Arn").asText(), Optional.ofNullable(s.nextFire));
    }

    private static String describe(Schedule s) {
        Definition d = s.definition;
        return s.group + "/" + s.name + " " + d.expression().text() + " " + d.timezone() + " " + d.state()
                + " -> " + d.target().path("Arn").asText()
                + (s.nextFire == null ? " (no fire due)" : " next " + s.nextFire);
    }

    private static String shorten(String input) {
        if (input == null) {
            return "(none)";
        }
        String flat = input.replaceAll("\\s*\\n\\s*", " ");
        return flat.length() > LOGGED_INPUT_CHARS ? flat.substring(0, LOGGED_INPUT_CHARS) + "..." : flat;
    }
}
