package dev.lifeboat.bench.baseline;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * The least a Lifeboat function does on a cold start: build a DynamoDB client (in the constructor, as the functions do
 * during Lambda's init phase) and make one GetItem on the first request. Region, endpoint and credentials come from
 * the process environment, read by the SDK itself, as in Lambda. The cold start benchmark divides every function's
 * figure by this one's.
 */
public final class BaselineHandler implements RequestStreamHandler {
    private final DynamoDbClient dynamo;
    private final String table;

    public BaselineHandler() {
        this.dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        this.table = System.getenv("TABLE_NAME");
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        boolean found = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(Map.of("PK", AttributeValue.fromS("COLDSTART#baseline"), "SK", AttributeValue.fromS("NONE")))
                .build()).hasItem();
        output.write(("{\"found\":" + found + "}").getBytes(StandardCharsets.UTF_8));
    }
}
