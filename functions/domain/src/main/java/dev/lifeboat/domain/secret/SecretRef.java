package dev.lifeboat.domain.secret;

/**
 * Where a password lives: the secret's name and the exact version written for this manager. Pinning the version
 * means a password written by a request that then failed never takes effect: the manager keeps reading the one
 * its stored item names.
 */
public record SecretRef(String secretId, String versionId) {}
