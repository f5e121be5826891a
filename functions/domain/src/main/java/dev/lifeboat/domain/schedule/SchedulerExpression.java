package dev.lifeboat.domain.schedule;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An EventBridge Scheduler schedule: its {@code ScheduleExpression} ({@code at(..)}, {@code rate(..)} or
 * {@code cron(..)}) and its {@code ScheduleExpressionTimezone}, for the backup systems that do not schedule by
 * themselves (VMWARE_SNAPSHOT), where Lifeboat runs the schedule.
 *
 * <p>Facts of the service that shape the expressions, from the Scheduler user guide
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html) and the cron and rate references it
 * shares with EventBridge (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html):
 * <ul>
 *   <li>Every schedule fires with 60-second precision, and cron has no seconds field: the seconds of
 *       {@code HH:mm:ss} are dropped (truncated, not rounded, so the backup runs in the minute the user wrote).
 *       {@code at(..)} has a seconds field and keeps them; the service still fires within that minute.</li>
 *   <li>The time zone is an IANA name. A fixed offset {@code +HHMM} of whole hours is the zone {@code Etc/GMT-H}:
 *       POSIX inverts the sign, so +0400 is {@code Etc/GMT-4} and -0300 is {@code Etc/GMT+3}; +0000 is
 *       {@code UTC}, the service's default zone. There is no Etc zone for an offset with minutes (+0530, +0545,
 *       -0930): the schedule is moved to UTC instead, which is exact because a fixed offset has no daylight saving
 *       time. Its day may move with it: a weekly schedule's days shift by one, and a monthly schedule on day 1 runs
 *       on the last day of the previous month ({@code L} in day-of-month) or on day 2.</li>
 *   <li>An IANA zone is kept as the user gave it, so the schedule follows its daylight saving time; the service
 *       skips a time that a spring change jumps over and runs once in the hour that an autumn change repeats
 *       (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst).</li>
 * </ul>
 */
public record SchedulerExpression(String expression, String timezone) {
    public static final String UTC = "UTC";

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final int MINUTES_PER_DAY = 24 * 60;

    /** The schedule of a subtype whose every field Lifeboat knows; values in the canonical form of {@link Setting}. */
    static SchedulerExpression of(Subtype subtype, Map<String, Object> values) {
        return switch (subtype) {
            case DEFINED_HOUR -> at(ScheduleFormats.parseDateTime((String) values.get(Subtype.Field.DATE_TIME)));
            case HOURLY -> everyHours(ScheduleFormats.parseHours((String) values.get(Subtype.Field.HOURS)));
            case DAILY -> daily(ScheduleFormats.parseTime((String) values.get(Subtype.Field.TIME)));
            case WEEKLY_PLANNED -> weekly(days(values.get(Subtype.Field.DAYS)), ScheduleFormats.parseTime((String) values.get(Subtype.Field.TIME)));
            case MONTHLY -> monthly(ScheduleFormats.parseTime((String) values.get(Subtype.Field.TIME)));
        };
    }

    /** A one-time schedule at the moment, in its zone; a moment at an offset with minutes is moved to UTC. */
    public static SchedulerExpression at(ScheduleDateTime moment) {
        LocalDateTime dateTime = moment.dateTime();
        String timezone = moment.zoneText();
        if (moment.zone() instanceof ZoneOffset offset) {
            timezone = etcZone(offset);
            if (timezone == null) {
                dateTime = moment.dateTime().atOffset(offset).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
                timezone = UTC;
            }
        }
        return new SchedulerExpression("at(" + AT.format(dateTime) + ")", timezone);
    }

