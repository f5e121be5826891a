package dev.lifeboat.workflowruntime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A test handler written as a function of JSON, served as the {@link RequestStreamHandler} Lambda would run. */
@FunctionalInterface
interface JsonHandler {
    ObjectMapper JSON = new ObjectMapper();

    Object handle(JsonNode input, Context context) throws Exception;

    static RequestStreamHandler of(JsonHandler handler) {
        return (in, out, context) -> {
            Object answer;
            try {
                answer = handler.handle(JSON.readTree(in), context);
            } catch (RuntimeException | java.io.IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            JSON.writeValue(out, answer);
        };
    }
}
