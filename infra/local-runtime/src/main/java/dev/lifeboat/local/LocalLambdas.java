package dev.lifeboat.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lifeboat.workflowruntime.LambdaInvokeServer;
import java.io.IOException;
import java.util.Map;

/**
 * The Lambda Invoke API over the template's functions (as {@code sam local start-lambda}): the state machines, the
 * connection check and {@code aws lambda invoke --endpoint-url} call the same warm handlers the HTTP API runs.
 * A function's error leaves as Lambda reports it: {@code X-Amz-Function-Error} and the Java error type.
 */
final class LocalLambdas {
    private LocalLambdas() {
    }

    static void register(LambdaInvokeServer server, Map<String, LocalFunction> functions) {
        functions.forEach((name, function) -> server.register(name, handler(function)));
    }

    private static RequestStreamHandler handler(LocalFunction function) {
        return (input, output, context) -> {
            byte[] answer;
            try {
                answer = function.invoke(input.readAllBytes(), context.getAwsRequestId());
            } catch (RuntimeException | IOException e) {
                throw e;
            } catch (Exception e) {
                // A handler that could not be loaded: Lambda reports such a failure as the function's error too.
                throw new IllegalStateException(e.getMessage(), e);
            }
            output.write(answer);
        };
    }
}
