package dev.lifeboat.workflowruntime;

/** A test handler's retryable failure; workflows name it by its full class name in Retry. */
public class SomethingTransient extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SomethingTransient(String message) {
        super(message);
    }
}
