package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/**
 * One JSON object per line on stdout, which Lambda's JSON log format keeps as structured fields. Request bodies are
 * never logged: they may hold passwords.
 */
public final class Log {
    private static volatile PrintStream out = System.out;

    private Log() {}

    public static ObjectNode entry(String level, String message) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("level", level);
        o.put("message", message);
        return o;
    }

    public static void write(ObjectNode entry) {
        out.println(Json.write(entry));
    }

    /** Tests capture the log through this. */
    public static void redirect(PrintStream stream) {
        out = stream;
    }
}
