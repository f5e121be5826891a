package dev.lifeboat.plugin;

/** What a workflow or the API asks a plugin to do. */
public enum Operation {
    CHECK_CONNECTION,
    LIST_POLICIES,
    APPLY_SCHEDULE,
    REMOVE_SCHEDULE,
    START_BACKUP,
    START_RESTORE,
    POLL_JOB,
    LIST_RESULTS
}
