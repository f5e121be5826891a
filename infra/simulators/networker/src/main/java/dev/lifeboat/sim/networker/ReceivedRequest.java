package dev.lifeboat.sim.networker;

import java.time.Instant;

/**
 * A request that reached the simulator's handler, with the status it was answered. Requests the fault switch failed or
 * dropped never reach the handler and are not listed. {@code query} is decoded ({@code +} becomes a space).
 */
public record ReceivedRequest(Instant at, String method, String path, String query, String body, int status) {
}
