package dev.lifeboat.workflowruntime;

/** A test handler's final failure; workflows name it by its full class name in Catch. */
public class SomethingTerminal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SomethingTerminal(String message) {
        super(message);
    }
}
