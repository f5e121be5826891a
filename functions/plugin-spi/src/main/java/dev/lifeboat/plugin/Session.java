package dev.lifeboat.plugin;

import dev.lifeboat.domain.secret.Secret;

/** A manager and its password for the length of one command; never serialised. */
public record Session(Refs.Manager manager, Secret password) {

    /** The backup-system part of split credentials (NETWORKER, VEEAM_SNAPSHOT), or the whole value. */
    public String backupUser(String separator) {
        return first(manager.user(), separator);
    }

    public String backupPassword(String separator) {
        return first(password.reveal(), separator);
    }

    /** The vCenter part of split credentials, all of a VMWARE_SNAPSHOT manager's; null when the manager has none. */
    public String vcenterUser(String separator) {
        return second(manager.user(), separator);
    }

    public String vcenterPassword(String separator) {
        return second(password.reveal(), separator);
    }

    private String first(String value, String separator) {
        if (!manager.type().splitsCredentials()) return value;
        int at = value.indexOf(separator);
        return at < 0 ? value : value.substring(0, at);
    }

    private String second(String value, String separator) {
        if (manager.type() == dev.lifeboat.domain.manager.ManagerType.VMWARE_SNAPSHOT) return value;
        if (!manager.type().splitsCredentials()) return null;
        int at = value.indexOf(separator);
        return at < 0 ? null : value.substring(at + separator.length());
    }
}
