package dev.lifeboat.domain.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Properties of the Scheduler expressions over generated times, zones, day sets and instants. Each property resolves
 * a generated schedule through {@link EffectiveSchedule}, then reads the produced expression and zone back with
 * {@link SchedulerClock}, which parses them itself with java.time, and compares the next fire after a generated
 * instant with the schedule as configured: the configured local time (to the minute) on a matching day of the
 * configured zone. Offsets with minutes make the production code move the schedule to UTC; the configured side stays
 * in the offset, so the comparison checks that move.
 *
 * <p>The inputs come from a seeded generator: a failure names the input and the seed, and
 * {@code -Dlifeboat.schedule.seed=N} replays it. Instants are drawn uniformly, and also within a few days of a
 * daylight saving change of the zone, so that fires land on transition days on purpose: there the clock and the
 * reference both follow what Scheduler documents (a skipped local time does not fire that day; a repeated one fires
 * once), see {@link SchedulerClock}.
 */
class SchedulerExpressionPropertiesTest {
    private static final long SEED = Long.getLong("lifeboat.schedule.seed", System.nanoTime());
    private static final int TRIES = Integer.getInteger("lifeboat.schedule.tries", 1000);

    private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2036-01-01T00:00:00Z");
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm:ss");

    /** IANA zones, with and without daylight saving time, including odd ones: half-hour DST, DST at midnight, +14. */
    private static final List<String> IANA = List.of(
            "UTC", "Europe/Madrid", "Europe/London", "America/New_York", "America/St_Johns", "America/Santiago",
            "America/Havana", "Australia/Lord_Howe", "Australia/Adelaide", "Pacific/Chatham", "Asia/Kolkata",
            "Asia/Kathmandu", "Pacific/Kiritimati", "Africa/Casablanca", "Asia/Tokyo", "Etc/GMT-4");
    /** Offsets with minutes that are or were in use, besides any generated one. */
    private static final List<Integer> REAL_ODD_OFFSETS = List.of(330, 345, -570, -210, 570, 630, 765, 525, 390, 30, -30);

    private record TimeCase(LocalTime time, String zone, Instant after) {}

    private record WeeklyCase(Set<DayOfWeek> days, LocalTime time, String zone, Instant after) {}

    private record MomentCase(LocalDateTime dateTime, String zone) {}

    @Test
    void dailyFiresNextAtTheConfiguredMinute() {
        forAll(SchedulerExpressionPropertiesTest::timeCase, c -> {
            SchedulerExpression s = resolve(Subtype.DAILY, Map.of(Subtype.Field.TIME, Setting.fixed(timeText(c))));
            Instant fire = SchedulerClock.nextCron(s.expression(), s.timezone(), c.after());
            assertFiresAt(c.time(), zoneOf(c.zone()), fire);
            assertEquals(intendedNext(c.time(), zoneOf(c.zone()), day -> true, c.after()), fire);
        });
    }

    @Test
    void weeklyFiresNextOnAConfiguredDayAtTheConfiguredMinute() {
        forAll(r -> {
            String zone = zone(r);
            return new WeeklyCase(days(r), time(r), zone, after(r, zone));
        }, this::checkWeekly);
    }

    @Test
    void monthlyFiresNextOnDayOneOfTheConfiguredZone() {
        forAll(SchedulerExpressionPropertiesTest::timeCase, this::checkMonthly);
    }

    @Test
    void everyOffsetWithMinutesKeepsTheLocalTimeAndDay() {
        // Exhaustive over the zone: every offset from -1200 to +1400, each with a generated time, day set and instant.
        SplittableRandom r = new SplittableRandom(SEED);
        for (int minutes = -12 * 60; minutes <= 14 * 60; minutes++) {
            String zone = offsetText(minutes);
            TimeCase c = new TimeCase(time(r), zone, uniform(r));
            WeeklyCase w = new WeeklyCase(days(r), c.time(), zone, c.after());
            check(c, this::checkMonthly);
            check(w, this::checkWeekly);
        }
    }

