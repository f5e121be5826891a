package dev.lifeboat.domain.manager;

import dev.lifeboat.domain.secret.SecretRef;
import java.time.Instant;

/**
 * The backup system of one datacenter. The password is not here: only a reference to its version in the secret store.
 */
public record BackupManager(
        String datacenter,
        String id,
        String name,
        ManagerType type,
        String endpoint,
        String user,
        SecretRef password,
        long version,
        Instant createdAt,
        Instant updatedAt) {}
