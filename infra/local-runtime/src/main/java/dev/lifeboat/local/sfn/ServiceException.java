package dev.lifeboat.local.sfn;

/**
 * An error as Step Functions answers it: HTTP 400 (unless said otherwise) with {@code {"__type": type, "message":
 * message}}. The SDKs pick the exception class from {@code __type}; the real service prefixes it with a namespace
 * ({@code com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists}), which the SDKs strip, so the bare name is
 * enough.
 */
final class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String type;
    private final int status;

    ServiceException(String type, String message) {
        this(400, type, message);
    }

    ServiceException(int status, String type, String message) {
        super(message);
        this.type = type;
        this.status = status;
    }

    String type() {
        return type;
    }

    int status() {
        return status;
    }

    /** The service's own wording for a parameter that breaks a model constraint (it names the value and member). */
    static ServiceException validation(String member, Object value, String constraint) {
        return new ServiceException("ValidationException", "1 validation error detected: Value "
                + (value == null ? "null" : "'" + value + "'") + " at '" + member
                + "' failed to satisfy constraint: " + constraint);
    }
}
