package dev.lifeboat.workflow;

import dev.lifeboat.domain.manager.ManagerType;
import java.util.EnumMap;
import java.util.Map;

/**
 * The plugin function of each manager type, from {@code PLUGIN_FUNCTION_<TYPE>} (an ARN or name, with its alias). The
 * begin tasks put it in the run as {@code pluginFunction}, so that one {@code lambda:invoke} state per step calls the
 * right plugin instead of a {@code Choice} on the type and one Task per plugin.
 */
record PluginFunctions(Map<ManagerType, String> byType) {
    static PluginFunctions fromEnvironment(Map<String, String> env) {
        Map<ManagerType, String> out = new EnumMap<>(ManagerType.class);
        for (ManagerType type : ManagerType.values()) {
            String function = env.get("PLUGIN_FUNCTION_" + type.name());
            if (function != null && !function.isBlank()) out.put(type, function);
        }
        return new PluginFunctions(Map.copyOf(out));
    }

    /** A type whose function is not configured cannot run: the run fails with a message that says which variable. */
    String of(ManagerType type) {
        String function = byType.get(type);
        if (function == null) {
            throw new TerminalTaskError("no plugin function for " + type + ": PLUGIN_FUNCTION_" + type.name() + " is not set");
        }
        return function;
    }
}
