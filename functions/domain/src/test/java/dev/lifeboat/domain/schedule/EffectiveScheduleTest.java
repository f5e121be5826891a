package dev.lifeboat.domain.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EffectiveScheduleTest {
    private static final String DATE_TIME = Subtype.Field.DATE_TIME;
    private static final String HOURS = Subtype.Field.HOURS;
    private static final String TIME = Subtype.Field.TIME;
    private static final String DAYS = Subtype.Field.DAYS;

    @Test
    void definedHourIsAtInTheOffsetsEtcZone() {
        var s = single(config(Subtype.DEFINED_HOUR, DATE_TIME, Setting.fixed("2027/12/24 22:30:00 +0100")));
        assertEquals(new SchedulerExpression("at(2027-12-24T22:30:00)", "Etc/GMT-1"), s.scheduler());
        assertEquals(new EffectiveValue(EffectiveValue.Source.POLICY, "2027/12/24 22:30:00 +0100"), s.field(DATE_TIME));
    }

    @Test
    void definedHourAtAnOffsetWithMinutesMovesToUtcAcrossTheYear() {
        var s = single(config(Subtype.DEFINED_HOUR, DATE_TIME, Setting.fixed("2027/01/01 02:00:30 +0530")));
        assertEquals(new SchedulerExpression("at(2026-12-31T20:30:30)", "UTC"), s.scheduler());
    }

    @Test
    void definedHourInAnIanaZoneKeepsTheZone() {
        var s = single(config(Subtype.DEFINED_HOUR, DATE_TIME, Setting.fixed("2027/07/01 08:00:00 Europe/Madrid")));
        assertEquals(new SchedulerExpression("at(2027-07-01T08:00:00)", "Europe/Madrid"), s.scheduler());
    }

    @Test
    void hourlyIsARateInUtc() {
        var s = single(config(Subtype.HOURLY, HOURS, Setting.fixed("6")));
        assertEquals(new SchedulerExpression("rate(6 hours)", "UTC"), s.scheduler());
    }

    @Test
    void oneHourIsSingular() {
        var s = single(config(Subtype.HOURLY, HOURS, Setting.fixed("1")));
        assertEquals("rate(1 hour)", s.scheduler().expression());
        assertEquals("rate(23 hours)", single(config(Subtype.HOURLY, HOURS, Setting.fixed("23"))).scheduler().expression());
    }

    @Test
    void dailyIsACronEveryDay() {
        var s = single(config(Subtype.DAILY, TIME, Setting.fixed("01:02:03 +0400")));
        // +0400 is Etc/GMT-4: the POSIX sign is inverted. The seconds cannot be expressed and are dropped.
        assertEquals(new SchedulerExpression("cron(2 1 * * ? *)", "Etc/GMT-4"), s.scheduler());
    }

    @Test
    void weeklyNamesTheDaysInWeekOrder() {
        var s = single(weekly(Setting.fixedDays(List.of("monday", "wednesday", "sunday")), Setting.fixed("22:15:00 -0300")));
        assertEquals(new SchedulerExpression("cron(15 22 ? * MON,WED,SUN *)", "Etc/GMT+3"), s.scheduler());
    }

    @Test
    void monthlyRunsOnDayOne() {
        var s = single(config(Subtype.MONTHLY, TIME, Setting.fixed("03:00:00 +0000")));
        assertEquals(new SchedulerExpression("cron(0 3 1 * ? *)", "UTC"), s.scheduler());
    }

    @ParameterizedTest
    @CsvSource({
            "+0000, UTC", "-0000, UTC", "+0100, Etc/GMT-1", "-0100, Etc/GMT+1", "+0400, Etc/GMT-4", "-0300, Etc/GMT+3",
            "+1200, Etc/GMT-12", "+1300, Etc/GMT-13", "+1400, Etc/GMT-14", "-1200, Etc/GMT+12"})
    void wholeHourOffsetsAreEtcZonesWithTheSignInverted(String offset, String zone) {
        var s = single(config(Subtype.DAILY, TIME, Setting.fixed("12:00:00 " + offset)));
        assertEquals(new SchedulerExpression("cron(0 12 * * ? *)", zone), s.scheduler());
    }

    @Test
    void ianaZonesAreKept() {
        var s = single(config(Subtype.DAILY, TIME, Setting.fixed("01:02:03 Europe/Madrid")));
        assertEquals(new SchedulerExpression("cron(2 1 * * ? *)", "Europe/Madrid"), s.scheduler());
        var utc = single(config(Subtype.DAILY, TIME, Setting.fixed("01:02:03 UTC")));
        assertEquals("UTC", utc.scheduler().timezone());
    }

    @Test
    void secondsAreTruncatedNotRounded() {
        var s = single(config(Subtype.DAILY, TIME, Setting.fixed("23:59:59 +0000")));
        assertEquals("cron(59 23 * * ? *)", s.scheduler().expression());
    }

    @Test
    void dailyAtAnOffsetWithMinutesMovesToUtc() {
        // 03:00 at +0530 is 21:30 UTC the day before; every day, so only the time changes.
        assertEquals(new SchedulerExpression("cron(30 21 * * ? *)", "UTC"),
                single(config(Subtype.DAILY, TIME, Setting.fixed("03:00:00 +0530"))).scheduler());
        assertEquals(new SchedulerExpression("cron(15 4 * * ? *)", "UTC"),
                single(config(Subtype.DAILY, TIME, Setting.fixed("10:00:00 +0545"))).scheduler());
        assertEquals(new SchedulerExpression("cron(30 5 * * ? *)", "UTC"),
                single(config(Subtype.DAILY, TIME, Setting.fixed("20:00:00 -0930"))).scheduler());
    }

    @Test
    void weeklyAtAnOffsetWithMinutesShiftsTheDays() {
        // Monday and Sunday 03:00 at +0530 are Sunday and Saturday 21:30 UTC.
        var east = single(weekly(Setting.fixedDays(List.of("monday", "sunday")), Setting.fixed("03:00:00 +0530")));
        assertEquals(new SchedulerExpression("cron(30 21 ? * SAT,SUN *)", "UTC"), east.scheduler());
        // Sunday 20:00 at -0930 is Monday 05:30 UTC.
        var west = single(weekly(Setting.fixedDays(List.of("friday", "sunday")), Setting.fixed("20:00:00 -0930")));
        assertEquals(new SchedulerExpression("cron(30 5 ? * MON,SAT *)", "UTC"), west.scheduler());
        // 10:00 at +0545 is 04:15 UTC the same day.
        var same = single(weekly(Setting.fixedDays(List.of("tuesday")), Setting.fixed("10:00:00 +0545")));
        assertEquals(new SchedulerExpression("cron(15 4 ? * TUE *)", "UTC"), same.scheduler());
    }

    @Test
    void monthlyAtAnOffsetWithMinutesMovesDayOne() {
        // Day 1 03:00 at +0530 is 21:30 UTC on the last day of the previous month.
        assertEquals(new SchedulerExpression("cron(30 21 L * ? *)", "UTC"),
                single(config(Subtype.MONTHLY, TIME, Setting.fixed("03:00:00 +0530"))).scheduler());
        // Day 1 20:00 at -0930 is day 2 05:30 UTC.
        assertEquals(new SchedulerExpression("cron(30 5 2 * ? *)", "UTC"),
                single(config(Subtype.MONTHLY, TIME, Setting.fixed("20:00:00 -0930"))).scheduler());
        // Day 1 10:00 at +0545 stays day 1.
        assertEquals(new SchedulerExpression("cron(15 4 1 * ? *)", "UTC"),
                single(config(Subtype.MONTHLY, TIME, Setting.fixed("10:00:00 +0545"))).scheduler());
    }

    @Test
    void notApplyLeavesTheFieldToTheBackupSystemAndGivesNoExpression() {
        var s = single(weekly(Setting.NOT_APPLY, Setting.fixed("01:00:00 +0200")));
        assertFalse(s.concrete());
        assertNull(s.scheduler());
        assertEquals(EffectiveValue.LEFT_TO_BACKUP_SYSTEM, s.field(DAYS));
        assertEquals("NOT_APPLY", s.field(DAYS).wireValue());
        assertEquals(new EffectiveValue(EffectiveValue.Source.POLICY, "01:00:00 +0200"), s.field(TIME));
        assertEquals(List.of(DAYS, TIME), List.copyOf(s.fields().keySet()));
    }

    @Test
    void anAbsentFieldIsNotApply() {
        var s = single(new BackupConfiguration(Subtype.MONTHLY, Map.of()));
        assertNull(s.scheduler());
        assertEquals(EffectiveValue.LEFT_TO_BACKUP_SYSTEM, s.field(TIME));
    }

    @Test
    void defineInVmTakesTheVmsValue() {
        var policy = List.of(config(Subtype.DAILY, TIME, Setting.DEFINE_IN_VM));
        var vm = Map.of(Subtype.DAILY, Map.of(TIME, Setting.fixed("05:00:00 +0200")));
        var s = EffectiveSchedule.resolve(policy, vm).get(0);
        assertEquals(new EffectiveValue(EffectiveValue.Source.VM, "05:00:00 +0200"), s.field(TIME));
        assertEquals(new SchedulerExpression("cron(0 5 * * ? *)", "Etc/GMT-2"), s.scheduler());
    }

    @Test
    void aPolicyMixesPolicyVmAndBackupSystemValuesPerSchedule() {
        var policy = List.of(
                weekly(Setting.DEFINE_IN_VM, Setting.fixed("23:00:00 Europe/Madrid")),
                config(Subtype.HOURLY, HOURS, Setting.DEFINE_IN_VM),
                config(Subtype.MONTHLY, TIME, Setting.NOT_APPLY));
        var vm = Map.of(
                Subtype.WEEKLY_PLANNED, Map.of(DAYS, Setting.fixedDays(List.of("saturday"))),
                Subtype.HOURLY, Map.of(HOURS, Setting.fixed("1")));
        var schedules = EffectiveSchedule.resolve(policy, vm);

        assertEquals(List.of(Subtype.WEEKLY_PLANNED, Subtype.HOURLY, Subtype.MONTHLY), schedules.stream().map(EffectiveSchedule::subtype).toList());
        var weekly = schedules.get(0);
        assertEquals(new EffectiveValue(EffectiveValue.Source.VM, List.of("saturday")), weekly.field(DAYS));
        assertEquals(EffectiveValue.Source.POLICY, weekly.field(TIME).source());
        assertEquals(new SchedulerExpression("cron(0 23 ? * SAT *)", "Europe/Madrid"), weekly.scheduler());
        assertEquals(new SchedulerExpression("rate(1 hour)", "UTC"), schedules.get(1).scheduler());
        assertTrue(schedules.get(1).concrete());
        assertFalse(schedules.get(2).concrete());
    }

    @Test
    void aDefineInVmFieldWithoutAVmValueIsAProgrammingError() {
        var policy = List.of(weekly(Setting.DEFINE_IN_VM, Setting.DEFINE_IN_VM));
        var missingField = Map.of(Subtype.WEEKLY_PLANNED, Map.of(DAYS, Setting.fixedDays(List.of("monday"))));
        var e = assertThrows(IllegalArgumentException.class, () -> EffectiveSchedule.resolve(policy, missingField));
        assertTrue(e.getMessage().contains("WEEKLY_PLANNED.time"), e.getMessage());

        Map<Subtype, Map<String, Setting>> missingSubtype = Map.of();
        assertThrows(IllegalArgumentException.class, () -> EffectiveSchedule.resolve(policy, missingSubtype));
    }

    @Test
    void aVmValueMustBeConcrete() {
        var policy = List.of(config(Subtype.DAILY, TIME, Setting.DEFINE_IN_VM));
        var vm = Map.of(Subtype.DAILY, Map.of(TIME, Setting.NOT_APPLY));
        assertThrows(IllegalArgumentException.class, () -> EffectiveSchedule.resolve(policy, vm));
    }

    @Test
    void theVmsValuesForFieldsThePolicyFixesAreNotRead() {
        var policy = List.of(config(Subtype.DAILY, TIME, Setting.fixed("01:00:00 +0000")));
        var vm = Map.of(Subtype.DAILY, Map.of(TIME, Setting.fixed("09:00:00 +0000")));
        var s = EffectiveSchedule.resolve(policy, vm).get(0);
        assertEquals(new EffectiveValue(EffectiveValue.Source.POLICY, "01:00:00 +0000"), s.field(TIME));
        assertEquals("cron(0 1 * * ? *)", s.scheduler().expression());
    }

    @Test
    void anEffectiveValueHasAValueExactlyWhenItIsConcrete() {
        assertThrows(IllegalArgumentException.class, () -> new EffectiveValue(EffectiveValue.Source.VM, null));
        assertThrows(IllegalArgumentException.class, () -> new EffectiveValue(EffectiveValue.Source.BACKUP_SYSTEM, "x"));
    }

    private static EffectiveSchedule single(BackupConfiguration configuration) {
        List<EffectiveSchedule> out = EffectiveSchedule.resolve(List.of(configuration), Map.of());
        assertEquals(1, out.size());
        return out.get(0);
    }

    private static BackupConfiguration config(Subtype subtype, String field, Setting setting) {
        return new BackupConfiguration(subtype, Map.of(field, setting));
    }

    private static BackupConfiguration weekly(Setting days, Setting time) {
        return new BackupConfiguration(Subtype.WEEKLY_PLANNED, Map.of(DAYS, days, TIME, time));
    }
}
