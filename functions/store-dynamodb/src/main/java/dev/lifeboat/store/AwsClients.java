package dev.lifeboat.store;

import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;

/**
 * SDK clients for a given environment. In Lambda the environment is the process's and the SDK reads it itself
 * (SnapStart needs its default credential chain). The local runtime hands each function its own environment map;
 * then the standard variables are read from that map: {@code AWS_REGION}, {@code AWS_ENDPOINT_URL_<SERVICE>} (or
 * {@code AWS_ENDPOINT_URL}) and the access keys, exactly as the SDK would read them from the process.
 */
public final class AwsClients {
    private AwsClients() {}

    public static <B extends AwsClientBuilder<B, C>, C> C build(B builder, Map<String, String> env, String serviceVariable) {
        if (!env.equals(System.getenv())) {
            String region = env.get("AWS_REGION");
            if (region != null) {
                builder.region(Region.of(region));
            }
            String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_" + serviceVariable, env.get("AWS_ENDPOINT_URL"));
            if (endpoint != null) {
                builder.endpointOverride(URI.create(endpoint));
            }
            String key = env.get("AWS_ACCESS_KEY_ID");
            String secret = env.get("AWS_SECRET_ACCESS_KEY");
            if (key != null && secret != null) {
                String token = env.get("AWS_SESSION_TOKEN");
                builder.credentialsProvider(StaticCredentialsProvider.create(token == null
                        ? AwsBasicCredentials.create(key, secret) : AwsSessionCredentials.create(key, secret, token)));
            }
        }
        return builder.build();
    }

    /** A client built on first use and then kept: functions that never call a service never build its client. */
    public static <T> java.util.function.Supplier<T> lazy(java.util.function.Supplier<T> build) {
        return new java.util.function.Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = build.get();
                }
                return value;
            }
        };
    }
}
