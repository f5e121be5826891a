package dev.lifeboat.domain.backup;

/** Who asked for a backup: a user (backup now), a Lifeboat schedule, or the backup system's own schedule (found by results sync). */
public enum Trigger { MANUAL, SCHEDULED, DISCOVERED }
