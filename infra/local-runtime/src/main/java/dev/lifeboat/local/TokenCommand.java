package dev.lifeboat.local;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints a local token: {@code TokenCommand [--sub alice] [--ent ent-1] [--priv A,B] [--ttl 3600]}. Defaults: user
 * {@code local-user} of enterprise {@code ent-1} with every privilege, valid 12 hours. The key comes from
 * {@value LocalTokens#KEY_VARIABLE}, as for the server.
 */
public final class TokenCommand {

    private static final String USAGE = "usage: TokenCommand [--sub USER] [--ent ENTERPRISE] "
            + "[--priv TAG,TAG,...] [--ttl SECONDS]\n"
            + "  defaults: --sub local-user --ent ent-1 --priv " + String.join(",", LocalTokens.ALL_PRIVILEGES)
            + " --ttl " + LocalTokens.DEFAULT_TTL.toSeconds() + "\n"
            + "  signing key: $" + LocalTokens.KEY_VARIABLE + " (default " + LocalTokens.DEFAULT_KEY + ")";

    private TokenCommand() {
    }

    public static void main(String[] args) {
        int status = run(args, new LocalTokens(LocalTokens.keyFromEnvironment()), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** @return the exit status: 0, or 2 for bad arguments */
    static int run(String[] args, LocalTokens tokens, PrintStream out, PrintStream err) {
        String sub = "local-user";
        String ent = "ent-1";
        List<String> privileges = LocalTokens.ALL_PRIVILEGES;
        Duration ttl = LocalTokens.DEFAULT_TTL;
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help") || option.equals("-h")) {
                    out.println(USAGE);
                    return 0;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--sub" -> sub = value;
                    case "--ent" -> ent = value;
                    case "--priv" -> privileges = split(value);
                    case "--ttl" -> {
                        long seconds = Long.parseLong(value);
                        if (seconds <= 0) {
                            throw new IllegalArgumentException("--ttl must be a positive number of seconds");
                        }
                        ttl = Duration.ofSeconds(seconds);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
        } catch (NumberFormatException e) {
            err.println("--ttl must be a number of seconds\n" + USAGE);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        out.println(tokens.create(sub, ent, privileges, ttl));
        return 0;
    }

    private static List<String> split(String value) {
        List<String> tags = new ArrayList<>();
        Arrays.stream(value.split(",")).map(String::trim).filter(tag -> !tag.isEmpty()).forEach(tags::add);
        return tags;
    }
}
