package dev.lifeboat.domain.common;

/** The outcome of a create-or-replace: the stored value and whether it was created (201) or replaced (200). */
public record Saved<T>(T value, boolean created) {}
