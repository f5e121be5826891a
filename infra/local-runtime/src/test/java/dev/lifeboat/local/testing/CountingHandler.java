package dev.lifeboat.local.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A RequestHandler with only a no-arg constructor; counts how often it is constructed and called. */
public class CountingHandler implements RequestHandler<Map<String, Object>, Object> {

    public static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    private final int instance;
    private int calls;

    public CountingHandler() {
        instance = CONSTRUCTED.incrementAndGet();
    }

    @Override
    public Object handleRequest(Map<String, Object> event, Context context) {
        calls++;
        String path = (String) event.get("rawPath");
        switch (path) {
            case "/plain":
                return Map.of("hello", "world");
            case "/boom":
                throw new IllegalStateException("boom");
            case "/structured": {
                Map<String, Object> response = new LinkedHashMap<>();
                response.put("statusCode", 201);
                response.put("headers", Map.of("x-a", 1, "content-type", "application/octet-stream"));
                response.put("cookies", List.of("a=1; Path=/", "b=2"));
                response.put("body", Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 0xff}));
                response.put("isBase64Encoded", true);
                return response;
            }
            default: {
                Map<String, Object> response = new LinkedHashMap<>();
                response.put("statusCode", 200);
                response.put("headers", Map.of("content-type", "application/json"));
                response.put("body", "{\"instance\":" + instance + ",\"calls\":" + calls + ",\"constructed\":"
                        + CONSTRUCTED.get() + ",\"bodyBytes\":" + bodyBytes(event) + "}");
                return response;
            }
        }
    }

    private static int bodyBytes(Map<String, Object> event) {
        Object body = event.get("body");
        if (body == null) {
            return 0;
        }
        return Boolean.TRUE.equals(event.get("isBase64Encoded"))
                ? Base64.getDecoder().decode((String) body).length
                : ((String) body).getBytes(StandardCharsets.UTF_8).length;
    }
}
