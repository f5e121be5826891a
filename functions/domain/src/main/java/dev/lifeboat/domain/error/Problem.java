package dev.lifeboat.domain.error;

/** What kind of answer a refused request gets; the API maps each kind to one HTTP status. */
public enum Problem {
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    PRECONDITION_FAILED,
    PAYLOAD_TOO_LARGE,
    VALIDATION_FAILED,
    SERVICE_UNAVAILABLE
}
