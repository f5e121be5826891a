package dev.lifeboat.domain.identity;

import java.util.Optional;

/** Privilege tags carried by the {@code priv} claim of a token. */
public enum Privilege {
    PHYS_DC_RETRIEVE_DETAILS,
    PHYS_DC_ALLOW_BACKUP_CONFIG,
    ENTERPRISE_ADMINISTER_ALL,
    VAPP_MANAGE_BACKUP,
    VAPP_DEFINE_BACKUP_INFO,
    VAPP_RESTORE_BACKUP;

    /** Tags this version does not know are ignored, so a platform may add its own without breaking Lifeboat. */
    public static Optional<Privilege> fromTag(String tag) {
        for (Privilege p : values()) {
            if (p.name().equals(tag)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
