package dev.lifeboat.domain.manager;

import dev.lifeboat.domain.secret.Secret;

/** A manager as a request gives it, before validation; any field may be null. */
public record ManagerDraft(String name, String type, String endpoint, String user, Secret password) {}
