package dev.lifeboat.local.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleRequest;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;
import software.amazon.awssdk.services.scheduler.model.SchedulerException;
import software.amazon.awssdk.services.scheduler.model.ValidationException;

/**
 * The real {@code SchedulerClient} against {@link LocalScheduler}. Firing tests run the local clock fast and wait
 * (generously, in real time) for the fires, then check their local scheduled times, never how long they took. Those
 * that need a schedule to exist before its time start the clock hours earlier and jump it near the time once the
 * schedule is created, so a slow machine cannot make the create late.
 */
class LocalSchedulerTest {
    private static final Instant START = Instant.parse("2030-03-10T09:58:00Z");
    /** Ten local hours before the firing tests' times: a minute of real time at 600x. */
    private static final Instant EARLY = Instant.parse("2030-03-10T00:00:00Z");
    private static final String STATE_MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:backup";
    private static final String ROLE = "arn:aws:iam::000000000000:role/scheduler";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Call(String targetArn, String input) {
    }

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private LocalClock clock;
    private LocalScheduler scheduler;
    private SchedulerClient client;

    private void start(Instant at, double speed) throws Exception {
        clock = new LocalClock(at, speed);
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        scheduler = new LocalScheduler("127.0.0.1", 0, clock, (arn, input) -> calls.add(new Call(arn, input)), log)
                .start();
        client = AwsClients.scheduler(scheduler.endpoint());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
    }

    /** A schedule as Lifeboat's SchedulerBackupScheduler writes one, with the parts a test changes. */
    private CreateScheduleResponse create(String name, String expression, String timezone,
            Consumer<CreateScheduleRequest.Builder> more) {
        return client.createSchedule(r -> {
            r.name(name).scheduleExpression(expression).scheduleExpressionTimezone(timezone)
                    .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                    .actionAfterCompletion(ActionAfterCompletion.NONE).state(ScheduleState.ENABLED)
                    .target(t -> t.arn(STATE_MACHINE).roleArn(ROLE)
                            .input("{\"vm\":\"vm-1\",\"scheduledAt\":\"<aws.scheduler.scheduled-time>\"}"));
            more.accept(r);
        });
    }

    private CreateScheduleResponse create(String name, String expression, String timezone) {
        return create(name, expression, timezone, r -> { });
    }

    /** Moves the local clock to {@code instant}, unless it is there already. */
    private void jumpTo(Instant instant) {
        Duration ahead = Duration.between(clock.now(), instant);
        if (!ahead.isNegative()) {
            clock.advance(ahead);
        }
    }

    private List<LocalScheduler.Invocation> invocationsOf(String name) {
        return scheduler.invocations().stream().filter(i -> i.scheduleName().equals(name)).toList();
    }

    private void awaitInvocations(String name, int count) throws InterruptedException {
        AwsClients.await(count + " fires of " + name, WAIT, () -> invocationsOf(name).size() >= count);
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------ API

    @Test
    void createGetUpdateDelete() throws Exception {
        start(START, 1);
        CreateScheduleResponse created = create("vm-1-daily", "cron(0 14 * * ? *)", "Etc/GMT-4",
                r -> r.description("Lifeboat DAILY backup").endDate(Instant.parse("2031-01-01T00:00:00Z")));
        assertEquals("arn:aws:scheduler:us-east-1:000000000000:schedule/default/vm-1-daily", created.scheduleArn());

        GetScheduleResponse got = client.getSchedule(r -> r.name("vm-1-daily"));
        assertEquals("vm-1-daily", got.name());
        assertEquals("default", got.groupName());
        assertEquals(created.scheduleArn(), got.arn());
        assertEquals("cron(0 14 * * ? *)", got.scheduleExpression());
        assertEquals("Etc/GMT-4", got.scheduleExpressionTimezone());
        assertEquals(ScheduleState.ENABLED, got.state());
        assertEquals(ActionAfterCompletion.NONE, got.actionAfterCompletion());
        assertEquals(FlexibleTimeWindowMode.OFF, got.flexibleTimeWindow().mode());
        assertEquals("Lifeboat DAILY backup", got.description());
        assertEquals(Instant.parse("2031-01-01T00:00:00Z"), got.endDate());
        assertEquals(STATE_MACHINE, got.target().arn());
        assertEquals(ROLE, got.target().roleArn());
        assertTrue(got.target().input().contains("<aws.scheduler.scheduled-time>"), "stored as given");
        assertFalse(got.creationDate().isBefore(START.truncatedTo(ChronoUnit.MILLIS)), "on the local clock");
        assertEquals(got.creationDate(), got.lastModificationDate());
        assertEquals(Instant.parse("2030-03-10T10:00:00Z"),
                scheduler.schedule("default", "vm-1-daily").orElseThrow().nextFire().orElseThrow());

        client.updateSchedule(r -> r.name("vm-1-daily").scheduleExpression("rate(5 minutes)")
                .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF)).state(ScheduleState.DISABLED)
                .target(t -> t.arn(STATE_MACHINE).roleArn(ROLE)));
        GetScheduleResponse updated = client.getSchedule(r -> r.name("vm-1-daily").groupName("default"));
        assertEquals("rate(5 minutes)", updated.scheduleExpression());
        assertEquals("UTC", updated.scheduleExpressionTimezone(), "the default when an update names none");
        assertEquals(ScheduleState.DISABLED, updated.state());
        assertEquals(null, updated.description(), "an update replaces the whole definition");
        assertEquals(got.creationDate(), updated.creationDate());
        assertTrue(scheduler.schedule("default", "vm-1-daily").orElseThrow().nextFire().isEmpty(), "disabled");

