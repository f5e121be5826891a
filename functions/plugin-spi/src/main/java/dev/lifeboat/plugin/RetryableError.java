package dev.lifeboat.plugin;

/** A failure that may pass: the workflow retries it with backoff. */
public final class RetryableError extends PluginError {
    private static final long serialVersionUID = 1L;

    public static final String TIMEOUT = "TIMEOUT";
    public static final String SERVER_ERROR = "SERVER_ERROR";
    public static final String THROTTLED = "THROTTLED";
    public static final String SESSION_EXPIRED = "SESSION_EXPIRED";
    public static final String UNREACHABLE = "UNREACHABLE";

    public RetryableError(String code, String message, Throwable cause) {
        super(code, message, cause);
    }

    public RetryableError(String code, String message) {
        this(code, message, null);
    }
}
