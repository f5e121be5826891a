package dev.lifeboat.plugin;

/**
 * A failure a plugin reports. The class name is the stable error name that Step Functions' {@code Retry} and
 * {@code Catch} match (Lambda reports the exception's class as {@code errorType}); {@link #code()} says which case it
 * is, and the message is written for the person who reads the failed backup.
 */
public abstract sealed class PluginError extends RuntimeException permits RetryableError, TerminalError {
    private static final long serialVersionUID = 1L;
    private final String code;

    PluginError(String code, String message, Throwable cause) {
        super(message, cause, false, true);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** What Lambda puts in {@code errorMessage}: the code first, so a Catch's Cause is readable on its own. */
    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }

    public String detail() {
        return super.getMessage();
    }
}
