package dev.lifeboat.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension: one vcsim (default flags) for the whole test run, started on first use and stopped when the run
 * ends. Tests take it as a {@link VcsimServer} parameter, log in with any non-empty user and password, and look VMs
 * up by inventory path rather than hard-coding morefs. Snapshots that tests create stay for the rest of the run.
 */
public final class Vcsim implements ParameterResolver {
    private static final String KEY = "lifeboat-vcsim";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == VcsimServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // The root store closes AutoCloseable values when the run ends.
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
        return store.getOrComputeIfAbsent(KEY, k -> VcsimServer.start(), VcsimServer.class);
    }
}
