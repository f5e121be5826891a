package dev.lifeboat.workflow;

/** A task cannot succeed however often it runs (it names something that does not exist, or a bad input). */
public final class TerminalTaskError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TerminalTaskError(String message) {
        super(message, null, false, false);
    }
}