    @Test
    void definedHourIsTheConfiguredMoment() {
        forAll(r -> new MomentCase(LocalDateTime.ofEpochSecond(uniform(r).getEpochSecond(), 0, ZoneOffset.UTC), zone(r)), c -> {
            List<Instant> intended = SchedulerClock.instants(c.dateTime(), zoneOf(c.zone()));
            if (intended.isEmpty()) {
                // A moment that a spring change skips does not exist. Scheduler does not document at() there; the
                // zone goes to it unchanged, so it sees the user's own local time, and there is nothing to compare.
                return;
            }
            String text = DATE_TIME.format(c.dateTime()) + " " + c.zone();
            SchedulerExpression s = resolve(Subtype.DEFINED_HOUR, Map.of(Subtype.Field.DATE_TIME, Setting.fixed(text)));
            // The seconds are kept; an overlap keeps the zone too, so Scheduler meets the same ambiguity as the user.
            assertEquals(intended.get(0), SchedulerClock.at(s.expression(), s.timezone()));
        });
    }

    @Test
    void hourlyIsTheConfiguredInterval() {
        for (int hours = 1; hours <= 23; hours++) {
            SchedulerExpression s = resolve(Subtype.HOURLY, Map.of(Subtype.Field.HOURS, Setting.fixed(Integer.toString(hours))));
            assertEquals(Duration.ofHours(hours), SchedulerClock.rate(s.expression()), s.expression());
            assertEquals("UTC", s.timezone());
        }
    }

    @Test
    void everyWholeHourOffsetIsTheEtcZoneOfThatOffset() {
        for (int hours = -12; hours <= 14; hours++) {
            SchedulerExpression s = resolve(Subtype.DAILY, Map.of(Subtype.Field.TIME, Setting.fixed("12:00:00 " + offsetText(hours * 60))));
            ZoneId zone = SchedulerClock.zone(s.timezone());
            assertEquals(ZoneOffset.ofHours(hours), zone.getRules().getOffset(Instant.EPOCH), s.timezone());
            assertTrue(zone.getRules().isFixedOffset(), s.timezone());
            assertEquals("cron(0 12 * * ? *)", s.expression());
        }
    }

    private void checkWeekly(WeeklyCase c) {
        List<String> names = c.days().stream().map(d -> d.name().toLowerCase(Locale.ROOT)).toList();
        SchedulerExpression s = resolve(Subtype.WEEKLY_PLANNED,
                Map.of(Subtype.Field.DAYS, Setting.fixedDays(names), Subtype.Field.TIME, Setting.fixed(c.time().format(HMS) + " " + c.zone())));
        Instant fire = SchedulerClock.nextCron(s.expression(), s.timezone(), c.after());
        ZoneId zone = zoneOf(c.zone());
        assertFiresAt(c.time(), zone, fire);
        assertTrue(c.days().contains(fire.atZone(zone).getDayOfWeek()), () -> "fires on " + fire.atZone(zone) + " with " + s);
        assertEquals(intendedNext(c.time(), zone, day -> c.days().contains(day.getDayOfWeek()), c.after()), fire, s::toString);
    }

    private void checkMonthly(TimeCase c) {
        SchedulerExpression s = resolve(Subtype.MONTHLY, Map.of(Subtype.Field.TIME, Setting.fixed(timeText(c))));
        Instant fire = SchedulerClock.nextCron(s.expression(), s.timezone(), c.after());
        ZoneId zone = zoneOf(c.zone());
        assertFiresAt(c.time(), zone, fire);
        assertEquals(1, fire.atZone(zone).getDayOfMonth(), () -> "fires on " + fire.atZone(zone) + " with " + s);
        assertEquals(intendedNext(c.time(), zone, day -> day.getDayOfMonth() == 1, c.after()), fire, s::toString);
    }

    private static void assertFiresAt(LocalTime configured, ZoneId zone, Instant fire) {
        // Cron has minute precision: the configured seconds are dropped, never rounded up.
        assertEquals(configured.truncatedTo(ChronoUnit.MINUTES), fire.atZone(zone).toLocalTime(), () -> "fires at " + fire.atZone(zone));
    }

