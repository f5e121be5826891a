package dev.lifeboat.local.events;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge Scheduler {@code ScheduleExpression}: {@code at(yyyy-mm-ddThh:mm:ss)}, {@code rate(value unit)} or
 * {@code cron(minutes hours day-of-month month day-of-week year)}, read as the service documents them
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html, and the cron and rate references it
 * shares with EventBridge: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html).
 *
 * <p>{@link #parse} throws {@link IllegalArgumentException} with a message for people; the scheduler answers it as
 * a {@code ValidationException}.
 */
public sealed interface ScheduleExpression permits ScheduleExpression.At, ScheduleExpression.Rate, CronExpression {

    /** The time zone when a schedule names none: the Scheduler API reference gives UTC as the default. */
    String DEFAULT_TIMEZONE = "UTC";

    /** The expression as written. */
    String text();

    static ScheduleExpression parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the schedule expression is empty");
        }
        if (text.startsWith("at(")) {
            return At.parse(text);
        }
        if (text.startsWith("rate(")) {
            return Rate.parse(text);
        }
        if (text.startsWith("cron(")) {
            return CronExpression.parse(text);
        }
        throw new IllegalArgumentException("Invalid Schedule Expression " + text
                + ": expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)");
    }

    /**
     * A {@code ScheduleExpressionTimezone}: an IANA name ({@code UTC}, {@code Etc/GMT-4}, {@code Europe/Paris});
     * {@code null} or empty is {@value #DEFAULT_TIMEZONE}. Offsets ({@code +04:00}) and names java.time only knows
     * as aliases are refused, as the service takes names from the tz database.
     */
    static ZoneId zone(String timezone) {
        if (timezone == null || timezone.isEmpty()) {
            return ZoneId.of(DEFAULT_TIMEZONE);
        }
        if (!ZoneId.getAvailableZoneIds().contains(timezone)) {
            throw new IllegalArgumentException("Invalid time zone " + timezone + ": expected an IANA time zone name");
        }
        return ZoneId.of(timezone);
    }

    /**
     * The instants a local date-time names in a zone, earliest first: none when a spring change skips it, two when
     * an autumn change repeats it.
     */
    static List<Instant> instants(LocalDateTime local, ZoneId zone) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        return offsets.stream().map(local::toInstant).sorted().toList();
    }

    /** A one-time schedule: the local date-time, read in the schedule's time zone. */
    record At(LocalDateTime dateTime, String text) implements ScheduleExpression {
        private static final Pattern SYNTAX =
                Pattern.compile("at\\((\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})\\)");

        static At parse(String text) {
            Matcher m = SYNTAX.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("Invalid Schedule Expression " + text
                        + ": expected at(yyyy-mm-ddThh:mm:ss)");
            }
            try {
                return new At(LocalDateTime.of(num(m, 1), num(m, 2), num(m, 3), num(m, 4), num(m, 5), num(m, 6)),
                        text);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("Invalid Schedule Expression " + text + ": " + e.getMessage());
            }
        }

        /**
         * The instant in {@code zone}. In an autumn overlap the first of the two, as for cron; a time a spring change
         * skips is moved forward by the length of the gap (java.time's rule; the service does not document this
         * case for one-time schedules).
         */
        public Instant instant(ZoneId zone) {
            List<Instant> instants = instants(dateTime, zone);
            return instants.isEmpty() ? ZonedDateTime.ofLocal(dateTime, zone, null).toInstant() : instants.get(0);
        }

        private static int num(Matcher m, int group) {
            return Integer.parseInt(m.group(group));
        }
    }

    /**
     * A fixed interval. A day is 24 hours: Scheduler does not stretch a rate in days over a daylight saving change
     * (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst), so the zone plays no part.
     */
    record Rate(Duration interval, String text) implements ScheduleExpression {
        private static final Pattern SYNTAX = Pattern.compile("rate\\(([1-9]\\d{0,8}) (minute|minutes|hour|hours|day|days)\\)");

        static Rate parse(String text) {
            Matcher m = SYNTAX.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("Invalid Schedule Expression " + text
                        + ": expected rate(value unit), value a positive integer, unit minute(s), hour(s) or day(s)");
            }
            long value = Long.parseLong(m.group(1));
            String unit = m.group(2);
            // The EventBridge rate reference: the unit is singular exactly when the value is 1 (rate(1 hours) and
            // rate(5 hour) are invalid). The Scheduler guide does not repeat the rule; it is kept here so that an
            // expression that works locally works in both services.
            if ((value == 1) != !unit.endsWith("s")) {
                throw new IllegalArgumentException("Invalid Schedule Expression " + text
                        + ": the unit is singular for 1 and plural otherwise, e.g. rate(1 hour), rate(5 hours)");
            }
            ChronoUnit chrono = switch (unit) {
                case "minute", "minutes" -> ChronoUnit.MINUTES;
                case "hour", "hours" -> ChronoUnit.HOURS;
                default -> ChronoUnit.DAYS;
            };
            return new Rate(Duration.of(value, chrono), text);
        }
    }
}
