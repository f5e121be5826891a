package dev.lifeboat.domain.properties;

/** Port: where datacenter properties are kept. */
public interface PropertiesRepository {
    /** The stored properties, or the defaults at version 0. */
    BackupProperties findProperties(String datacenter);

    /** Writes when the stored version is {@code expectedVersion} (0: none stored); VERSION_MISMATCH otherwise. */
    void saveProperties(BackupProperties properties, long expectedVersion);
}
