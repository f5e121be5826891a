package dev.lifeboat.bench.coldstart;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plays the Lambda Java runtime for one cold start, in a fresh JVM whose class path is this launcher's small jar and
 * then the function's deployment jar: loads the handler class named in {@code Handler}, constructs it with its no-arg
 * constructor (Lambda's init phase; the function reads its configuration from the real process environment), invokes
 * {@code handleRequest} once with the event, writes the answer to a file and prints one line:
 *
 * <pre>{@value #MARK}init=NANOS request=NANOS outcome=ok|error:CLASS|init-error:CLASS</pre>
 *
 * then exits. The parent ({@link ColdStart}) times the process from spawn to that line.
 *
 * <p>Only the JDK and {@code aws-lambda-java-core} (which every function jar carries) may be used here, and no nested,
 * anonymous or other classes: {@link LauncherJar} copies exactly this class and {@link LauncherContext}.
 *
 * <p>Usage: {@code java -cp launcher.jar:function.jar dev.lifeboat.bench.coldstart.LambdaLauncher HANDLER EVENT_FILE ANSWER_FILE}
 */
public final class LambdaLauncher {
    static final String MARK = "@@lifeboat-coldstart ";

    private LambdaLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LambdaLauncher CLASS[::METHOD] EVENT_FILE ANSWER_FILE");
            System.exit(2);
        }
        long started = System.nanoTime();
        // Handlers log on stdout, as in Lambda; the parent picks the marker line out of their lines. Kept in case a
        // handler replaces System.out.
        PrintStream report = System.out;
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        String handler = args[0];
        int separator = handler.indexOf("::");
        String className = separator < 0 ? handler : handler.substring(0, separator);

        RequestStreamHandler function;
        try {
            Class<?> type = Class.forName(className, true, LambdaLauncher.class.getClassLoader());
            function = (RequestStreamHandler) type.getDeclaredConstructor().newInstance();
        } catch (Throwable e) {
            e.printStackTrace();
            report.println(MARK + "init=" + (System.nanoTime() - started) + " request=0 outcome=init-error:" + cause(e).getClass().getName());
            report.flush();
            System.exit(1);
            return;
        }
        long initialised = System.nanoTime();

        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        String outcome = "ok";
        try {
            function.handleRequest(new ByteArrayInputStream(event), answer, new LauncherContext());
        } catch (Throwable e) {
            // Lambda answers a thrown exception as a function error: the request was handled, with an error.
            outcome = "error:" + e.getClass().getName();
            answer.reset();
            answer.write(String.valueOf(e.getMessage()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        long handled = System.nanoTime();
        report.println(MARK + "init=" + (initialised - started) + " request=" + (handled - initialised) + " outcome=" + outcome);
        report.flush();
        Files.write(Path.of(args[2]), answer.toByteArray());
        // SDK clients may keep non-daemon threads; Lambda freezes the environment instead, the benchmark needs it gone.
        System.exit(0);
    }

    private static Throwable cause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