    /**
     * Every {@code hours} hours, counted from the schedule's start, so the zone plays no part: the answer says UTC,
     * the service's default. A value of 1 takes the singular unit: the EventBridge rate reference refuses
     * {@code rate(1 hours)}, and the Scheduler API reference lists {@code hour} among the units (its user guide
     * shows only plurals), so {@code rate(1 hour)} is the form both accept.
     */
    public static SchedulerExpression everyHours(int hours) {
        if (hours < 1) {
            throw new IllegalArgumentException("an interval is at least one hour: " + hours);
        }
        return new SchedulerExpression(hours == 1 ? "rate(1 hour)" : "rate(" + hours + " hours)", UTC);
    }

    /** Every day at the time. */
    public static SchedulerExpression daily(ScheduleTime time) {
        Placed p = place(time);
        return cron(p, "*", "?");
    }

    /** On the days (monday..sunday, any order) at the time. */
    public static SchedulerExpression weekly(Set<DayOfWeek> days, ScheduleTime time) {
        if (days.isEmpty()) {
            throw new IllegalArgumentException("a weekly schedule needs at least one day");
        }
        Placed p = place(time);
        EnumSet<DayOfWeek> shifted = EnumSet.noneOf(DayOfWeek.class);
        days.forEach(d -> shifted.add(d.plus(p.dayShift())));
        // EnumSet iterates Monday first, the order the contract uses for days.
        String names = shifted.stream().map(d -> d.name().substring(0, 3)).collect(Collectors.joining(","));
        return cron(p, "?", names);
    }

    /**
     * Monthly at the time. The contract leaves the day of the month to the backup system; where Lifeboat itself
     * schedules (VMWARE_SNAPSHOT) it runs on day 1.
     */
    public static SchedulerExpression monthly(ScheduleTime time) {
        Placed p = place(time);
        String day = switch (p.dayShift()) {
            case -1 -> "L"; // day 1 east of UTC can be the previous day there: the last of the previous month
            case 1 -> "2";
            default -> "1";
        };
        return cron(p, day, "?");
    }

    private static SchedulerExpression cron(Placed p, String dayOfMonth, String dayOfWeek) {
        // Fields: minutes hours day-of-month month day-of-week year; one of the two day fields must be '?'.
        String fields = p.time().getMinute() + " " + p.time().getHour() + " " + dayOfMonth + " * " + dayOfWeek + " *";
        return new SchedulerExpression("cron(" + fields + ")", p.timezone());
    }

    /** A time of day in the zone the schedule will name, and the days it moved by getting there (-1, 0 or 1). */
    private record Placed(LocalTime time, int dayShift, String timezone) {}

    private static Placed place(ScheduleTime t) {
        LocalTime minute = t.time().truncatedTo(ChronoUnit.MINUTES);
        if (!(t.zone() instanceof ZoneOffset offset)) {
            return new Placed(minute, 0, t.zoneText());
        }
        String etc = etcZone(offset);
        if (etc != null) {
            return new Placed(minute, 0, etc);
        }
        // Offsets are whole minutes (+HHMM), so the time stays a whole minute in UTC.
        int utcMinutes = minute.getHour() * 60 + minute.getMinute() - offset.getTotalSeconds() / 60;
        int dayShift = Math.floorDiv(utcMinutes, MINUTES_PER_DAY);
        LocalTime utc = LocalTime.of(0, 0).plusMinutes(Math.floorMod(utcMinutes, MINUTES_PER_DAY));
        return new Placed(utc, dayShift, UTC);
    }

    /** The Etc zone of a whole-hour offset (sign inverted, as POSIX has it), or null for an offset with minutes. */
    static String etcZone(ZoneOffset offset) {
        int seconds = offset.getTotalSeconds();
        if (seconds % 3600 != 0) {
            return null;
        }
        int hours = seconds / 3600;
        if (hours == 0) {
            return UTC;
        }
        return hours > 0 ? "Etc/GMT-" + hours : "Etc/GMT+" + -hours;
    }

    private static Set<DayOfWeek> days(Object value) {
        EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (Object day : (List<?>) value) {
            days.add(DayOfWeek.valueOf(((String) day).toUpperCase(Locale.ROOT)));
        }
        return days;
    }
}
