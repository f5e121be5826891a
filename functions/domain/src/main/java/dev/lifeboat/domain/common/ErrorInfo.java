package dev.lifeboat.domain.common;

/** Why something failed, as shown to users: a stable code and a message a person can act on. */
public record ErrorInfo(String code, String message) {}
