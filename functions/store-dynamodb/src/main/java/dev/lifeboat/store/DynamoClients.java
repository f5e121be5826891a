package dev.lifeboat.store;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * DynamoDB clients with the URL connection HTTP client (no Apache or Netty: faster cold starts). In Lambda the region
 * and credentials come from the environment; a local endpoint comes only from {@code AWS_ENDPOINT_URL_DYNAMODB},
 * which the SDK reads itself.
 */
public final class DynamoClients {
    private DynamoClients() {}

    public static DynamoDbClient fromEnvironment() {
        return DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder().build())
                .build();
    }

    /** For tests and tools that talk to a local endpoint, which takes any credentials. */
    public static DynamoDbClient forEndpoint(URI endpoint) {
        return local(endpoint).build();
    }

    /** As {@link #forEndpoint(URI)}, with {@code watcher} seeing every request (tests and benchmarks count them). */
    public static DynamoDbClient forEndpoint(URI endpoint, ExecutionInterceptor watcher) {
        return local(endpoint).overrideConfiguration(c -> c.addExecutionInterceptor(watcher)).build();
    }

    private static DynamoDbClientBuilder local(URI endpoint) {
        return DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
    }
}