    /**
     * The schedule as configured, computed from the configuration alone: the first matching day in the configured
     * zone whose local time exists and falls after {@code after}; a repeated local time counts once, at its first.
     */
    private static Instant intendedNext(LocalTime time, ZoneId zone, Predicate<LocalDate> onDay, Instant after) {
        LocalTime minute = time.truncatedTo(ChronoUnit.MINUTES);
        LocalDate day = after.atZone(zone).toLocalDate().minusDays(1);
        for (int i = 0; i < 70; i++, day = day.plusDays(1)) {
            List<Instant> instants = SchedulerClock.instants(day.atTime(minute), zone);
            if (onDay.test(day) && !instants.isEmpty() && instants.get(0).isAfter(after)) {
                return instants.get(0);
            }
        }
        throw new AssertionError("the configured schedule never runs");
    }

    private static SchedulerExpression resolve(Subtype subtype, Map<String, Setting> fields) {
        EffectiveSchedule s = EffectiveSchedule.resolve(List.of(new BackupConfiguration(subtype, fields)), Map.of()).get(0);
        assertTrue(s.concrete(), () -> "not concrete: " + s);
        return s.scheduler();
    }

    // --- generation ---

    private static <T> void forAll(Function<SplittableRandom, T> generator, Consumer<T> property) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < TRIES; i++) {
            check(generator.apply(random), property);
        }
    }

    private static <T> void check(T input, Consumer<T> property) {
        try {
            property.accept(input);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("falsified by " + input + "; replay with -Dlifeboat.schedule.seed=" + SEED, e);
        }
    }

    private static TimeCase timeCase(SplittableRandom r) {
        String zone = zone(r);
        return new TimeCase(time(r), zone, after(r, zone));
    }

    private static LocalTime time(SplittableRandom r) {
        if (r.nextInt(10) == 0) {
            return List.of(LocalTime.MIN, LocalTime.of(23, 59, 59), LocalTime.of(0, 0, 59), LocalTime.NOON, LocalTime.of(2, 30)).get(r.nextInt(5));
        }
        return LocalTime.ofSecondOfDay(r.nextInt(24 * 3600));
    }

    /** A zone as a user writes it: a whole-hour offset, an offset with minutes, or an IANA name. */
    private static String zone(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0, 1 -> offsetText(60 * (r.nextInt(27) - 12));
            case 2 -> offsetText(REAL_ODD_OFFSETS.get(r.nextInt(REAL_ODD_OFFSETS.size())));
            case 3, 4 -> {
                int minutes;
                do {
                    minutes = r.nextInt(-12 * 60, 14 * 60 + 1);
                } while (minutes % 60 == 0);
                yield offsetText(minutes);
            }
            default -> IANA.get(r.nextInt(IANA.size()));
        };
    }

    private static Set<DayOfWeek> days(SplittableRandom r) {
        int mask = r.nextInt(1, 128);
        EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (DayOfWeek d : DayOfWeek.values()) {
            if ((mask & (1 << d.ordinal())) != 0) {
                days.add(d);
            }
        }
        return days;
    }

    /** An instant, half the time within three days of a daylight saving change of the zone when it has any. */
    private static Instant after(SplittableRandom r, String zone) {
        Instant uniform = uniform(r);
        ZoneOffsetTransition next = zoneOf(zone).getRules().nextTransition(uniform);
        if (r.nextBoolean() && next != null && next.getInstant().isBefore(TO)) {
            return next.getInstant().plusSeconds(r.nextLong(-3 * 86400, 3 * 86400 + 1));
        }
        return uniform;
    }

    private static Instant uniform(SplittableRandom r) {
        return Instant.ofEpochSecond(r.nextLong(FROM.getEpochSecond(), TO.getEpochSecond()));
    }

    private static String offsetText(int minutes) {
        int abs = Math.abs(minutes);
        return String.format(Locale.ROOT, "%s%02d%02d", minutes < 0 ? "-" : "+", abs / 60, abs % 60);
    }

    /** The configured zone, read here without the production parser: ZoneOffset reads {@code +HHMM} itself. */
    private static ZoneId zoneOf(String zone) {
        return zone.startsWith("+") || zone.startsWith("-") ? ZoneOffset.of(zone) : ZoneId.of(zone);
    }

    private static String timeText(TimeCase c) {
        return c.time().format(HMS) + " " + c.zone();
    }
}
