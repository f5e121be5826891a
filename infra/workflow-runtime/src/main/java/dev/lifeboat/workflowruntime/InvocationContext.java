package dev.lifeboat.workflowruntime;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The Lambda {@link Context} of one local invocation (through {@link LambdaInvokeServer}, or the local runtime's HTTP
 * API): what handlers actually read. Log entries are prefixed with the function, since all functions share a terminal.
 */
public final class InvocationContext implements Context {

    private final String functionName;
    private final String invokedArn;
    private final String requestId;
    private final int memoryMb;
    private final long deadlineNanos;
    private final LambdaLogger logger;

    InvocationContext(String functionName, String invokedArn, String requestId, Duration timeout) {
        this(functionName, invokedArn, requestId, 512, timeout, System.err);
    }

    public InvocationContext(String functionName, String invokedArn, String requestId, int memoryMb, Duration timeout, PrintStream log) {
        this.functionName = functionName;
        this.invokedArn = invokedArn;
        this.requestId = requestId;
        this.memoryMb = memoryMb;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.logger = new PrefixedLogger("[" + functionName + "] ", log);
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/[$LATEST]local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return invokedArn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    private record PrefixedLogger(String prefix, PrintStream log) implements LambdaLogger {
        @Override
        public void log(String message) {
            log.print(prefix + message + (message.endsWith("\n") ? "" : "\n"));
        }

        @Override
        public void log(byte[] message) {
            log(new String(message, StandardCharsets.UTF_8));
        }
    }
}
