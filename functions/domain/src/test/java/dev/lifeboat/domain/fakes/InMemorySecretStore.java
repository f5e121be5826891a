package dev.lifeboat.domain.fakes;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.domain.secret.SecretStore;
import java.util.HashMap;
import java.util.Map;

/** Secrets in memory, for fast domain tests only. */
public final class InMemorySecretStore implements SecretStore {
    private final Map<String, Map<String, String>> versions = new HashMap<>();
    private int counter;

    @Override
    public synchronized SecretRef put(String secretId, Secret value) {
        String version = "v" + (++counter);
        versions.computeIfAbsent(secretId, k -> new HashMap<>()).put(version, value.reveal());
        return new SecretRef(secretId, version);
    }

    @Override
    public synchronized Secret read(SecretRef ref) {
        Map<String, String> v = versions.get(ref.secretId());
        if (v == null || !v.containsKey(ref.versionId())) {
            throw new IllegalStateException("no secret " + ref.secretId() + " at version " + ref.versionId());
        }
        return new Secret(v.get(ref.versionId()));
    }

    @Override
    public synchronized void delete(String secretId) {
        versions.remove(secretId);
    }

    public synchronized boolean exists(String secretId) {
        return versions.containsKey(secretId);
    }

    public synchronized int secretCount() {
        return versions.size();
    }
}
