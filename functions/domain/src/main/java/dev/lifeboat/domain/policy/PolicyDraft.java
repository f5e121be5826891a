package dev.lifeboat.domain.policy;

import java.util.List;
import java.util.Map;

/**
 * A policy as a request gives it, before validation. Schedule field values are raw JSON values: String, Long,
 * List of String, or null.
 */
public record PolicyDraft(String name, String code, String description, List<ConfigurationDraft> configurations) {

    public record ConfigurationDraft(String type, String subtype, Map<String, Object> fields) {}
}
