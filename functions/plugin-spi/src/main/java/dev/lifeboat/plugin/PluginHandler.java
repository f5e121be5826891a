package dev.lifeboat.plugin;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;

/**
 * The Lambda frame of every plugin: read the command, fetch the password by reference, run one operation, write the
 * result. A {@link PluginError} leaves as the function error (its class name is the error name Step Functions sees);
 * anything else becomes a TerminalError INTERNAL, since retrying a bug does not mend it. One log line per command,
 * never with the password.
 */
public abstract class PluginHandler implements RequestStreamHandler {
    private final BackupPlugin plugin;
    private final SecretStore secrets;
    private final PrintStream log;

    protected PluginHandler(BackupPlugin plugin, SecretStore secrets, PrintStream log) {
        this.plugin = plugin;
        this.secrets = secrets;
        this.log = log;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode in;
        try {
            in = CommandJson.TREES.read(input);
        } catch (IOException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the command is not JSON");
        }
        output.write(CommandJson.TREES.bytes(handle(in, deadline(context))));
    }

    /**
     * When the command must have answered: Lambda's remaining time less a margin (a tenth, at least 2 s) for writing
     * the answer, so the plugin's own retries never outlive the invocation; without a context, {@link Session#DEFAULT_BUDGET}.
     */
    static Instant deadline(Context context) {
        Instant now = Instant.now();
        if (context == null || context.getRemainingTimeInMillis() <= 0) {
            return now.plus(Session.DEFAULT_BUDGET);
        }
        long remaining = context.getRemainingTimeInMillis();
        return now.plusMillis(Math.max(0, remaining - Math.max(2_000, remaining / 10)));
    }

    /**
     * The plugin as a command-line tool, for operators and for tests of the deployment jar: one command on standard
     * input, its result on standard output, a plugin error on standard error with exit status 1. The handler should log
     * to standard error, so that standard output carries the result alone.
     */
    protected static void runFromStandardInput(PluginHandler handler) throws IOException {
        try {
            handler.handleRequest(System.in, System.out, null);
            System.out.println();
            System.out.flush();
        } catch (PluginError e) {
            System.err.println(e.getClass().getName() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    public ObjectNode handle(JsonNode in) {
        return handle(in, Instant.now().plus(Session.DEFAULT_BUDGET));
    }

    public ObjectNode handle(JsonNode in, Instant deadline) {
        long started = System.nanoTime();
        Command command = null;
        String outcome = "ok";
        try {
            command = CommandJson.command(in);
            Session session = new Session(command.manager(), password(command), deadline, CommandJson.run(in));
            return run(command, session);
        } catch (PluginError e) {
            outcome = e.getClass().getSimpleName() + " " + e.code();
            throw e;
        } catch (RuntimeException e) {
            outcome = "INTERNAL " + e.getClass().getName();
            throw new TerminalError("INTERNAL", "the plugin failed unexpectedly (" + e.getClass().getSimpleName() + ")", e);
        } finally {
            PluginMetrics.command(command, outcome, (System.nanoTime() - started) / 1_000_000, log);
        }
    }

    private Secret password(Command command) {
        try {
            return secrets.read(command.manager().secretRef());
        } catch (RuntimeException e) {
            throw new RetryableError("SECRET_UNAVAILABLE", "the manager's password could not be read from the secret store: "
                    + e.getMessage());
        }
    }

    private ObjectNode run(Command c, Session s) {
        return switch (c.operation()) {
            case CHECK_CONNECTION -> CommandJson.connection(plugin.checkConnection(s));
            case LIST_POLICIES -> CommandJson.policies(plugin.listPolicies(s));
            case APPLY_SCHEDULE -> CommandJson.schedule(plugin.applySchedule(s, need(c.vm(), "vm"), need(c.policy(), "policy")));
            case REMOVE_SCHEDULE -> CommandJson.schedule(plugin.removeSchedule(s, need(c.vm(), "vm"), need(c.policy(), "policy")));
            case START_BACKUP -> CommandJson.started(plugin.startBackup(s, need(c.vm(), "vm"), c.policy()));
            case START_RESTORE -> CommandJson.started(plugin.startRestore(s, need(c.vm(), "vm"), need(c.restorePoint(), "restorePoint"),
                    c.restoreMode() == null ? Refs.RestoreMode.IN_PLACE : c.restoreMode()));
            case POLL_JOB -> CommandJson.jobStatus(plugin.pollJob(s, need(c.job(), "job")));
            // No VMs named: the whole backup system since a time, a page at a time.
            case LIST_RESULTS -> c.held() ? CommandJson.held(plugin.listHeld(s, c.vms(), c.cursor()))
                    : c.vms().isEmpty() && c.since() != null
                    ? CommandJson.resultPage(plugin.listResultPage(s, c.since(), c.cursor()))
                    : CommandJson.results(plugin.listResults(s, c.vms(), c.since()));
        };
    }

    private static <T> T need(T value, String field) {
        if (value == null) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the command needs '" + field + "' for this operation");
        }
        return value;
    }
}
