package dev.lifeboat.domain.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** A calendar moment in a zone, kept with the zone as the user wrote it. */
public record ScheduleDateTime(LocalDateTime dateTime, ZoneId zone, String zoneText) {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm:ss");

    public Instant instant() {
        return dateTime.atZone(zone).toInstant();
    }

    public String format() {
        return FORMAT.format(dateTime) + " " + zoneText;
    }
}
