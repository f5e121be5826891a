package dev.lifeboat.local.sfn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The test Lambda: {@code {"n": 1}} → {@code {"n": 2, "done": false}}, done from 3 on; {@code "fail": true} throws,
 * as a Java handler does, so the Task fails with the exception's class name.
 */
public final class Counter implements RequestStreamHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        JsonNode input = JSON.readTree(in);
        if (input.path("fail").asBoolean()) {
            throw new IllegalStateException("the counter broke at " + input.path("n").asInt());
        }
        int next = input.path("n").asInt() + 1;
        ObjectNode answer = JSON.createObjectNode();
        answer.put("n", next);
        answer.put("done", next >= 3);
        JSON.writeValue(out, answer);
    }
}
