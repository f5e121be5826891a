package org.slf4j.impl;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggerFactoryBinder;

/**
 * Test-only SLF4J 1.7 binding (the version the AWS SDK brings) that sends the SDK's logging to java.util.logging.
 * Without a binding SLF4J drops everything, and the no-leak test could not see what the SDK would log in a
 * function that has one; with this, the test turns SDK logging up to TRACE and inspects it. Written here because the
 * parent pins no SLF4J binding and this module must not add versions of its own.
 */
public final class StaticLoggerBinder implements LoggerFactoryBinder {
    private static final StaticLoggerBinder SINGLETON = new StaticLoggerBinder();
    /** Read by SLF4J to check compatibility. */
    public static String REQUESTED_API_VERSION = "1.6.99";

    private static final Map<String, Level> LEVELS = Map.of(
            "trace", Level.FINEST, "debug", Level.FINE, "info", Level.INFO, "warn", Level.WARNING, "error", Level.SEVERE);

    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, StaticLoggerBinder::julLogger);

    public static StaticLoggerBinder getSingleton() {
        return SINGLETON;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public String getLoggerFactoryClassStr() {
        return StaticLoggerBinder.class.getName();
    }

    /** A proxy spares writing out the sixty overloads of {@link Logger}: all of them reduce to level, format, args. */
    private static Logger julLogger(String name) {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(name);
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    String m = method.getName();
                    switch (m) {
                        case "getName": return name;
                        case "toString": return "Logger[" + name + "]";
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default: break;
                    }
                    if (m.startsWith("is") && m.endsWith("Enabled")) {
                        return jul.isLoggable(LEVELS.get(m.substring(2, m.length() - 7).toLowerCase()));
                    }
                    Level level = LEVELS.get(m);
                    if (level == null || !jul.isLoggable(level)) {
                        return null;
                    }
                    List<Object> a = new ArrayList<>(Arrays.asList(args));
                    if (a.get(0) instanceof Marker || a.get(0) == null && method.getParameterTypes()[0] == Marker.class) {
                        a.remove(0);
                    }
                    String format = String.valueOf(a.remove(0));
                    Object[] rest = a.size() == 1 && a.get(0) instanceof Object[] varargs ? varargs : a.toArray();
                    FormattingTuple t = MessageFormatter.arrayFormat(format, rest);
                    jul.logp(level, name, m, t.getMessage(), t.getThrowable());
                    return null;
                });
    }
}
