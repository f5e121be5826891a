package dev.lifeboat.local.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers with the event it got as the JSON body; a few environment values travel back as headers. */
public class EchoHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, String> environment;

    public EchoHandler(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String event = new String(input.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        context.getLogger().log("echo " + context.getAwsRequestId());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("x-log-level", environment.getOrDefault("LOG_LEVEL", ""));
        headers.put("x-stage", environment.getOrDefault("STAGE", ""));
        headers.put("x-table-name", environment.getOrDefault("TABLE_NAME", ""));
        headers.put("x-dynamodb-endpoint", environment.getOrDefault("AWS_ENDPOINT_URL_DYNAMODB", ""));
        headers.put("x-function-name", context.getFunctionName());
        headers.put("x-remaining-ms", Integer.toString(context.getRemainingTimeInMillis()));
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("statusCode", 200);
        response.put("headers", headers);
        response.put("body", event);
        response.put("isBase64Encoded", false);
        JSON.writeValue(output, response);
    }
}
