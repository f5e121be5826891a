package dev.lifeboat.secrets;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything a run could print: standard output and error, every java.util.logging record (the SDK's SLF4J logging
 * arrives there through the test binding, the JDK's HTTP client logs there itself), and every exception caught
 * with {@link #attempt}, message and full stack trace with causes.
 */
final class Capture implements AutoCloseable {
    /** Turned up to the finest level while capturing; held strongly because java.util.logging forgets levels of collected loggers. */
    private static final List<String> VERBOSE = List.of("software.amazon.awssdk", "sun.net.www.protocol.http", "dev.lifeboat");

    private final ByteArrayOutputStream streams = new ByteArrayOutputStream();
    private record Entry(Level level, String text) {}

    private final List<Entry> records = new ArrayList<>();
    private final List<String> exceptions = new ArrayList<>();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final List<Logger> verbose = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            StringWriter w = new StringWriter();
            w.append(r.getLoggerName()).append(' ').append(String.valueOf(r.getLevel())).append(' ')
                    .append(new java.util.logging.SimpleFormatter().formatMessage(r));
            if (r.getThrown() != null) {
                w.append('\n');
                r.getThrown().printStackTrace(new PrintWriter(w));
            }
            synchronized (records) {
                records.add(new Entry(r.getLevel(), w.toString()));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    Capture() {
        System.setOut(new PrintStream(tee(out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(tee(err), true, StandardCharsets.UTF_8));
        handler.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(handler);
        for (String name : VERBOSE) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.ALL);
            verbose.add(l);
        }
    }

    /** Runs an operation that may fail, keeping what its failure would print. */
    void attempt(Runnable operation) {
        try {
            operation.run();
        } catch (RuntimeException e) {
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            synchronized (exceptions) {
                exceptions.add(e.getMessage() + "\n" + w);
            }
        }
    }

    List<String> records() {
        return records(Level.ALL);
    }

    List<String> records(Level threshold) {
        synchronized (records) {
            return records.stream().filter(e -> e.level().intValue() >= threshold.intValue()).map(Entry::text).toList();
        }
    }

    List<String> exceptions() {
        synchronized (exceptions) {
            return List.copyOf(exceptions);
        }
    }

    String streams() {
        synchronized (streams) {
            return streams.toString(StandardCharsets.UTF_8);
        }
    }

    String all() {
        return all(Level.ALL);
    }

    /** What would be seen with the logs at the given level. */
    String all(Level threshold) {
        return streams() + "\n" + String.join("\n", records(threshold)) + "\n" + String.join("\n", exceptions());
    }

    @Override
    public void close() {
        System.setOut(out);
        System.setErr(err);
        Logger.getLogger("").removeHandler(handler);
        verbose.forEach(l -> l.setLevel(null));
    }

    private OutputStream tee(PrintStream original) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (streams) {
                    streams.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (streams) {
                    streams.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
    }
}
