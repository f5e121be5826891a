package dev.lifeboat.local.template;

/** A template value that the local resolver cannot turn into text; the message names the reference. */
public class UnresolvableReferenceException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String reference;

    public UnresolvableReferenceException(String reference, String message) {
        super(message);
        this.reference = reference;
    }

    /** The name that could not be resolved, e.g. {@code BackupStateMachine.Arn} or {@code Fn::If}. */
    public String reference() {
        return reference;
    }
}
