package dev.lifeboat.api;

import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.events.EventBridgePublisher;
import dev.lifeboat.store.AwsClients;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The bus of {@code EVENT_BUS_NAME}, where a backup or restore that no workflow could start is published as FAILED.
 * Only {@code api-backup-lambda.jar} carries this class and the EventBridge SDK; {@link WorkflowPorts} reaches it.
 */
final class EventBridgeEvents {
    private EventBridgeEvents() {}

    private static final Map<Map<String, String>, Supplier<EventBridgeClient>> CLIENTS = new ConcurrentHashMap<>();

    /** The client is built when an event is published, or by {@link #prime}. */
    static EventPublisher fromEnvironment(Map<String, String> env) {
        return EventBridgePublisher.fromEnvironment(env, client(env));
    }

    static void prime(Map<String, String> env) {
        client(env).get();
    }

    private static Supplier<EventBridgeClient> client(Map<String, String> env) {
        return CLIENTS.computeIfAbsent(Map.copyOf(env), e -> AwsClients.lazy(() -> AwsClients.build(
                EventBridgeClient.builder().httpClient(UrlConnectionHttpClient.create()), e, "EVENTBRIDGE")));
    }
}
