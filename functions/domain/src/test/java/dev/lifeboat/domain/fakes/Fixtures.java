package dev.lifeboat.domain.fakes;

import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.policy.PolicyDraft;
import dev.lifeboat.domain.policy.PolicyDraft.ConfigurationDraft;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Callers, a fixed clock and readable ids shared by the fast tests. */
public final class Fixtures {
    public static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    public static final Caller ADMIN = new Caller("admin", "ent-admin",
            EnumSet.of(Privilege.PHYS_DC_RETRIEVE_DETAILS, Privilege.PHYS_DC_ALLOW_BACKUP_CONFIG));
    public static final Caller READER = new Caller("reader", "ent-1", EnumSet.of(Privilege.PHYS_DC_RETRIEVE_DETAILS));
    public static final Caller TENANT = new Caller("tenant", "ent-1", EnumSet.of(Privilege.VAPP_MANAGE_BACKUP));

    private Fixtures() {}

    /** Sequential ULID-shaped ids, so tests read well and sort as the real ones do. */
    public static Supplier<String> sequentialIds() {
        AtomicLong n = new AtomicLong();
        return () -> String.format("01J%023d", n.incrementAndGet());
    }

    public static ConfigurationDraft daily(Object time) {
        return new ConfigurationDraft("COMPLETE", "DAILY", time == null ? Map.of() : Map.of("time", time));
    }

    public static ConfigurationDraft config(String subtype, Map<String, Object> fields) {
        return new ConfigurationDraft("COMPLETE", subtype, fields);
    }

    public static PolicyDraft policy(String code, ConfigurationDraft... configs) {
        return new PolicyDraft("Policy " + code, code, "", List.of(configs));
    }
}
