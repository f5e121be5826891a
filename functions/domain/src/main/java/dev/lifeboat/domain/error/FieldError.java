package dev.lifeboat.domain.error;

/** One invalid field of a request: {@code field} is a JSON path such as {@code backupConfigurations[1].time}. */
public record FieldError(String field, String message) {}
