package dev.lifeboat.local.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.LocalEnvironment;
import dev.lifeboat.local.TestFiles;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.UnresolvableReferenceException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;

class TemplateSchedulesTest {
    private static final String SYNC_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:lifeboat-local-sync"; // its Name, resolved as the functions resolve it

    private static Map<String, String> refs(SamTemplate template, Map<String, String> parameters) {
        return LocalEnvironment.refs(template, parameters);
    }

    @Test
    void scheduleV2EventsOfStateMachinesAndFunctions() throws Exception {
        SamTemplate template = SamTemplate.load(TestFiles.resource("schedule-template.yaml"));
        List<TemplateSchedule> schedules = LocalScheduler.templateSchedules(template,
                refs(template, Map.of("ReportZone", "Asia/Tokyo")));

        assertEquals(List.of(
                new TemplateSchedule("SyncStateMachine", "Every", "SyncStateMachineEvery", "default",
                        "rate(10 minutes)", null, "ENABLED", SYNC_ARN, "{}"),
                new TemplateSchedule("SyncStateMachine", "Nightly", "nightly-report", "ReportGroup",
                        "cron(0 2 * * ? *)", "Europe/Paris", "DISABLED", SYNC_ARN,
                        "{\"stack\":\"lifeboat-local\",\"at\":\"<aws.scheduler.scheduled-time>\"}"),
                new TemplateSchedule("CleanupFunction", "Hourly", "CleanupFunctionHourly", "default",
                        "rate(1 hour)", null, "ENABLED",
                        "arn:aws:lambda:us-east-1:000000000000:function:CleanupFunction", null),
                new TemplateSchedule("ZonedStateMachine", "Morning", "ZonedStateMachineMorning", "default",
                        "cron(0 8 * * ? *)", "Asia/Tokyo", "ENABLED",
                        "arn:aws:states:us-east-1:000000000000:stateMachine:ZonedStateMachine", null)),
                schedules, "Api and Schedule (rule) events are not schedules of Scheduler");
        assertEquals(List.of("ReportGroup"), LocalScheduler.templateGroups(template, refs(template,
                Map.of("ReportZone", "UTC"))));
    }

    @Test
    void parametersGiveTheExpression() throws Exception {
        SamTemplate template = SamTemplate.load(TestFiles.resource("schedule-template.yaml"));
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("SyncRate", "rate(1 minute)");
        parameters.put("ReportZone", "UTC");
        assertEquals("rate(1 minute)",
                LocalScheduler.templateSchedules(template, refs(template, parameters)).get(0).expression());
    }

    @Test
    void aReferenceWithoutAValueIsNamed() throws Exception {
        SamTemplate template = SamTemplate.load(TestFiles.resource("schedule-template.yaml"));
        UnresolvableReferenceException e = assertThrows(UnresolvableReferenceException.class,
                () -> LocalScheduler.templateSchedules(template, refs(template, Map.of())));
        assertTrue(e.getMessage().contains("ZonedStateMachine.Events.Morning.ScheduleExpressionTimezone"),
                e.getMessage());
        assertEquals("ReportZone", e.reference());
    }

    @Test
    void theRepositoryTemplateHasTheResultsSyncSchedule() throws Exception {
        Path repositoryTemplate = Path.of("../../template.yaml");
        if (!Files.exists(repositoryTemplate)) {
            throw new AssertionError("run from infra/local-runtime: " + repositoryTemplate.toAbsolutePath());
        }
        SamTemplate template = SamTemplate.load(repositoryTemplate);
        List<TemplateSchedule> schedules = LocalScheduler.templateSchedules(template, refs(template, Map.of()));
        TemplateSchedule sync = schedules.stream().filter(s -> s.resourceId().equals("ResultsSyncStateMachine"))
                .findFirst().orElseThrow();
        assertEquals("ResultsSyncStateMachineEvery", sync.name());
        assertEquals("rate(10 minutes)", sync.expression());
        assertEquals("{}", sync.input());
        assertEquals("arn:aws:states:us-east-1:000000000000:stateMachine:lifeboat-local-results-sync", sync.targetArn());
        ScheduleExpression.parse(sync.expression());
    }

    @Test
    void templateSchedulesFireAndAreSeenThroughTheApi() throws Exception {
        SamTemplate template = SamTemplate.load(TestFiles.resource("schedule-template.yaml"));
        Map<String, String> parameters = Map.of("SyncRate", "rate(1 minute)", "ReportZone", "UTC");
        Map<String, String> refs = refs(template, parameters);
        List<String> targets = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        LocalClock clock = new LocalClock(Instant.parse("2030-03-10T09:58:00Z"), 600);
        try (LocalScheduler scheduler = new LocalScheduler("127.0.0.1", 0, clock,
                (arn, input) -> targets.add(arn + " " + input),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8))) {
            LocalScheduler.templateGroups(template, refs).forEach(scheduler::createGroup);
            for (TemplateSchedule schedule : LocalScheduler.templateSchedules(template, refs)) {
                scheduler.addTemplateSchedule(schedule);
            }
            scheduler.addTemplateSchedule("Extra", "at(2030-03-10T10:00:00)", "Etc/GMT-4", SYNC_ARN, "{\"x\":1}");
            scheduler.start();

            AwsClients.await("two fires of the synchronisation", Duration.ofSeconds(60), () -> scheduler
                    .invocations().stream().filter(i -> i.scheduleName().equals("SyncStateMachineEvery")).count() >= 2);
            AwsClients.await("the target calls", Duration.ofSeconds(60), () -> targets.size() >= 2);
            assertTrue(targets.contains(SYNC_ARN + " {}"), targets.toString());

            try (SchedulerClient client = AwsClients.scheduler(scheduler.endpoint())) {
                GetScheduleResponse nightly = client.getSchedule(r -> r.name("nightly-report").groupName("ReportGroup"));
                assertEquals(ScheduleState.DISABLED, nightly.state());
                assertEquals("Europe/Paris", nightly.scheduleExpressionTimezone());
                assertEquals("cron(0 8 * * ? *)", client.getSchedule(r -> r.name("ZonedStateMachineMorning"))
                        .scheduleExpression());
                assertEquals(SYNC_ARN, client.getSchedule(r -> r.name("Extra")).target().arn());
            }
            assertTrue(scheduler.invocations().stream().noneMatch(i -> i.scheduleName().equals("nightly-report")));
            assertThrows(IllegalArgumentException.class,
                    () -> scheduler.addTemplateSchedule("Extra", "rate(1 hour)", null, SYNC_ARN, null), "exists");
            assertThrows(IllegalArgumentException.class,
                    () -> scheduler.addTemplateSchedule("Bad", "rate(1 hours)", null, SYNC_ARN, null));
            assertThrows(IllegalArgumentException.class, () -> scheduler.addTemplateSchedule(new TemplateSchedule(
                    null, null, "Lost", "no-group", "rate(1 hour)", null, null, SYNC_ARN, null)));
            assertTrue(logBytes.toString(StandardCharsets.UTF_8)
                    .contains("[scheduler] template default/SyncStateMachineEvery rate(1 minute) UTC ENABLED"));
        }
    }
}
