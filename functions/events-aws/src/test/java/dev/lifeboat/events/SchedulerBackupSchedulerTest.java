package dev.lifeboat.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.schedule.BackupScheduler;
import dev.lifeboat.domain.schedule.BackupScheduler.ScheduledBackup;
import dev.lifeboat.domain.schedule.ScheduleFormats;
import dev.lifeboat.domain.schedule.SchedulerExpression;
import dev.lifeboat.domain.schedule.Subtype;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.scheduler.SchedulerClient;

/** The Scheduler adapter with the real SDK client against {@link FakeScheduler}. */
class SchedulerBackupSchedulerTest {
    static final String GROUP = "lifeboat-backups";
    static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:lifeboat-backup-lifecycle";
    static final String ROLE = "arn:aws:iam::123456789012:role/lifeboat-scheduler";

    FakeScheduler fake;
    SchedulerClient client;
    SchedulerBackupScheduler scheduler;

    @BeforeEach
    void start() {
        fake = new FakeScheduler();
        client = fake.client();
        scheduler = new SchedulerBackupScheduler(() -> client, GROUP, STATE_MACHINE, ROLE);
    }

    @AfterEach
    void stop() {
        client.close();
        fake.close();
    }

    static ScheduledBackup daily(String vm, String time) {
        return new ScheduledBackup(vm, "dc-madrid-1", "01JPOLICY0000000000000000A", Subtype.DAILY,
                SchedulerExpression.daily(ScheduleFormats.parseTime(time)));
    }

    static String name(ScheduledBackup b) {
        return SchedulerBackupScheduler.scheduleName(b.vm(), b.policyId(), b.subtype());
    }

    @Test
    void createIsAPostOfTheWholeDefinitionWithTheGroupInTheBody() {
        ScheduledBackup backup = daily("vm-web-01", "01:02:03 +0400");
        scheduler.put(backup);

        assertEquals(1, fake.requests().size());
        FakeScheduler.Request request = fake.requests().get(0);
        assertEquals("POST", request.method());
        assertEquals("/schedules/" + name(backup), request.path());
        assertEquals(Map.of(), request.query(), "CreateSchedule sends nothing in the query");
        assertEquals("application/json", request.contentType());
        JsonNode body = request.body();
        assertEquals(GROUP, body.path("GroupName").asText());
        assertEquals("cron(2 1 * * ? *)", body.path("ScheduleExpression").asText());
        assertEquals("Etc/GMT-4", body.path("ScheduleExpressionTimezone").asText());
        assertEquals("{\"Mode\":\"OFF\"}", body.path("FlexibleTimeWindow").toString());
        assertEquals("NONE", body.path("ActionAfterCompletion").asText());
        assertEquals("ENABLED", body.path("State").asText());
        assertFalse(body.path("ClientToken").asText().isEmpty(), "the SDK fills the idempotency token");
        JsonNode target = body.path("Target");
        assertEquals(STATE_MACHINE, target.path("Arn").asText());
        assertEquals(ROLE, target.path("RoleArn").asText());
        assertEquals("{\"MaximumEventAgeInSeconds\":3600,\"MaximumRetryAttempts\":3}",
                target.path("RetryPolicy").toString());
        assertTrue(body.path("Description").asText().contains("vm-web-01"));
        assertNotNull(fake.schedule(GROUP, name(backup)));
    }

    @Test
    void theTargetInputIsExactlyTheBackupReferenceWithTheScheduledTimeLeftToScheduler() {
        scheduler.put(daily("vm-web-01", "01:02:03 +0400"));

        String input = fake.requests().get(0).body().path("Target").path("Input").asText();
        assertEquals("{\"vm\":\"vm-web-01\",\"datacenter\":\"dc-madrid-1\",\"policyId\":\"01JPOLICY0000000000000000A\","
                + "\"trigger\":\"SCHEDULED\",\"scheduledAt\":\"<aws.scheduler.scheduled-time>\"}", input);
    }

    @Test
    void aSecondPutOfTheSameScheduleReplacesItWithAnUpdate() {
        scheduler.put(daily("vm-web-01", "01:02:03 +0400"));
        ScheduledBackup moved = daily("vm-web-01", "23:30:00 Europe/Madrid");
        scheduler.put(moved);

        assertEquals(List.of("POST", "POST", "PUT"), fake.methods());
        FakeScheduler.Request update = fake.requests().get(2);
        assertEquals("/schedules/" + name(moved), update.path());
        assertEquals(Map.of(), update.query());
        assertEquals(GROUP, update.body().path("GroupName").asText());
        JsonNode now = fake.schedule(GROUP, name(moved));
        assertEquals("cron(30 23 * * ? *)", now.path("ScheduleExpression").asText());
        assertEquals("Europe/Madrid", now.path("ScheduleExpressionTimezone").asText());
        // UpdateSchedule resets whatever it is not given, so it carries the whole definition again.
        JsonNode create = fake.requests().get(0).body();
        for (String field : List.of("FlexibleTimeWindow", "ActionAfterCompletion", "State", "Target", "Description")) {
            assertEquals(create.path(field), now.path(field), field);
        }
        assertEquals(1, fake.count());
    }

