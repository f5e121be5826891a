package dev.lifeboat.domain.properties;

/** The switches as a request gives them; null where a request left one out. */
public record PropertiesDraft(Boolean multipleRestore, Boolean multipleBackupPolicies, Boolean updateWhenDeployed, Boolean backupNow) {}
