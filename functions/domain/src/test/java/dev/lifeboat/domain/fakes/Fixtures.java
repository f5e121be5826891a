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
    /** A tenant who may also supply values for DEFINE_IN_VM fields. */
    public static final Caller DEFINER = new Caller("definer", "ent-1", EnumSet.of(Privilege.VAPP_MANAGE_BACKUP, Privilege.VAPP_DEFINE_BACKUP_INFO));
    /** A member of ent-1 without privileges: may read its enterprise's VMs. */
    public static final Caller MEMBER = new Caller("member", "ent-1", EnumSet.noneOf(Privilege.class));
    public static final Caller OTHER_TENANT = new Caller("other", "ent-2",
            EnumSet.of(Privilege.VAPP_MANAGE_BACKUP, Privilege.VAPP_DEFINE_BACKUP_INFO, Privilege.VAPP_RESTORE_BACKUP));
    public static final Caller CLOUD_ADMIN = new Caller("cloud", "ent-admin",
            EnumSet.of(Privilege.ENTERPRISE_ADMINISTER_ALL, Privilege.VAPP_MANAGE_BACKUP, Privilege.VAPP_DEFINE_BACKUP_INFO));

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

    public static dev.lifeboat.domain.vm.VmDraft vm(String enterprise, String datacenter, String state) {
        return new dev.lifeboat.domain.vm.VmDraft(enterprise, datacenter, "VM of " + enterprise, state,
                new dev.lifeboat.domain.vm.Hypervisor("vc.example.com", "vm-42", "4210aaaa-bbbb-cccc-dddd-eeeeffff0000"));
    }

    public static PolicyDraft policy(String code, ConfigurationDraft... configs) {
        return new PolicyDraft("Policy " + code, code, "", List.of(configs));
    }
}
