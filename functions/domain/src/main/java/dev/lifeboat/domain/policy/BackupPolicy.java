package dev.lifeboat.domain.policy;

import dev.lifeboat.domain.schedule.BackupConfiguration;
import dev.lifeboat.domain.schedule.Subtype;
import java.time.Instant;
import java.util.List;

/**
 * A backup policy published in a datacenter. {@code inUse} is true while any VM selects it; the VM registry keeps
 * that count, and while it is non-zero only the name, code and description may change.
 */
public record BackupPolicy(
        String datacenter,
        String id,
        String name,
        String code,
        String description,
        List<BackupConfiguration> configurations,
        boolean inUse,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    public BackupPolicy {
        configurations = List.copyOf(configurations);
    }

    public boolean hasDefinedHour() {
        return configurations.stream().anyMatch(c -> c.subtype() == Subtype.DEFINED_HOUR);
    }

    /** Codes are unique ignoring letter case, so the guard is keyed by this form. */
    public static String codeKey(String code) {
        return code.toLowerCase(java.util.Locale.ROOT);
    }
}
