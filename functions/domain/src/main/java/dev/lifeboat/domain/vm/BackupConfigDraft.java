package dev.lifeboat.domain.vm;

import java.util.List;
import java.util.Map;

/**
 * A VM backup configuration as a request states it, before validation. {@code values} maps a subtype name to its
 * fields, each value as the JSON held it (String, Long, List of String or null).
 */
public record BackupConfigDraft(List<Selection> policies) {
    public record Selection(String policyId, Map<String, Map<String, Object>> values) {}
}
