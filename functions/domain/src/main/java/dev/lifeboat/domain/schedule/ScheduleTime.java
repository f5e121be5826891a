package dev.lifeboat.domain.schedule;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** A time of day in a zone, kept with the zone as the user wrote it (an offset or an IANA name). */
public record ScheduleTime(LocalTime time, ZoneId zone, String zoneText) {
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");

    public String format() {
        return HMS.format(time) + " " + zoneText;
    }
}
