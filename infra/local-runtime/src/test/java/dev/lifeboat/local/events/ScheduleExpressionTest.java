package dev.lifeboat.local.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleExpressionTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Instant t(String text) {
        return Instant.parse(text);
    }

    private static CronExpression cron(String text) {
        return (CronExpression) ScheduleExpression.parse(text);
    }

    /** The first {@code count} fires at or after {@code from}. */
    private static List<Instant> fires(String expression, ZoneId zone, String from, int count) {
        CronExpression cron = cron(expression);
        List<Instant> out = new ArrayList<>();
        Instant next = cron.next(t(from), zone);
        while (next != null && out.size() < count) {
            out.add(next);
            next = cron.next(next.plusNanos(1), zone);
        }
        return out;
    }

    @Test
    void atIsALocalTimeInTheScheduleTimeZone() {
        ScheduleExpression.At at = assertInstanceOf(ScheduleExpression.At.class,
                ScheduleExpression.parse("at(2026-03-10T14:00:00)"));
        assertEquals(LocalDateTime.parse("2026-03-10T14:00:00"), at.dateTime());
        assertEquals(t("2026-03-10T10:00:00Z"), at.instant(ZoneId.of("Etc/GMT-4")));
        assertEquals(t("2026-03-10T14:00:00Z"), at.instant(UTC));
        // The seconds are kept.
        assertEquals(t("2026-03-10T14:00:43Z"),
                ((ScheduleExpression.At) ScheduleExpression.parse("at(2026-03-10T14:00:43)")).instant(UTC));
    }

    @Test
    void atInADaylightSavingChange() {
        // New York springs forward on 2026-03-08 at 02:00 (to 03:00 EDT) and falls back on 2026-11-01 at 02:00.
        ScheduleExpression.At skipped = (ScheduleExpression.At) ScheduleExpression.parse("at(2026-03-08T02:30:00)");
        assertEquals(t("2026-03-08T07:30:00Z"), skipped.instant(NEW_YORK), "moved forward by the gap: 03:30 EDT");
        ScheduleExpression.At twice = (ScheduleExpression.At) ScheduleExpression.parse("at(2026-11-01T01:30:00)");
        assertEquals(t("2026-11-01T05:30:00Z"), twice.instant(NEW_YORK), "the first 01:30, in EDT");
    }

    @Test
    void ratesInMinutesHoursAndDays() {
        assertEquals(Duration.ofMinutes(1), rate("rate(1 minute)"));
        assertEquals(Duration.ofMinutes(10), rate("rate(10 minutes)"));
        assertEquals(Duration.ofHours(1), rate("rate(1 hour)"));
        assertEquals(Duration.ofHours(6), rate("rate(6 hours)"));
        assertEquals(Duration.ofDays(2), rate("rate(2 days)"));
    }

    private static Duration rate(String text) {
        return assertInstanceOf(ScheduleExpression.Rate.class, ScheduleExpression.parse(text)).interval();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(-1 minutes)",
        "rate(5 weeks)", "rate(5  minutes)", "rate(five minutes)", "rate()", "at(2026-13-01T00:00:00)",
        "at(2026-02-30T00:00:00)", "at(2026-03-10 14:00:00)", "at(2026-03-10T14:00)", "every(5 minutes)", "",
        "cron(0 14 * * * *)", "cron(0 14 ? * ? *)", "cron(0 14 * * ?)", "cron(0 14 * * ? * *)",
        "cron(60 14 * * ? *)", "cron(0 24 * * ? *)", "cron(0 14 0 * ? *)", "cron(0 14 32 * ? *)",
        "cron(0 14 * 13 ? *)", "cron(0 14 ? * 8 *)", "cron(0 14 ? * MON/2 *)", "cron(0 14 * * ? 1969)",
        "cron(0 14 * * ? 2200)", "cron(30-10 14 * * ? *)", "cron(0 14 ? * 3#1,6#3 *)", "cron(0 14 ? * 2W *)",
        "cron(0 14 ? * 3#6 *)", "cron(0 14 1L * ? *)", "cron(0 14 * FOO ? *)", "cron(a b c d e f)"})
    void invalidExpressionsAreRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScheduleExpression.parse(text));
        assertTrue(e.getMessage().contains("Schedule Expression") || e.getMessage().contains("empty"),
                e.getMessage());
    }

    @Test
    void timeZonesAreIanaNames() {
        assertEquals(UTC, ScheduleExpression.zone(null));
        assertEquals(UTC, ScheduleExpression.zone(""));
        assertEquals(ZoneId.of("Etc/GMT-4"), ScheduleExpression.zone("Etc/GMT-4"));
        assertEquals(NEW_YORK, ScheduleExpression.zone("America/New_York"));
        for (String bad : new String[] {"+04:00", "GMT+4", "UTC+4", "Mars/Olympus", "europe/paris"}) {
            assertThrows(IllegalArgumentException.class, () -> ScheduleExpression.zone(bad), bad);
        }
    }

    @Test
    void cronFiresAtTheLocalTimeOfItsZone() {
        // 14:00 at UTC+4 is 10:00 UTC; the minute itself counts ("at or after").
        String daily = "cron(0 14 * * ? *)";
        ZoneId plus4 = ZoneId.of("Etc/GMT-4");
        assertEquals(t("2026-03-10T10:00:00Z"), cron(daily).next(t("2026-03-10T09:59:00Z"), plus4));
        assertEquals(t("2026-03-10T10:00:00Z"), cron(daily).next(t("2026-03-10T10:00:00Z"), plus4));
        assertEquals(t("2026-03-11T10:00:00Z"), cron(daily).next(t("2026-03-10T10:00:00.001Z"), plus4));
        assertEquals(t("2026-03-10T14:00:00Z"), cron(daily).next(t("2026-03-10T09:59:00Z"), UTC));
    }

    @Test
    void theFormsLifeboatProduces() {
        // SchedulerExpression: daily, weekly (MON first), monthly on day 1, L or 2.
        assertEquals(List.of(t("2026-03-11T01:05:00Z"), t("2026-03-12T01:05:00Z")),
                fires("cron(5 1 * * ? *)", UTC, "2026-03-10T02:00:00Z", 2));
        // 2026-03-11 is a Wednesday.
        assertEquals(List.of(t("2026-03-13T08:30:00Z"), t("2026-03-16T08:30:00Z"), t("2026-03-20T08:30:00Z")),
                fires("cron(30 8 ? * MON,FRI *)", UTC, "2026-03-11T00:00:00Z", 3));
        assertEquals(List.of(t("2026-04-01T02:00:00Z"), t("2026-05-01T02:00:00Z")),
                fires("cron(0 2 1 * ? *)", UTC, "2026-03-01T02:00:01Z", 2));
        assertEquals(List.of(t("2028-01-31T22:00:00Z"), t("2028-02-29T22:00:00Z"), t("2028-03-31T22:00:00Z")),
                fires("cron(0 22 L * ? *)", UTC, "2028-01-15T00:00:00Z", 3));
        assertEquals(List.of(t("2026-04-02T03:00:00Z")), fires("cron(0 3 2 * ? *)", UTC, "2026-03-02T03:00:01Z", 1));
    }

    @Test
    void cronWildcards() {
        assertEquals(List.of(t("2026-03-10T10:15:00Z"), t("2026-03-10T10:30:00Z"), t("2026-03-10T10:45:00Z"),
                t("2026-03-10T11:00:00Z")), fires("cron(0/15 * * * ? *)", UTC, "2026-03-10T10:07:00Z", 4));
        assertEquals(List.of(t("2026-03-10T10:05:00Z"), t("2026-03-10T10:25:00Z")),
                fires("cron(5/20 10 * * ? *)", UTC, "2026-03-10T10:00:00Z", 2));
        // Hours 8-10 on weekdays: Friday 2026-03-13 10:00, then Monday.
        assertEquals(List.of(t("2026-03-13T10:00:00Z"), t("2026-03-16T08:00:00Z")),
                fires("cron(0 8-10 ? * MON-FRI *)", UTC, "2026-03-13T09:30:00Z", 2));
        assertEquals(List.of(t("2026-03-16T08:00:00Z")), fires("cron(0 8 ? * 2 *)", UTC, "2026-03-13T00:00:00Z", 1),
                "2 is Monday: Sunday is 1");
        assertEquals(List.of(t("2026-03-14T00:00:00Z")), fires("cron(0 0 ? * L *)", UTC, "2026-03-11T00:00:00Z", 1),
                "L alone in day-of-week is the last day of the week, Saturday");
        assertEquals(List.of(t("2026-03-10T09:00:00Z"), t("2026-04-14T09:00:00Z")),
                fires("cron(0 9 ? * 3#2 *)", UTC, "2026-03-01T00:00:00Z", 2), "the second Tuesday");
        assertEquals(List.of(t("2026-03-26T09:00:00Z"), t("2026-04-30T09:00:00Z")),
                fires("cron(0 9 ? * 5L *)", UTC, "2026-03-01T00:00:00Z", 2), "the last Thursday");
        // 2026-08-15 is a Saturday: the nearest weekday is Friday the 14th; 2026-08-01 is a Saturday too, and W does
        // not leave the month, so 1W is Monday the 3rd.
        assertEquals(List.of(t("2026-08-14T09:00:00Z")), fires("cron(0 9 15W * ? *)", UTC, "2026-08-01T00:00:00Z", 1));
        assertEquals(List.of(t("2026-08-03T09:00:00Z")), fires("cron(0 9 1W * ? *)", UTC, "2026-08-01T00:00:00Z", 1));
        assertEquals(List.of(t("2026-03-31T09:00:00Z"), t("2026-06-30T09:00:00Z")),
                fires("cron(0 9 L MAR,JUN ? *)", UTC, "2026-01-01T00:00:00Z", 2));
        assertEquals(List.of(t("2026-03-16T08:00:00Z")), fires("cron(0 8 ? * mon *)", UTC, "2026-03-13T00:00:00Z", 1),
                "names in any case");
    }

    @Test
    void cronYearsEnd() {
        assertEquals(List.of(t("2027-01-01T00:00:00Z")), fires("cron(0 0 1 1 ? 2027)", UTC, "2026-03-01T00:00:00Z", 5));
        assertNull(cron("cron(0 0 1 1 ? 2027)").next(t("2027-01-01T00:00:01Z"), UTC));
        assertNull(cron("cron(0 0 30 2 ? *)").next(t("2026-01-01T00:00:00Z"), UTC), "February never has a 30th");
    }

    @Test
    void cronSkipsALocalTimeThatASpringChangeJumpsOver() {
        // 02:30 does not exist in New York on 2026-03-08: that day has no fire.
        assertEquals(List.of(t("2026-03-07T07:30:00Z"), t("2026-03-09T06:30:00Z")),
                fires("cron(30 2 * * ? *)", NEW_YORK, "2026-03-07T00:00:00Z", 2));
    }

    @Test
    void cronFiresOnceInTheHourAnAutumnChangeRepeats() {
        // 01:30 happens twice in New York on 2026-11-01 (EDT, then EST): one fire, at the first.
        assertEquals(List.of(t("2026-11-01T05:30:00Z"), t("2026-11-02T06:30:00Z")),
                fires("cron(30 1 * * ? *)", NEW_YORK, "2026-10-31T12:00:00Z", 2));
        // Every minute of hour 1: sixty fires in the first 01:xx, none in the second.
        List<Instant> minutes = fires("cron(* 1 * * ? *)", NEW_YORK, "2026-11-01T04:00:00Z", 61);
        assertEquals(t("2026-11-01T05:00:00Z"), minutes.get(0));
        assertEquals(t("2026-11-01T05:59:00Z"), minutes.get(59));
        assertEquals(t("2026-11-02T06:00:00Z"), minutes.get(60));
        // A search that starts inside the repeated hour does not go back to its first pass.
        assertEquals(t("2026-11-02T06:30:00Z"), cron("cron(30 1 * * ? *)").next(t("2026-11-01T06:10:00Z"), NEW_YORK));
    }
}
