package dev.lifeboat.domain.secret;

/** Port to the store of backup-system passwords (AWS Secrets Manager in AWS, a local folder elsewhere). */
public interface SecretStore {
    /** Stores a new version of the named secret, creating it when needed, and answers a reference to that version. */
    SecretRef put(String secretId, Secret value);

    Secret read(SecretRef ref);

    /** Removes the secret and all its versions; a missing secret is not an error. */
    void delete(String secretId);
}
