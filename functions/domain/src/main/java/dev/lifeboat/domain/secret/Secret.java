package dev.lifeboat.domain.secret;

/**
 * A password on its way to the secret store. It never prints itself, so a secret that reaches a log line,
 * an exception message or a JSON answer by mistake shows as {@code [redacted]}.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = java.util.Objects.requireNonNull(value);
    }

    /** The clear text, for the secret store and the plugin that logs on with it, and nobody else. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "[redacted]";
    }
}