    @Test
    void aScheduleDeletedBetweenTheConflictAndTheUpdateIsCreatedAgain() {
        fake.fail(new FakeScheduler.Fault("POST", 409, "ConflictException"));
        ScheduledBackup backup = daily("vm-web-01", "01:02:03 +0400");

        scheduler.put(backup);

        assertEquals(List.of("POST", "PUT", "POST"), fake.methods());
        assertNotNull(fake.schedule(GROUP, name(backup)));
    }

    @Test
    void oneTimeSchedulesDeleteThemselvesAfterCompletionAndRecurringOnesDoNot() {
        scheduler.put(new ScheduledBackup("vm-1", "dc1", "p1", Subtype.DEFINED_HOUR,
                SchedulerExpression.at(ScheduleFormats.parseDateTime("2027/12/24 22:30:00 +0100"))));
        scheduler.put(new ScheduledBackup("vm-1", "dc1", "p1", Subtype.HOURLY, SchedulerExpression.everyHours(6)));

        JsonNode once = fake.requests().get(0).body();
        assertEquals("at(2027-12-24T22:30:00)", once.path("ScheduleExpression").asText());
        assertEquals("Etc/GMT-1", once.path("ScheduleExpressionTimezone").asText());
        assertEquals("DELETE", once.path("ActionAfterCompletion").asText());
        JsonNode hourly = fake.requests().get(1).body();
        assertEquals("rate(6 hours)", hourly.path("ScheduleExpression").asText());
        assertEquals("UTC", hourly.path("ScheduleExpressionTimezone").asText());
        assertEquals("NONE", hourly.path("ActionAfterCompletion").asText());
        assertNotEquals(fake.requests().get(0).path(), fake.requests().get(1).path(), "one schedule per subtype");
    }

    @Test
    void deleteIsADeleteWithTheGroupInTheQuery() {
        ScheduledBackup backup = daily("vm-web-01", "01:02:03 +0400");
        scheduler.put(backup);

        scheduler.delete(backup.vm(), backup.policyId(), backup.subtype());

        FakeScheduler.Request delete = fake.requests().get(1);
        assertEquals("DELETE", delete.method());
        assertEquals("/schedules/" + name(backup), delete.path());
        assertEquals(GROUP, delete.query().get("groupName"));
        assertFalse(delete.query().getOrDefault("clientToken", "").isEmpty());
        assertEquals("", delete.rawBody());
        assertNull(fake.schedule(GROUP, name(backup)));
    }

    @Test
    void deletingAScheduleThatIsNotThereIsFine() {
        scheduler.delete("vm-gone", "p1", Subtype.DEFINED_HOUR);

        assertEquals(List.of("DELETE"), fake.methods());
    }

    @Test
    void namesKeepToSchedulersRulesAndNeverCollide() {
        List<String[]> ids = List.of(
                new String[] {"vm-web-01", "01JPOLICY0000000000000000A"},
                new String[] {"a:b", "p"},
                new String[] {"a_b", "p"},
                new String[] {"a-b", "c"},
                new String[] {"a", "b-c"},
                new String[] {"", "p"},
                new String[] {"vm", ""},
                new String[] {"x".repeat(128), "p"},
                new String[] {"x".repeat(127) + "y", "p"},
                new String[] {"urn:vcloud:vm:4210f8a2-0b1c-4e55-9f0e-1234567890ab", "01JPOLICY0000000000000000B"},
                new String[] {"urn:vcloud:vm:4210f8a2-0b1c-4e55-9f0e-1234567890ab", "01JPOLICY0000000000000000C"},
                new String[] {"vm é ü/?#%", "p"});
        Set<String> names = new HashSet<>();
        int count = 0;
        for (String[] pair : ids) {
            for (Subtype subtype : Subtype.values()) {
                String name = SchedulerBackupScheduler.scheduleName(pair[0], pair[1], subtype);
                assertTrue(name.matches("[0-9a-zA-Z\\-_.]{1,64}"), name);
                assertEquals(name, SchedulerBackupScheduler.scheduleName(pair[0], pair[1], subtype), "stable");
                names.add(name);
                count++;
            }
        }
        assertEquals(count, names.size(), "distinct inputs, distinct names");
        assertTrue(SchedulerBackupScheduler.scheduleName("vm-web-01", "p1", Subtype.WEEKLY_PLANNED)
                .startsWith("vm-web-01-p1-weekly-"));
        assertEquals(64, SchedulerBackupScheduler.scheduleName("x".repeat(128), "y".repeat(40), Subtype.MONTHLY)
                .length());

        // And the service (as the fake keeps its rule) takes the longest and the strangest of them.
        scheduler.put(new ScheduledBackup("x".repeat(128), "dc1", "y".repeat(40), Subtype.MONTHLY,
                SchedulerExpression.everyHours(1)));
        scheduler.put(new ScheduledBackup("vm é ü/?#%", "dc1", "p", Subtype.DAILY, SchedulerExpression.everyHours(1)));
        assertEquals(2, fake.count());
    }

