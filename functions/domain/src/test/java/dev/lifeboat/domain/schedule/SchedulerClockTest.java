package dev.lifeboat.domain.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test clock itself: the property tests are only as good as its reading of Scheduler's grammar and DST rule. */
class SchedulerClockTest {
    @Test
    void cronInAZone() {
        // 01:02 in Etc/GMT-4 (UTC+4) is 21:02 UTC the day before.
        assertEquals(Instant.parse("2027-01-01T21:02:00Z"),
                SchedulerClock.nextCron("cron(2 1 * * ? *)", "Etc/GMT-4", Instant.parse("2027-01-01T12:00:00Z")));
        assertEquals(Instant.parse("2027-01-02T04:02:00Z"),
                SchedulerClock.nextCron("cron(2 1 * * ? *)", "Etc/GMT+3", Instant.parse("2027-01-01T12:00:00Z")));
    }

    @Test
    void strictlyAfter() {
        Instant fire = Instant.parse("2027-01-01T01:02:00Z");
        assertEquals(fire.plus(Duration.ofDays(1)), SchedulerClock.nextCron("cron(2 1 * * ? *)", "UTC", fire));
    }

    @Test
    void weekDaysAndLastDayOfMonth() {
        // 2027-01-01 is a Friday.
        assertEquals(Instant.parse("2027-01-04T10:00:00Z"),
                SchedulerClock.nextCron("cron(0 10 ? * MON,WED *)", "UTC", Instant.parse("2027-01-01T00:00:00Z")));
        assertEquals(Instant.parse("2027-02-28T21:30:00Z"),
                SchedulerClock.nextCron("cron(30 21 L * ? *)", "UTC", Instant.parse("2027-02-01T00:00:00Z")));
        assertEquals(Instant.parse("2028-02-29T21:30:00Z"),
                SchedulerClock.nextCron("cron(30 21 L * ? *)", "UTC", Instant.parse("2028-02-01T00:00:00Z")));
    }

    @Test
    void aLocalTimeThatSpringSkipsDoesNotFireThatDay() {
        // Madrid jumps from 02:00 to 03:00 on 2027-03-28: 02:30 does not exist, the next fire is the 29th (CEST).
        assertEquals(Instant.parse("2027-03-29T00:30:00Z"),
                SchedulerClock.nextCron("cron(30 2 * * ? *)", "Europe/Madrid", Instant.parse("2027-03-27T12:00:00Z")));
    }

    @Test
    void aLocalTimeThatAutumnRepeatsFiresOnce() {
        // Madrid goes back from 03:00 to 02:00 on 2027-10-31: 02:30 is 00:30Z (CEST) and 01:30Z (CET).
        assertEquals(Instant.parse("2027-10-31T00:30:00Z"),
                SchedulerClock.nextCron("cron(30 2 * * ? *)", "Europe/Madrid", Instant.parse("2027-10-30T12:00:00Z")));
        assertEquals(Instant.parse("2027-11-01T01:30:00Z"),
                SchedulerClock.nextCron("cron(30 2 * * ? *)", "Europe/Madrid", Instant.parse("2027-10-31T00:30:00Z")));
    }

    @Test
    void atAndRate() {
        assertEquals(Instant.parse("2027-12-24T21:30:15Z"), SchedulerClock.at("at(2027-12-24T22:30:15)", "Etc/GMT-1"));
        assertEquals(Duration.ofHours(1), SchedulerClock.rate("rate(1 hour)"));
        assertEquals(Duration.ofHours(6), SchedulerClock.rate("rate(6 hours)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cron(0 1 * * * *)", "cron(0 1 ? * ? *)", "cron(0 1 1 * MON *)", "cron(0 24 * * ? *)", "cron(60 1 * * ? *)",
            "cron(00 1 * * ? *)", "cron(0 1 0 * ? *)", "cron(0 1 * 1 ? *)", "cron(0 1 ? * MON,MON *)", "cron(0 1 ? * mon *)",
            "cron(0 1 * * ?)", "rate(1 hours)", "rate(2 hour)", "rate(0 hours)", "at(2027-1-01T00:00:00)"})
    void refusesAnythingOutsideTheGrammarLifeboatProduces(String expression) {
        assertThrows(AssertionError.class, () -> {
            if (expression.startsWith("rate")) {
                SchedulerClock.rate(expression);
            } else if (expression.startsWith("at")) {
                SchedulerClock.at(expression, "UTC");
            } else {
                SchedulerClock.nextCron(expression, "UTC", Instant.EPOCH);
            }
        });
    }

    @Test
    void refusesAnOffsetAsAZoneName() {
        assertThrows(AssertionError.class, () -> SchedulerClock.zone("+0400"));
    }
}
