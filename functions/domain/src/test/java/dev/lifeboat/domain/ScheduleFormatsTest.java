package dev.lifeboat.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lifeboat.domain.schedule.ScheduleFormats;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ScheduleFormatsTest {
    @Test
    void timeWithOffset() {
        var t = ScheduleFormats.parseTime("01:02:03 +0400");
        assertEquals(LocalTime.of(1, 2, 3), t.time());
        assertEquals(ZoneOffset.ofHours(4), t.zone());
        assertEquals("01:02:03 +0400", t.format());
    }

    @Test
    void timeWithIanaZoneFollowsDaylightSaving() {
        var t = ScheduleFormats.parseTime("23:59:59 Europe/Madrid");
        assertEquals(ZoneId.of("Europe/Madrid"), t.zone());
        assertEquals("23:59:59 Europe/Madrid", t.format());
    }

    @Test
    void negativeAndHalfHourOffsets() {
        assertEquals(ZoneOffset.ofHoursMinutes(-3, -30), ScheduleFormats.parseTime("10:00:00 -0330").zone());
        assertEquals(ZoneOffset.ofHoursMinutes(5, 45), ScheduleFormats.parseTime("10:00:00 +0545").zone());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:02:03 +0400", "01:02 +0400", "24:00:00 +0000", "01:60:00 +0000", "01:02:03", "01:02:03 0400",
            "01:02:03 +04:00", "01:02:03 +1500", "01:02:03 -1300", "01:02:03 +0460", "01:02:03 Mars/Olympus", "01:02:03  +0400",
            "01:02:03 +0400 ", " 01:02:03 +0400", "01:02:03 EST5", ""})
    void badTimesAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> ScheduleFormats.parseTime(text));
    }

    @Test
    void dateTime() {
        var at = ScheduleFormats.parseDateTime("2027/12/24 22:30:00 +0100");
        assertEquals(LocalDateTime.of(2027, 12, 24, 22, 30), at.dateTime());
        assertEquals("2027-12-24T21:30:00Z", at.instant().toString());
        assertEquals("2027/12/24 22:30:00 +0100", at.format());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2027/02/30 10:00:00 +0000", "2027-12-24 22:30:00 +0100", "2027/12/24 22:30 +0100", "2027/13/01 00:00:00 +0000",
            "2027/12/24T22:30:00 +0100", "27/12/24 22:30:00 +0100"})
    void badDateTimesAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> ScheduleFormats.parseDateTime(text));
    }

    @Test
    void hoursFromOneToTwentyThree() {
        assertEquals(1, ScheduleFormats.parseHours("1"));
        assertEquals(23, ScheduleFormats.parseHours("23"));
        assertEquals(6, ScheduleFormats.parseHours("06"));
        for (String bad : List.of("0", "24", "-1", "1.5", "six", "", "100")) {
            assertThrows(IllegalArgumentException.class, () -> ScheduleFormats.parseHours(bad), bad);
        }
    }

    @Test
    void daysAreLowerCaseInWeekOrder() {
        assertEquals(List.of("monday", "wednesday", "sunday"), ScheduleFormats.parseDays(List.of("SUNDAY", "Monday", "wednesday")));
        assertThrows(IllegalArgumentException.class, () -> ScheduleFormats.parseDays(List.of()));
        assertThrows(IllegalArgumentException.class, () -> ScheduleFormats.parseDays(List.of("monday", "MONDAY")));
        assertThrows(IllegalArgumentException.class, () -> ScheduleFormats.parseDays(List.of("mon")));
    }
}
