package dev.lifeboat.plugin;

import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.SecretRef;
import java.time.Instant;

/** The things a command names. Each is small and carries no secret: the password is named by {@link SecretRef}. */
public final class Refs {
    private Refs() {}

    /**
     * A backup manager as a plugin needs it.
     *
     * @param caBundlePem trusted CA certificates for the endpoint's TLS, PEM; null: the JVM's trust store
     * @param insecureTls skip TLS verification (labs only; off unless the manager says so)
     */
    public record Manager(String datacenter, ManagerType type, String endpoint, String user, SecretRef secretRef,
                          String caBundlePem, boolean insecureTls) {}

    /** A VM as the cloud platform knows it; the hypervisor references find it in the backup system. */
    public record Vm(String id, String name, String vcenter, String moref, String uuid, boolean allocated) {}

    /** A Lifeboat policy, matched to the backup system's job or protection policy by its code. */
    public record Policy(String id, String code) {}

    /** A job the backup system runs; {@code ref} is the backup system's own handle (a task, job or session URL). */
    public record Job(Kind kind, String ref, Instant startedAt) {
        public enum Kind { BACKUP, RESTORE }
    }

    /**
     * The Lifeboat backup or restore a start command serves: its id, and when Lifeboat began it (before any attempt of
     * the start). A start retried after its answer was lost looks for a job of the VM since then and adopts it.
     */
    public record Run(String id, Instant since) {}

    /** A restore point in the backup system. */
    public record RestorePoint(String ref, Instant createdAt, Long sizeBytes) {}

    public enum RestoreMode { IN_PLACE, NEW_VM }
}