        client.deleteSchedule(r -> r.name("vm-1-daily"));
        ResourceNotFoundException gone = assertThrows(ResourceNotFoundException.class,
                () -> client.getSchedule(r -> r.name("vm-1-daily")));
        assertEquals(404, gone.statusCode());
        assertThrows(ResourceNotFoundException.class, () -> client.deleteSchedule(r -> r.name("vm-1-daily")));
        assertTrue(log().contains("[scheduler] create default/vm-1-daily cron(0 14 * * ? *) Etc/GMT-4"), log());
        assertTrue(log().contains("[scheduler] delete default/vm-1-daily"), log());
    }

    @Test
    void aSecondCreateOfANameIsAConflict() throws Exception {
        start(START, 1);
        create("vm-1-weekly", "cron(0 22 ? * MON,WED *)", "UTC");
        ConflictException e = assertThrows(ConflictException.class,
                () -> create("vm-1-weekly", "cron(0 23 ? * MON,WED *)", "UTC"));
        assertEquals(409, e.statusCode());
        assertEquals("ConflictException", e.awsErrorDetails().errorCode());
        assertEquals("cron(0 22 ? * MON,WED *)", client.getSchedule(r -> r.name("vm-1-weekly")).scheduleExpression());

        // The same name in another group is another schedule.
        scheduler.createGroup("backups");
        create("vm-1-weekly", "cron(0 23 ? * MON,WED *)", "UTC", r -> r.groupName("backups"));
        assertEquals("cron(0 23 ? * MON,WED *)",
                client.getSchedule(r -> r.name("vm-1-weekly").groupName("backups")).scheduleExpression());
    }

    @Test
    void missingSchedulesAndGroupsAreNotFound() throws Exception {
        start(START, 1);
        assertThrows(ResourceNotFoundException.class, () -> client.getSchedule(r -> r.name("nothing")));
        assertThrows(ResourceNotFoundException.class, () -> client.deleteSchedule(r -> r.name("nothing")));
        ResourceNotFoundException update = assertThrows(ResourceNotFoundException.class,
                () -> client.updateSchedule(r -> r.name("nothing").scheduleExpression("rate(1 hour)")
                        .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                        .target(t -> t.arn(STATE_MACHINE).roleArn(ROLE))));
        assertEquals(404, update.statusCode());
        ResourceNotFoundException group = assertThrows(ResourceNotFoundException.class,
                () -> create("vm-1", "rate(1 hour)", "UTC", r -> r.groupName("no-such-group")));
        assertTrue(group.awsErrorDetails().errorMessage().contains("no-such-group"));
        create("vm-1", "rate(1 hour)", "UTC");
        scheduler.createGroup("backups");
        assertThrows(ResourceNotFoundException.class,
                () -> client.getSchedule(r -> r.name("vm-1").groupName("backups")), "known by group and name");
    }

    @Test
    void badExpressionsTimeZonesAndNamesAreValidationErrors() throws Exception {
        start(START, 1);
        for (String expression : List.of("cron(0 14 * * * *)", "rate(1 minutes)", "rate(5 weeks)",
                "at(2030-13-01T00:00:00)", "every day")) {
            ValidationException e = assertThrows(ValidationException.class,
                    () -> create("vm-1", expression, "UTC"), expression);
            assertEquals(400, e.statusCode());
            assertTrue(e.awsErrorDetails().errorMessage().contains(expression), e.awsErrorDetails().errorMessage());
        }
        for (String timezone : List.of("Mars/Olympus", "+04:00", "GMT+4")) {
            ValidationException e = assertThrows(ValidationException.class,
                    () -> create("vm-1", "cron(0 14 * * ? *)", timezone), timezone);
            assertTrue(e.awsErrorDetails().errorMessage().contains(timezone));
        }
        assertThrows(ValidationException.class, () -> create("has space", "rate(1 hour)", "UTC"));
        assertThrows(ValidationException.class, () -> create("x".repeat(65), "rate(1 hour)", "UTC"));
        assertThrows(ValidationException.class, () -> create("vm-1", "rate(1 hour)", "UTC",
                r -> r.flexibleTimeWindow((software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindow) null)));
        assertThrows(ValidationException.class, () -> create("vm-1", "rate(1 hour)", "UTC",
                r -> r.target(t -> t.arn(STATE_MACHINE))), "a target needs a role");
        assertThrows(ValidationException.class, () -> create("vm-1", "rate(1 hour)", "UTC",
                r -> r.flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.FLEXIBLE))), "FLEXIBLE needs a window");
        assertThrows(ValidationException.class, () -> create("vm-1", "rate(1 hour)", "UTC",
                r -> r.startDate(Instant.parse("2031-01-01T00:00:00Z")).endDate(Instant.parse("2030-01-01T00:00:00Z"))));
        assertTrue(scheduler.schedules().isEmpty(), "nothing was stored");
        // A FLEXIBLE window with its maximum is accepted.
        create("vm-1", "rate(1 hour)", "UTC",
                r -> r.flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.FLEXIBLE).maximumWindowInMinutes(15)));
    }

    @Test
    void listSchedulesByGroupPrefixAndState() throws Exception {
        start(START, 1);
        scheduler.createGroup("backups");
        create("vm-1-daily", "cron(0 1 * * ? *)", "UTC");
        create("vm-2-daily", "cron(0 2 * * ? *)", "UTC", r -> r.state(ScheduleState.DISABLED));
        create("vm-1-daily", "cron(0 3 * * ? *)", "UTC", r -> r.groupName("backups"));
        create("other", "rate(1 hour)", "UTC", r -> r.groupName("backups"));

        List<String> all = client.listSchedulesPaginator(r -> r.maxResults(1)).schedules().stream()
                .map(s -> s.groupName() + "/" + s.name()).toList();
        assertEquals(List.of("backups/other", "backups/vm-1-daily", "default/vm-1-daily", "default/vm-2-daily"), all,
                "every page, one schedule each");
        assertEquals(List.of("other", "vm-1-daily"), names(client.listSchedules(r -> r.groupName("backups"))
                .schedules()));
        assertEquals(List.of("vm-1-daily", "vm-1-daily"), names(client.listSchedules(r -> r.namePrefix("vm-1"))
                .schedules()));
        assertEquals(List.of("vm-2-daily"), names(client.listSchedules(r -> r.state(ScheduleState.DISABLED))
                .schedules()));
        ScheduleSummary summary = client.listSchedules(r -> r.namePrefix("other")).schedules().get(0);
        assertEquals(STATE_MACHINE, summary.target().arn());
        assertEquals(ScheduleState.ENABLED, summary.state());
        assertFalse(summary.creationDate().isBefore(START.truncatedTo(ChronoUnit.MILLIS)));
    }

    private static List<String> names(List<ScheduleSummary> schedules) {
        return schedules.stream().map(ScheduleSummary::name).toList();
    }

    // --------------------------------------------------------------------------------------------- firing

    @Test
    void aRateFiresAtOnceThenEveryInterval() throws Exception {
        // 600x: a local minute is 100 ms.
        start(START, 600);
        create("every-minute", "rate(1 minute)", null);
        Instant created = client.getSchedule(r -> r.name("every-minute")).creationDate();

        awaitInvocations("every-minute", 3);

        List<LocalScheduler.Invocation> fires = invocationsOf("every-minute").subList(0, 3);
        Instant first = created.truncatedTo(ChronoUnit.SECONDS);
        assertEquals(List.of(first, first.plusSeconds(60), first.plusSeconds(120)),
                fires.stream().map(LocalScheduler.Invocation::scheduledTime).toList());
        for (LocalScheduler.Invocation fire : fires) {
            assertEquals(STATE_MACHINE, fire.targetArn());
            JsonNode input = JSON.readTree(fire.input());
            assertEquals(fire.scheduledTime().toString(), input.path("scheduledAt").asText());
            assertTrue(input.path("scheduledAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
            assertFalse(fire.firedAt().isBefore(fire.scheduledTime()));
        }
        AwsClients.await("the target calls", WAIT, () -> calls.size() >= 3);
        assertEquals(new Call(STATE_MACHINE, fires.get(0).input()), calls.get(0));
        assertTrue(log().contains("[scheduler] fire default/every-minute due " + first + " -> " + STATE_MACHINE),
                log());
    }

    @Test
    void aCronFiresAtTheLocalTimeOfItsZone() throws Exception {
        start(EARLY, 600);
        create("plus-four", "cron(0 14 * * ? *)", "Etc/GMT-4");
        create("utc", "cron(0 14 * * ? *)", "UTC");
        // One local minute (100 ms real) before 14:00 at UTC+4.
        jumpTo(Instant.parse("2030-03-10T09:59:00Z"));

        awaitInvocations("plus-four", 1);

        LocalScheduler.Invocation fire = invocationsOf("plus-four").get(0);
        assertEquals(Instant.parse("2030-03-10T10:00:00Z"), fire.scheduledTime());
        assertEquals("{\"vm\":\"vm-1\",\"scheduledAt\":\"2030-03-10T10:00:00Z\"}", fire.input());
        assertTrue(invocationsOf("utc").isEmpty(), "14:00 UTC is four local hours later");
        assertEquals(Instant.parse("2030-03-11T10:00:00Z"),
                scheduler.schedule("default", "plus-four").orElseThrow().nextFire().orElseThrow(), "then daily");
    }

    @Test
    void everyContextAttributeIsReplaced() throws Exception {
        start(START, 600);
        create("context", "at(2030-03-10T09:59:30)", "UTC", r -> r.target(t -> t.arn(STATE_MACHINE).roleArn(ROLE)
                .input("<aws.scheduler.schedule-arn>|<aws.scheduler.scheduled-time>|<aws.scheduler.execution-id>|"
                        + "<aws.scheduler.attempt-number>")));
        awaitInvocations("context", 1);
        LocalScheduler.Invocation fire = invocationsOf("context").get(0);
        String[] parts = fire.input().split("\\|");
        assertEquals("arn:aws:scheduler:us-east-1:000000000000:schedule/default/context", parts[0]);
        assertEquals("2030-03-10T09:59:30Z", parts[1], "at() keeps its seconds");
        assertTrue(parts[2].matches("[0-9a-f]{16}"), parts[2]);
        assertEquals(fire.executionId(), parts[2]);
        assertEquals("1", parts[3]);
    }

    @Test
    void aOneTimeScheduleIsDeletedAfterItFiredWhenAskedTo() throws Exception {
        start(START, 600);
        create("once-delete", "at(2030-03-10T10:00:00)", "UTC",
                r -> r.actionAfterCompletion(ActionAfterCompletion.DELETE));
        create("once-keep", "at(2030-03-10T10:00:00)", "UTC");

        awaitInvocations("once-delete", 1);
        awaitInvocations("once-keep", 1);

        assertEquals(Instant.parse("2030-03-10T10:00:00Z"), invocationsOf("once-delete").get(0).scheduledTime());
        assertThrows(ResourceNotFoundException.class, () -> client.getSchedule(r -> r.name("once-delete")));
        GetScheduleResponse kept = client.getSchedule(r -> r.name("once-keep"));
        assertEquals(ScheduleState.ENABLED, kept.state());
        assertTrue(scheduler.schedule("default", "once-keep").orElseThrow().nextFire().isEmpty(), "complete");
        // A delete by the owner afterwards is fine, and of the deleted one a 404 (what SchedulerBackupScheduler
        // tolerates).
        client.deleteSchedule(r -> r.name("once-keep"));
        assertThrows(ResourceNotFoundException.class, () -> client.deleteSchedule(r -> r.name("once-delete")));
    }

    @Test
    void aDisabledScheduleDoesNotFire() throws Exception {
        start(START, 600);
        create("disabled", "at(2030-03-10T09:59:00)", "UTC", r -> r.state(ScheduleState.DISABLED));
        create("marker", "at(2030-03-10T10:00:00)", "UTC");

        awaitInvocations("marker", 1);

        assertTrue(invocationsOf("disabled").isEmpty(), "due a minute before the marker, and disabled");
    }

    @Test
    void aRateStartsAtItsStartDateAndStopsAfterItsEndDate() throws Exception {
        start(EARLY, 600);
        Instant startDate = Instant.parse("2030-03-10T10:00:00Z");
        create("bounded", "rate(1 minute)", "UTC",
                r -> r.startDate(startDate).endDate(startDate.plusSeconds(150))
                        .actionAfterCompletion(ActionAfterCompletion.DELETE));
        create("marker", "at(2030-03-10T10:05:00)", "UTC");
        jumpTo(START);

        awaitInvocations("marker", 1);

        assertEquals(List.of(startDate, startDate.plusSeconds(60), startDate.plusSeconds(120)),
                invocationsOf("bounded").stream().map(LocalScheduler.Invocation::scheduledTime).toList());
        assertThrows(ResourceNotFoundException.class, () -> client.getSchedule(r -> r.name("bounded")),
                "complete after its end date, and deleted as asked");
    }

    @Test
    void aCronDoesNotFireBeforeItsStartDate() throws Exception {
        start(EARLY, 600);
        create("later", "cron(* * * * ? *)", "UTC", r -> r.startDate(Instant.parse("2030-03-10T10:03:00Z")));
        jumpTo(START);
        awaitInvocations("later", 2);
        assertEquals(List.of(Instant.parse("2030-03-10T10:03:00Z"), Instant.parse("2030-03-10T10:04:00Z")),
                invocationsOf("later").subList(0, 2).stream().map(LocalScheduler.Invocation::scheduledTime).toList());
    }

    @Test
    void advancingTheClockFiresEveryFireItJumpedOver() throws Exception {
        // Real speed: nothing would fire in a test's lifetime without the jump.
        start(START, 1);
        create("hourly", "rate(1 hour)", "UTC");
        create("daily", "cron(0 10 * * ? *)", "UTC");
        awaitInvocations("hourly", 1);

        clock.advance(Duration.ofHours(3));

        awaitInvocations("hourly", 4);
        awaitInvocations("daily", 1);
        Instant first = invocationsOf("hourly").get(0).scheduledTime();
        assertEquals(List.of(first, first.plusSeconds(3600), first.plusSeconds(7200), first.plusSeconds(10800)),
                invocationsOf("hourly").stream().map(LocalScheduler.Invocation::scheduledTime).toList());
        assertEquals(Instant.parse("2030-03-10T10:00:00Z"), invocationsOf("daily").get(0).scheduledTime());
    }

    @Test
    void anUpdateMovesTheNextFire() throws Exception {
        start(START, 1);
        create("vm-1", "cron(0 14 * * ? *)", "UTC");
        assertEquals(Instant.parse("2030-03-10T14:00:00Z"),
                scheduler.schedule("default", "vm-1").orElseThrow().nextFire().orElseThrow());
        client.updateSchedule(r -> r.name("vm-1").scheduleExpression("cron(0 14 * * ? *)")
                .scheduleExpressionTimezone("America/New_York")
                .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                .target(t -> t.arn(STATE_MACHINE).roleArn(ROLE)));
        // 2030-03-10 is the day New York springs forward: 14:00 EDT is 18:00 UTC.
        assertEquals(Instant.parse("2030-03-10T18:00:00Z"),
                scheduler.schedule("default", "vm-1").orElseThrow().nextFire().orElseThrow());
    }

    @Test
    void aFailingTargetIsLoggedAndTheScheduleGoesOn() throws Exception {
        clock = new LocalClock(START, 600);
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        scheduler = new LocalScheduler("127.0.0.1", 0, clock, (arn, input) -> {
            throw new IllegalStateException("state machine down");
        }, log).start();
        client = AwsClients.scheduler(scheduler.endpoint());
        create("failing", "rate(1 minute)", "UTC");
        awaitInvocations("failing", 2);
        AwsClients.await("the failure in the log", WAIT, () -> log().contains("state machine down"));
    }

    @Test
    void otherRoutesAreUnknown() throws Exception {
        start(START, 1);
        SchedulerException e = assertThrows(SchedulerException.class, () -> client.listScheduleGroups(r -> { }));
        assertEquals(404, e.statusCode());
    }
}
