package dev.lifeboat.plugin;

/** A failure that retrying cannot mend: the workflow records it and stops. */
public final class TerminalError extends PluginError {
    private static final long serialVersionUID = 1L;

    public static final String BAD_CREDENTIALS = "BAD_CREDENTIALS";
    public static final String FORBIDDEN = "FORBIDDEN";
    public static final String UNKNOWN_POLICY = "UNKNOWN_POLICY";
    public static final String UNKNOWN_VM = "UNKNOWN_VM";
    public static final String UNKNOWN_JOB = "UNKNOWN_JOB";
    public static final String UNKNOWN_RESTORE_POINT = "UNKNOWN_RESTORE_POINT";
    public static final String UNSUPPORTED = "UNSUPPORTED";
    public static final String REFUSED = "REFUSED";
    public static final String BAD_COMMAND = "BAD_COMMAND";

    public TerminalError(String code, String message, Throwable cause) {
        super(code, message, cause);
    }

    public TerminalError(String code, String message) {
        this(code, message, null);
    }
}
