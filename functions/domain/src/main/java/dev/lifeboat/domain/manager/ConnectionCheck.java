package dev.lifeboat.domain.manager;

/** What the plugin found when it logged on to the backup system. */
public record ConnectionCheck(boolean reachable, boolean authenticated, Long latencyMs, String details) {}
