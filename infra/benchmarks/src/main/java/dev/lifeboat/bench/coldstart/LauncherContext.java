package dev.lifeboat.bench.coldstart;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/**
 * The {@link Context} {@link LambdaLauncher} hands the handler, filled from the variables Lambda sets (the benchmark
 * sets them the same way). Also its own logger, so that the launcher needs no further class.
 */
public final class LauncherContext implements Context, LambdaLogger {
    private final long deadline;

    /** The remaining time counts down from the function's Timeout, which the benchmark passes in a variable of its own. */
    LauncherContext() {
        this.deadline = System.currentTimeMillis() + 1000L * Integer.parseInt(env("LIFEBOAT_COLDSTART_TIMEOUT", "15"));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    @Override
    public String getAwsRequestId() {
        return "00000000-0000-4000-8000-000000000001";
    }

    @Override
    public String getLogGroupName() {
        return env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/coldstart");
    }

    @Override
    public String getLogStreamName() {
        return "coldstart";
    }

    @Override
    public String getFunctionName() {
        return env("AWS_LAMBDA_FUNCTION_NAME", "coldstart");
    }

    @Override
    public String getFunctionVersion() {
        return env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:" + env("AWS_REGION", "us-east-1") + ":123456789012:function:" + getFunctionName();
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
        return (int) Math.max(0, deadline - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
        return Integer.parseInt(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"));
    }

    @Override
    public LambdaLogger getLogger() {
        return this;
    }

    @Override
    public void log(String message) {
        System.out.print(message);
    }

    @Override
    public void log(byte[] message) {
        System.out.print(new String(message, StandardCharsets.UTF_8));
    }
}
