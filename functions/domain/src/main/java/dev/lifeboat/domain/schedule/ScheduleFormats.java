package dev.lifeboat.domain.schedule;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the schedule value formats of the contract. Each throws {@link IllegalArgumentException} with a
 * message that names the expected format, so the caller can show it to the user as is.
 */
public final class ScheduleFormats {
    private static final Pattern TIME = Pattern.compile("(\\d{2}):(\\d{2}):(\\d{2}) (\\S+)");
    private static final Pattern DATE_TIME = Pattern.compile("(\\d{4})/(\\d{2})/(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\S+)");
    private static final Pattern OFFSET = Pattern.compile("([+-])(\\d{2})(\\d{2})");
    private static final Pattern HOURS = Pattern.compile("\\d{1,2}");
    private static final Set<String> ZONE_NAMES = ZoneId.getAvailableZoneIds();

    public static final String TIME_FORMAT = "HH:mm:ss +HHMM or HH:mm:ss <IANA zone>, e.g. 01:02:03 +0400 or 01:02:03 Europe/Madrid";
    public static final String DATE_TIME_FORMAT = "yyyy/MM/dd HH:mm:ss +HHMM or with an IANA zone, e.g. 2027/12/24 22:30:00 +0100";

    private ScheduleFormats() {}

    public static ScheduleTime parseTime(String text) {
        Matcher m = TIME.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be " + TIME_FORMAT);
        }
        LocalTime time = timeOf(m.group(1), m.group(2), m.group(3), TIME_FORMAT);
        String zoneText = m.group(4);
        return new ScheduleTime(time, zone(zoneText), zoneText);
    }

    public static ScheduleDateTime parseDateTime(String text) {
        Matcher m = DATE_TIME.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be " + DATE_TIME_FORMAT);
        }
        LocalDate date;
        try {
            date = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("is not a calendar date: " + m.group(1) + "/" + m.group(2) + "/" + m.group(3));
        }
        LocalTime time = timeOf(m.group(4), m.group(5), m.group(6), DATE_TIME_FORMAT);
        String zoneText = m.group(7);
        return new ScheduleDateTime(LocalDateTime.of(date, time), zone(zoneText), zoneText);
    }

    /** Hours between complete backups of an HOURLY schedule: 1..23 (24 would be DAILY). */
    public static int parseHours(String text) {
        if (!HOURS.matcher(text).matches()) {
            throw new IllegalArgumentException("must be a whole number of hours from 1 to 23");
        }
        int hours = Integer.parseInt(text);
        if (hours < 1 || hours > 23) {
            throw new IllegalArgumentException("must be a whole number of hours from 1 to 23");
        }
        return hours;
    }

    /** Week days in any letter case; answers them lower case in week order. Duplicates are refused. */
    public static List<String> parseDays(List<String> days) {
        if (days.isEmpty()) {
            throw new IllegalArgumentException("must name at least one day, monday to sunday");
        }
        EnumSet<DayOfWeek> seen = EnumSet.noneOf(DayOfWeek.class);
        for (String day : days) {
            DayOfWeek d;
            try {
                d = DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + day + "' is not a day: use monday, tuesday, wednesday, thursday, friday, saturday or sunday");
            }
            if (!seen.add(d)) {
                throw new IllegalArgumentException("names " + d.name().toLowerCase(Locale.ROOT) + " twice");
            }
        }
        List<String> out = new ArrayList<>();
        seen.forEach(d -> out.add(d.name().toLowerCase(Locale.ROOT)));
        return out;
    }

    private static LocalTime timeOf(String h, String m, String s, String format) {
        int hour = Integer.parseInt(h);
        int minute = Integer.parseInt(m);
        int second = Integer.parseInt(s);
        if (hour > 23 || minute > 59 || second > 59) {
            throw new IllegalArgumentException("has an impossible time of day " + h + ":" + m + ":" + s + "; must be " + format);
        }
        return LocalTime.of(hour, minute, second);
    }

    /** An offset {@code +HHMM} from -1200 to +1400 (the offsets in use on Earth), or an IANA zone name. */
    static ZoneId zone(String text) {
        Matcher m = OFFSET.matcher(text);
        if (m.matches()) {
            int hours = Integer.parseInt(m.group(2));
            int minutes = Integer.parseInt(m.group(3));
            int sign = m.group(1).equals("-") ? -1 : 1;
            int total = sign * (hours * 60 + minutes);
            if (minutes > 59 || total < -12 * 60 || total > 14 * 60) {
                throw new IllegalArgumentException("has an impossible offset " + text + "; offsets go from -1200 to +1400");
            }
            return ZoneOffset.ofTotalSeconds(total * 60);
        }
        if (text.contains("/") || text.equals("UTC")) {
            if (ZONE_NAMES.contains(text)) {
                return ZoneId.of(text);
            }
            throw new IllegalArgumentException("names an unknown time zone " + text + "; use an IANA name such as Europe/Madrid");
        }
        throw new IllegalArgumentException("has no valid time zone '" + text + "'; use an offset such as +0400 or an IANA name such as Europe/Madrid");
    }
}
