package dev.lifeboat.testing;

import dev.lifeboat.processes.DynaliteProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension: one in-memory dynalite for the whole test run, started on first use and stopped when the run
 * ends. Tests take its endpoint as a {@link URI} parameter and create their own uniquely named tables.
 */
public final class Dynalite implements ParameterResolver {
    private static final String KEY = "lifeboat-dynalite";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == URI.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
        return store.getOrComputeIfAbsent(KEY, k -> start(), DynaliteProcess.class).endpoint();
    }

    private static DynaliteProcess start() {
        try {
            return DynaliteProcess.startFromRepository(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