    @Test
    void theFakeRefusesNamesOutsideTheRulesAsTheServiceDoes() {
        SchedulerClient raw = client;
        var e = assertThrows(software.amazon.awssdk.services.scheduler.model.ValidationException.class,
                () -> raw.deleteSchedule(r -> r.name("x".repeat(65)).groupName(GROUP)));
        assertEquals(400, e.statusCode());
    }

    @Test
    void failuresOfTheServiceAreUnavailableAndNameTheScheduleAndTheErrorCode() {
        // However often the SDK's retry strategy tries.
        fake.fail(new FakeScheduler.Fault("POST", 500, "InternalServerException", 100));
        ScheduledBackup backup = daily("vm-web-01", "01:02:03 +0400");

        BackupScheduler.Unavailable put = assertThrows(BackupScheduler.Unavailable.class, () -> scheduler.put(backup));
        assertEquals("put schedule " + GROUP + "/" + name(backup) + " failed: InternalServerException (HTTP 500)",
                put.getMessage());

        fake.fail(new FakeScheduler.Fault("DELETE", 400, "ValidationException"));
        BackupScheduler.Unavailable delete = assertThrows(BackupScheduler.Unavailable.class,
                () -> scheduler.delete(backup.vm(), backup.policyId(), backup.subtype()));
        assertTrue(delete.getMessage().endsWith("failed: ValidationException (HTTP 400)"), delete.getMessage());
    }

    @Test
    void anUnreachableServiceIsUnavailable() {
        try (SchedulerClient closed = FakeScheduler.client(URI.create("http://127.0.0.1:1"))) {
            SchedulerBackupScheduler unreachable = new SchedulerBackupScheduler(() -> closed, GROUP, STATE_MACHINE, ROLE);
            ScheduledBackup backup = daily("vm-web-01", "01:02:03 +0400");
            BackupScheduler.Unavailable put = assertThrows(BackupScheduler.Unavailable.class,
                    () -> unreachable.put(backup));
            assertTrue(put.getMessage().endsWith("failed: SdkClientException caused by ConnectException"),
                    put.getMessage());
            assertThrows(BackupScheduler.Unavailable.class,
                    () -> unreachable.delete(backup.vm(), backup.policyId(), backup.subtype()));
        }
    }

    @Test
    void withoutATargetNothingIsScheduledAndNoClientIsBuilt() {
        ScheduledBackup backup = daily("vm-web-01", "01:02:03 +0400");
        SchedulerBackupScheduler noTarget = SchedulerBackupScheduler.fromEnvironment(
                Map.of("SCHEDULER_ROLE_ARN", ROLE), () -> {
                    throw new AssertionError("no client without a target");
                });
        assertEquals("BACKUP_STATE_MACHINE_ARN is not set",
                assertThrows(BackupScheduler.Unavailable.class, () -> noTarget.put(backup)).getMessage());
        SchedulerBackupScheduler noRole = SchedulerBackupScheduler.fromEnvironment(
                Map.of("BACKUP_STATE_MACHINE_ARN", STATE_MACHINE), () -> {
                    throw new AssertionError("no client without a role");
                });
        assertEquals("SCHEDULER_ROLE_ARN is not set",
                assertThrows(BackupScheduler.Unavailable.class, () -> noRole.put(backup)).getMessage());
    }

    @Test
    void theEnvironmentNamesGroupTargetAndRole() {
        SchedulerBackupScheduler fromEnv = SchedulerBackupScheduler.fromEnvironment(Map.of(
                "SCHEDULE_GROUP", GROUP, "BACKUP_STATE_MACHINE_ARN", STATE_MACHINE, "SCHEDULER_ROLE_ARN", ROLE),
                () -> client);
        assertEquals(GROUP, fromEnv.groupName());
        fromEnv.put(daily("vm-1", "01:00:00 +0000"));
        JsonNode body = fake.requests().get(0).body();
        assertEquals(GROUP, body.path("GroupName").asText());
        assertEquals(STATE_MACHINE, body.path("Target").path("Arn").asText());
        assertEquals(ROLE, body.path("Target").path("RoleArn").asText());

        assertEquals("default", SchedulerBackupScheduler.fromEnvironment(Map.of(), () -> client).groupName());
    }
}
