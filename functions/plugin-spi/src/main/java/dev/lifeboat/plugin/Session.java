package dev.lifeboat.plugin;

import dev.lifeboat.domain.secret.Secret;
import java.time.Duration;
import java.time.Instant;

/**
 * A manager and its password for the length of one command; never serialised.
 *
 * @param deadline when the command must have answered: the Lambda's remaining time less a margin, so retries inside the
 *                 plugin ({@link TransientRetry}) end before Lambda ends the invocation
 * @param run      the backup or restore a start serves, so a retried start adopts the job it started already; null
 *                 for every other command
 */
public record Session(Refs.Manager manager, Secret password, Instant deadline, Refs.Run run) {
    /** The budget of a command run without a Lambda context (command line, tests). */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(50);

    public Session(Refs.Manager manager, Secret password) {
        this(manager, password, Instant.now().plus(DEFAULT_BUDGET), null);
    }

    /** Retries of this command's requests, until its deadline. */
    public TransientRetry retry() {
        return TransientRetry.until(deadline);
    }

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
