package dev.lifeboat.local.template;

import java.util.Map;

/**
 * One entry of the template's {@code Resources}, after {@code Globals} were merged in.
 *
 * @param properties its {@code Properties} (empty when absent), as unmodifiable Map/List/String trees
 * @param definition the whole resource entry ({@code Type}, {@code Properties}, {@code Condition}, ...)
 */
public record Resource(String logicalId, String type, Map<String, Object> properties, Map<String, Object> definition) {
}
