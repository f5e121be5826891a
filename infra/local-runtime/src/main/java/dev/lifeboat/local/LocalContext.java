package dev.lifeboat.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The Lambda {@link Context} of one local invocation; the function name is the template's logical id. */
final class LocalContext implements Context {

    private final String functionName;
    private final String requestId;
    private final int memoryMb;
    private final long deadlineMillis;
    private final LambdaLogger logger;

    LocalContext(String functionName, String requestId, int memoryMb, int timeoutSeconds, PrintStream stderr) {
        this.functionName = functionName;
        this.requestId = requestId;
        this.memoryMb = memoryMb;
        this.deadlineMillis = System.currentTimeMillis() + timeoutSeconds * 1000L;
        this.logger = new StderrLogger(functionName, stderr);
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
        return LocalEnvironment.functionArn(functionName);
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
        return (int) Math.max(0, deadlineMillis - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    /** Prefixes each entry with the function, since all functions share one terminal here. */
    private static final class StderrLogger implements LambdaLogger {
        private final String prefix;
        private final PrintStream stderr;

        StderrLogger(String functionName, PrintStream stderr) {
            this.prefix = "[" + functionName + "] ";
            this.stderr = stderr;
        }

        @Override
        public void log(String message) {
            stderr.print(prefix + message + (message.endsWith("\n") ? "" : "\n"));
        }

        @Override
        public void log(byte[] message) {
            log(new String(message, StandardCharsets.UTF_8));
        }
    }
}
