package dev.lifeboat.domain.schedule;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent reading of an EventBridge Scheduler schedule, for the tests: it parses the expression and the time
 * zone name itself with java.time and never calls production code. It accepts only the grammar Lifeboat means to
 * produce and fails on anything else, so a malformed expression fails the test that produced it.
 *
 * <p>Daylight saving time follows what Scheduler documents
 * (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst): a local time that a spring change jumps
 * over is skipped that day, and a local time that an autumn change repeats fires once. Which of the two instants it
 * picks is not documented; this clock takes the first. The tests compare against a reference that uses the same
 * rule, and their other assertions (local time and day in the configured zone) hold for either instant.
 */
final class SchedulerClock {
    private static final Pattern AT = Pattern.compile("at\\((\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})\\)");
    private static final Pattern RATE = Pattern.compile("rate\\(([1-9]\\d*) (hour|hours)\\)");
    private static final Pattern CRON = Pattern.compile("cron\\((\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)\\)");
    private static final Pattern NUMBER = Pattern.compile("0|[1-9]\\d?");
    private static final List<String> DAY_NAMES = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");
    // Longer than any gap between two fires of a daily, weekly or monthly cron, even with a skipped day.
    private static final int SEARCH_DAYS = 70;

    private SchedulerClock() {}

    /** The instant of a one-time schedule {@code at(..)} in the zone. */
    static Instant at(String expression, String timezone) {
        Matcher m = AT.matcher(expression);
        if (!m.matches()) {
            throw new AssertionError("not an at() expression: " + expression);
        }
        LocalDateTime local = LocalDateTime.of(num(m, 1), num(m, 2), num(m, 3), num(m, 4), num(m, 5), num(m, 6));
        List<Instant> instants = instants(local, zone(timezone));
        if (instants.isEmpty()) {
            throw new AssertionError(local + " does not exist in " + timezone);
        }
        return instants.get(0);
    }

    /** The interval of a rate schedule; the unit must agree in number with the value. */
    static Duration rate(String expression) {
        Matcher m = RATE.matcher(expression);
        if (!m.matches()) {
            throw new AssertionError("not a rate() expression in hours: " + expression);
        }
        long value = Long.parseLong(m.group(1));
        boolean singular = m.group(2).equals("hour");
        if (singular != (value == 1)) {
            throw new AssertionError("the unit must be singular exactly for 1: " + expression);
        }
        return Duration.ofHours(value);
    }

    /** The first fire of a cron schedule strictly after {@code after}. */
    static Instant nextCron(String expression, String timezone, Instant after) {
        Cron cron = Cron.parse(expression);
        ZoneId zone = zone(timezone);
        LocalDate day = after.atZone(zone).toLocalDate().minusDays(1);
        for (int i = 0; i < SEARCH_DAYS; i++, day = day.plusDays(1)) {
            if (!cron.matches(day)) {
                continue;
            }
            // None in a spring gap (skipped); two in an autumn overlap, of which it fires once, at the first.
            List<Instant> instants = instants(day.atTime(cron.time()), zone);
            if (!instants.isEmpty() && instants.get(0).isAfter(after)) {
                return instants.get(0);
            }
        }
        throw new AssertionError("no fire of " + expression + " within " + SEARCH_DAYS + " days after " + after);
    }

    /**
     * The instants a local date-time names in a zone: none in a spring gap, two in an autumn overlap, else one;
     * earliest first.
     */
    static List<Instant> instants(LocalDateTime local, ZoneId zone) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        return offsets.stream().map(local::toInstant).sorted().toList();
    }

    /** Scheduler takes IANA names; java.time reads the same tz database, Etc/GMT sign inversion included. */
    static ZoneId zone(String timezone) {
        if (!timezone.equals("UTC") && !timezone.contains("/")) {
            throw new AssertionError("not an IANA zone name: " + timezone);
        }
        return ZoneId.of(timezone);
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    /** The cron fields Lifeboat uses: fixed minute and hour, every month and year, one day field '?'. */
    private record Cron(LocalTime time, String dayOfMonth, Set<DayOfWeek> daysOfWeek) {
        static Cron parse(String expression) {
            Matcher m = CRON.matcher(expression);
            if (!m.matches()) {
                throw new AssertionError("not a six-field cron() expression: " + expression);
            }
            int minute = field(m.group(1), 59, expression);
            int hour = field(m.group(2), 23, expression);
            String dom = m.group(3);
            String dow = m.group(5);
            if (!m.group(4).equals("*") || !m.group(6).equals("*")) {
                throw new AssertionError("month and year must be *: " + expression);
            }
            // Scheduler refuses '*' or a value in both day fields: exactly one of them is '?'.
            if (dom.equals("?") == dow.equals("?")) {
                throw new AssertionError("exactly one of day-of-month and day-of-week must be '?': " + expression);
            }
            Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
            if (!dow.equals("?") && !dow.equals("*")) {
                days = EnumSet.noneOf(DayOfWeek.class);
                for (String name : dow.split(",", -1)) {
                    int index = DAY_NAMES.indexOf(name);
                    if (index < 0 || !days.add(DayOfWeek.of(index + 1))) {
                        throw new AssertionError("bad or repeated day '" + name + "': " + expression);
                    }
                }
            }
            if (!dom.equals("?") && !dom.equals("*") && !dom.equals("L")) {
                field(dom, 31, expression);
                if (dom.equals("0")) {
                    throw new AssertionError("day-of-month starts at 1: " + expression);
                }
            }
            return new Cron(LocalTime.of(hour, minute), dom, days);
        }

        boolean matches(LocalDate day) {
            if (!daysOfWeek.contains(day.getDayOfWeek())) {
                return false;
            }
            return switch (dayOfMonth) {
                case "?", "*" -> true;
                case "L" -> day.getDayOfMonth() == day.lengthOfMonth();
                default -> day.getDayOfMonth() == Integer.parseInt(dayOfMonth);
            };
        }

        private static int field(String text, int max, String expression) {
            if (!NUMBER.matcher(text).matches() || Integer.parseInt(text) > max) {
                throw new AssertionError("'" + text + "' is not a number from 0 to " + max + ": " + expression);
            }
            return Integer.parseInt(text);
        }
    }
}
