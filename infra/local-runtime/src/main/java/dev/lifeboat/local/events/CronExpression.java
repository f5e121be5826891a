package dev.lifeboat.local.events;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * {@code cron(minutes hours day-of-month month day-of-week year)} as the EventBridge cron reference defines it
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html), which Scheduler uses:
 *
 * <pre>
 * field         values               wildcards
 * minutes       0-59                 , - * /
 * hours         0-23                 , - * /
 * day-of-month  1-31                 , - * ? / L W
 * month         1-12 or JAN-DEC      , - * /
 * day-of-week   1-7 or SUN-SAT       , - * ? L #      (1 is Sunday)
 * year          1970-2199            , - * /
 * </pre>
 *
 * One of the two day fields must be {@code ?} and the other not ("you can't specify the Day-of-month and
 * Day-of-week fields in the same cron expression"). {@code L} alone is the last day of the month, or of the week
 * (Saturday); {@code 5L} the month's last Thursday; {@code 3W} the weekday nearest the 3rd within the month;
 * {@code 3#2} the month's second Tuesday, and then the only item of its field. Names are read in any case.
 *
 * <p>Evaluation (see {@link #next}) is minute by minute in the schedule's time zone, with Scheduler's daylight
 * saving rule (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst): a local time a spring change
 * skips does not fire that day; a local time an autumn change repeats fires once, at its first occurrence (which
 * of the two the service picks is not documented).
 */
public final class CronExpression implements ScheduleExpression {
    static final int MIN_YEAR = 1970;
    static final int MAX_YEAR = 2199;
    private static final List<String> MONTHS =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet months;
    private final BitSet years;
    /** Whether a date matches the day field that is not '?'. */
    private final Predicate<LocalDate> day;

    private CronExpression(String text, BitSet minutes, BitSet hours, BitSet months, BitSet years,
            Predicate<LocalDate> day) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.months = months;
        this.years = years;
        this.day = day;
    }

    @Override
    public String text() {
        return text;
    }

    public static CronExpression parse(String text) {
        if (!text.startsWith("cron(") || !text.endsWith(")")) {
            throw invalid(text, "expected cron(fields)");
        }
        String[] fields = text.substring(5, text.length() - 1).trim().split("\\s+");
        if (fields.length != 6) {
            throw invalid(text, "a cron expression has six fields (minutes hours day-of-month month day-of-week "
                    + "year), got " + fields.length);
        }
        String dom = fields[2];
        String dow = fields[4];
        if (dom.equals("?") == dow.equals("?")) {
            throw invalid(text, "exactly one of day-of-month and day-of-week must be '?'");
        }
        try {
            BitSet minutes = values(fields[0], 0, 59, null, true);
            BitSet hours = values(fields[1], 0, 23, null, true);
            BitSet months = values(fields[3], 1, 12, MONTHS, true);
            BitSet years = values(fields[5], MIN_YEAR, MAX_YEAR, null, true);
            Predicate<LocalDate> day = dom.equals("?") ? dayOfWeek(dow) : dayOfMonth(dom);
            return new CronExpression(text, minutes, hours, months, years, day);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
    }

    /**
     * The first fire at or after {@code from}, or {@code null} when there is none up to the end of year
     * {@value #MAX_YEAR}.
     */
    public Instant next(Instant from, ZoneId zone) {
        LocalDateTime start = LocalDateTime.ofInstant(from, zone).truncatedTo(ChronoUnit.MINUTES);
        LocalDate date = start.toLocalDate();
        LocalDate last = LocalDate.of(MAX_YEAR, 12, 31);
        while (!date.isAfter(last)) {
            if (!years.get(date.getYear())) {
                int year = years.nextSetBit(date.getYear() + 1);
                if (year < 0 || year > MAX_YEAR) {
                    return null;
                }
                date = LocalDate.of(year, 1, 1);
                continue;
            }
            if (!months.get(date.getMonthValue())) {
                date = date.with(TemporalAdjusters.firstDayOfNextMonth());
                continue;
            }
            if (day.test(date)) {
                Instant found = firstOn(date, start, from, zone);
                if (found != null) {
                    return found;
                }
            }
            date = date.plusDays(1);
        }
        return null;
    }

    private Instant firstOn(LocalDate date, LocalDateTime start, Instant from, ZoneId zone) {
        for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
            for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
                LocalDateTime local = date.atTime(h, m);
                if (local.isBefore(start)) {
                    continue;
                }
                // Earliest first: none in a spring gap (skipped), the first of two in an autumn overlap.
                List<Instant> instants = ScheduleExpression.instants(local, zone);
                if (!instants.isEmpty() && !instants.get(0).isBefore(from)) {
                    return instants.get(0);
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("Invalid Schedule Expression " + text + ": " + why);
    }

    /**
     * A field of items {@code a}, {@code a-b}, {@code *}, each optionally {@code /step} (when {@code steps}), joined
     * by {@code ,}.
     */
    private static BitSet values(String field, int min, int max, List<String> names, boolean steps) {
        BitSet set = new BitSet(max + 1);
        for (String item : field.split(",", -1)) {
            int slash = item.indexOf('/');
            String range = slash < 0 ? item : item.substring(0, slash);
            int step = 1;
            if (slash >= 0) {
                if (!steps) {
                    throw new IllegalArgumentException("'/' is not allowed in '" + field + "'");
                }
                step = number(item.substring(slash + 1), 1, max, null);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                int dash = range.indexOf('-');
                from = number(range.substring(0, dash), min, max, names);
                to = number(range.substring(dash + 1), min, max, names);
                if (to < from) {
                    throw new IllegalArgumentException("the range '" + range + "' goes backwards");
                }
            } else {
                from = number(range, min, max, names);
                // "a/step" runs from a to the end of the field; a lone value is itself.
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int number(String text, int min, int max, List<String> names) {
        if (names != null) {
            int index = names.indexOf(text.toUpperCase(Locale.ROOT));
            if (index >= 0) {
                return index + 1;
            }
        }
        if (!text.matches("\\d{1,4}")) {
            throw new IllegalArgumentException("'" + text + "' is not a value from " + min + " to " + max);
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException("'" + text + "' is not a value from " + min + " to " + max);
        }
        return value;
    }

    private static Predicate<LocalDate> dayOfMonth(String field) {
        if (field.equals("*")) {
            return date -> true;
        }
        if (field.equals("L")) {
            return date -> date.getDayOfMonth() == date.lengthOfMonth();
        }
        if (field.endsWith("W")) {
            int target = number(field.substring(0, field.length() - 1), 1, 31, null);
            return date -> date.equals(nearestWeekday(date, target));
        }
        BitSet days = values(field, 1, 31, null, true);
        return date -> days.get(date.getDayOfMonth());
    }

    /**
     * The weekday nearest the {@code target} day of the date's month, never leaving the month (a Saturday the 1st
     * moves to Monday the 3rd, a Sunday the last to the Friday before), as cron's W has it; none when the month is
     * shorter than {@code target}.
     */
    private static LocalDate nearestWeekday(LocalDate date, int target) {
        if (target > date.lengthOfMonth()) {
            return null;
        }
        LocalDate day = date.withDayOfMonth(target);
        return switch (day.getDayOfWeek()) {
            case SATURDAY -> target == 1 ? day.plusDays(2) : day.minusDays(1);
            case SUNDAY -> target == day.lengthOfMonth() ? day.minusDays(2) : day.plusDays(1);
            default -> day;
        };
    }

    private static Predicate<LocalDate> dayOfWeek(String field) {
        if (field.equals("*")) {
            return date -> true;
        }
        if (field.equals("L")) {
            // The last day of the week: weeks run Sunday (1) to Saturday (7).
            return date -> date.getDayOfWeek() == DayOfWeek.SATURDAY;
        }
        if (field.contains("#")) {
            int hash = field.indexOf('#');
            DayOfWeek weekday = dayOfWeek(number(field.substring(0, hash), 1, 7, DAYS));
            int nth = number(field.substring(hash + 1), 1, 5, null);
            return date -> date.getDayOfWeek() == weekday && (date.getDayOfMonth() - 1) / 7 + 1 == nth;
        }
        if (field.length() > 1 && field.endsWith("L")) {
            DayOfWeek weekday = dayOfWeek(number(field.substring(0, field.length() - 1), 1, 7, DAYS));
            return date -> date.getDayOfWeek() == weekday && date.getDayOfMonth() + 7 > date.lengthOfMonth();
        }
        BitSet days = values(field, 1, 7, DAYS, false);
        return date -> days.get(cronDay(date.getDayOfWeek()));
    }

    /** Cron's 1..7 is Sunday..Saturday; java.time's 1..7 is Monday..Sunday. */
    private static int cronDay(DayOfWeek day) {
        return day.getValue() % 7 + 1;
    }

    private static DayOfWeek dayOfWeek(int cronDay) {
        return cronDay == 1 ? DayOfWeek.SUNDAY : DayOfWeek.of(cronDay - 1);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CronExpression cron && cron.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
