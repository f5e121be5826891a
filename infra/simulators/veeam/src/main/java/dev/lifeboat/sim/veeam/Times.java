package dev.lifeboat.sim.veeam;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** How Veeam writes times. */
final class Times {
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    /** SQL Server's "mon dd yyyy hh:miAM" style, as in restore point names like "Jul  7 2019  8:45PM" [C, captured JSON]. */
    private static final DateTimeFormatter POINT = DateTimeFormatter.ofPattern("MMM ppd yyyy pph:mma", Locale.US).withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** {@code *UTC} elements: ISO-8601 in UTC with a {@code Z}; milliseconds when there are any (VD shows both forms). */
    static String utc(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    /** The time part of session and point names: {@code exch@2013-08-26 22:28:51} [V, VD get_backupsessions_id]. */
    static String name(Instant t) {
        return NAME.format(t);
    }

    static String pointName(Instant t) {
        return POINT.format(t);
    }
}
