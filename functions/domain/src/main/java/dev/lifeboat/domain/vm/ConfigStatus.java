package dev.lifeboat.domain.vm;

/**
 * {@code APPLIED}: in force. {@code PENDING}: the apply-schedule workflow is taking it to the backup system.
 * {@code FAILED}: the backup system refused the last change; the configuration before it is in force again.
 */
public enum ConfigStatus { APPLIED, PENDING, FAILED }
