package dev.lifeboat.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.json.JsonTrees;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.SecretRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands and results as the JSON documents that Step Functions states carry. Hand-written on Jackson trees: no
 * reflection at cold start, and a field that is missing or of the wrong kind is a {@link TerminalError} BAD_COMMAND
 * naming it.
 */
public final class CommandJson {
    /** Reads and writes commands and results (no ObjectMapper: see {@link JsonTrees}). */
    public static final JsonTrees TREES = JsonTrees.DEFAULT;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CommandJson() {}

    // ---- commands -----------------------------------------------------------------------------------------------

    public static Command command(JsonNode in) {
        Operation operation = enumOf(Operation.class, text(in, "operation", true), "operation");
        JsonNode m = required(in, "manager");
        JsonNode secret = required(m, "secretRef");
        Refs.Manager manager = new Refs.Manager(text(m, "datacenter", false), enumOf(ManagerType.class, text(m, "type", true), "manager.type"),
                text(m, "endpoint", true), text(m, "user", true),
                new SecretRef(text(secret, "secretId", true), text(secret, "versionId", true)),
                text(m, "caBundlePem", false), m.path("insecureTls").asBoolean(false));
        List<Refs.Vm> vms = new ArrayList<>();
        in.path("vms").forEach(v -> vms.add(vm(v)));
        return new Command(operation, manager,
                in.hasNonNull("vm") ? vm(in.get("vm")) : null,
                in.hasNonNull("policy") ? new Refs.Policy(text(in.get("policy"), "id", false), text(in.get("policy"), "code", true)) : null,
                in.hasNonNull("job") ? job(in.get("job")) : null,
                in.hasNonNull("restorePoint") ? restorePoint(in.get("restorePoint")) : null,
                in.hasNonNull("restoreMode") ? enumOf(Refs.RestoreMode.class, in.get("restoreMode").asText(), "restoreMode") : null,
                in.hasNonNull("since") ? instant(in.get("since").asText(), "since") : null,
                vms, text(in, "cursor", false), in.path("held").asBoolean(false));
    }

    public static ObjectNode toJson(Command c) {
        ObjectNode out = NODES.objectNode();
        out.put("operation", c.operation().name());
        ObjectNode m = out.putObject("manager");
        m.put("datacenter", c.manager().datacenter());
        m.put("type", c.manager().type().name());
        m.put("endpoint", c.manager().endpoint());
        m.put("user", c.manager().user());
        m.putObject("secretRef").put("secretId", c.manager().secretRef().secretId()).put("versionId", c.manager().secretRef().versionId());
        if (c.manager().caBundlePem() != null) m.put("caBundlePem", c.manager().caBundlePem());
        if (c.manager().insecureTls()) m.put("insecureTls", true);
        if (c.vm() != null) out.set("vm", vm(c.vm()));
        if (c.policy() != null) out.putObject("policy").put("id", c.policy().id()).put("code", c.policy().code());
        if (c.job() != null) out.set("job", job(c.job()));
        if (c.restorePoint() != null) out.set("restorePoint", restorePoint(c.restorePoint()));
        if (c.restoreMode() != null) out.put("restoreMode", c.restoreMode().name());
        if (c.since() != null) out.put("since", c.since().toString());
        if (!c.vms().isEmpty()) {
            ArrayNode a = out.putArray("vms");
            c.vms().forEach(v -> a.add(vm(v)));
        }
        if (c.cursor() != null) out.put("cursor", c.cursor());
        if (c.held()) out.put("held", true);
        return out;
    }

    /**
     * The optional {@code run} of a start command, {@code {"id": "<backup or restore id>", "since": "<instant>"}}, kept
     * beside the command's fields (see {@link Refs.Run}); null when absent.
     */
    public static Refs.Run run(JsonNode in) {
        JsonNode r = in.path("run");
        if (!r.isObject()) {
            return null;
        }
        return new Refs.Run(text(r, "id", true), instant(text(r, "since", true), "run.since"));
    }

    public static ObjectNode run(Refs.Run run) {
        return NODES.objectNode().put("id", run.id()).put("since", run.since().toString());
    }

    static Refs.Vm vm(JsonNode v) {
        return new Refs.Vm(text(v, "id", true), text(v, "name", false), text(v, "vcenter", false), text(v, "moref", false),
                text(v, "uuid", false), v.path("allocated").asBoolean(true));
    }

    static ObjectNode vm(Refs.Vm v) {
        ObjectNode o = NODES.objectNode();
        o.put("id", v.id());
        o.put("name", v.name());
        o.put("vcenter", v.vcenter());
        o.put("moref", v.moref());
        o.put("uuid", v.uuid());
        o.put("allocated", v.allocated());
        return o;
    }

    static Refs.Job job(JsonNode j) {
        return new Refs.Job(enumOf(Refs.Job.Kind.class, text(j, "kind", true), "job.kind"), text(j, "ref", true),
                j.hasNonNull("startedAt") ? instant(j.get("startedAt").asText(), "job.startedAt") : null);
    }

    static ObjectNode job(Refs.Job j) {
        ObjectNode o = NODES.objectNode();
        o.put("kind", j.kind().name());
        o.put("ref", j.ref());
        if (j.startedAt() != null) o.put("startedAt", j.startedAt().toString());
        return o;
    }

    static Refs.RestorePoint restorePoint(JsonNode r) {
        return new Refs.RestorePoint(text(r, "ref", true),
                r.hasNonNull("createdAt") ? instant(r.get("createdAt").asText(), "restorePoint.createdAt") : null,
                r.hasNonNull("sizeBytes") ? r.get("sizeBytes").asLong() : null);
    }

    static ObjectNode restorePoint(Refs.RestorePoint r) {
        ObjectNode o = NODES.objectNode();
        o.put("ref", r.ref());
        if (r.createdAt() != null) o.put("createdAt", r.createdAt().toString()); else o.putNull("createdAt");
        if (r.sizeBytes() != null) o.put("sizeBytes", r.sizeBytes()); else o.putNull("sizeBytes");
        return o;
    }

    // ---- results ------------------------------------------------------------------------------------------------

    public static ObjectNode connection(Results.Connection c) {
        return NODES.objectNode().put("reachable", c.reachable()).put("authenticated", c.authenticated())
                .put("latencyMs", c.latencyMs()).put("details", c.details());
    }

    public static ObjectNode policies(List<Results.ExternalPolicy> policies) {
        ObjectNode o = NODES.objectNode();
        ArrayNode a = o.putArray("policies");
        policies.forEach(p -> a.addObject().put("code", p.code()).put("name", p.name()).put("ref", p.ref()));
        return o;
    }

    public static ObjectNode schedule(Results.Schedule s) {
        return NODES.objectNode().put("applied", s.applied()).put("details", s.details());
    }

    public static ObjectNode started(Refs.Job job) {
        ObjectNode o = NODES.objectNode();
        o.set("job", job(job));
        return o;
    }

    public static ObjectNode jobStatus(Results.JobStatus s) {
        ObjectNode o = NODES.objectNode();
        o.set("job", job(s.job()));
        o.put("state", s.state().name());
        if (s.progress() != null) o.put("progress", s.progress()); else o.putNull("progress");
        if (s.restorePoint() != null) o.set("restorePoint", restorePoint(s.restorePoint())); else o.putNull("restorePoint");
        if (s.error() != null) o.putObject("error").put("code", s.error().code()).put("message", s.error().message()); else o.putNull("error");
        return o;
    }

    public static Results.JobStatus jobStatus(JsonNode in) {
        JsonNode e = in.path("error");
        return new Results.JobStatus(job(required(in, "job")), enumOf(Results.JobStatus.State.class, text(in, "state", true), "state"),
                in.hasNonNull("progress") ? in.get("progress").asInt() : null,
                in.hasNonNull("restorePoint") ? restorePoint(in.get("restorePoint")) : null,
                e.isObject() ? new Results.Failure(e.path("code").asText(), e.path("message").asText()) : null);
    }

    public static ObjectNode results(Results.ResultList r) {
        ObjectNode o = NODES.objectNode();
        ArrayNode results = o.putArray("results");
        for (Results.BackupResult b : r.results()) {
            ObjectNode x = results.addObject().put("vmId", b.vmId()).put("ref", b.ref()).put("status", b.status().name());
            x.put("startedAt", b.startedAt() == null ? null : b.startedAt().toString());
            x.put("finishedAt", b.finishedAt() == null ? null : b.finishedAt().toString());
            if (b.sizeBytes() != null) x.put("sizeBytes", b.sizeBytes()); else x.putNull("sizeBytes");
        }
        ArrayNode failures = o.putArray("failures");
        r.failures().forEach(f -> failures.addObject().put("vmId", f.vmId()).put("code", f.code()).put("message", f.message()));
        return o;
    }

    private static void putIfPresent(ObjectNode o, String field, String value) {
        if (value != null) o.put(field, value);
    }

    public static ObjectNode resultPage(Results.ResultPage page) {
        ObjectNode o = NODES.objectNode();
        ArrayNode results = o.putArray("results");
        page.results().forEach(b -> results.add(result(b)));
        o.putArray("failures");
        o.put("nextCursor", page.nextCursor());
        return o;
    }

    /**
     * One point of a result page. A field without a value is left out rather than written as null (its reader takes
     * a missing field as null): about 30 bytes less a point, so more points fit in a page.
     */
    private static ObjectNode result(Results.FoundBackup b) {
        ObjectNode x = NODES.objectNode();
        putIfPresent(x, "vcenter", b.vcenter());
        putIfPresent(x, "moref", b.moref());
        putIfPresent(x, "uuid", b.uuid());
        putIfPresent(x, "vmName", b.vmName());
        x.put("ref", b.ref()).put("status", b.status().name());
        if (b.startedAt() != null) x.put("startedAt", b.startedAt().toString());
        if (b.finishedAt() != null) x.put("finishedAt", b.finishedAt().toString());
        if (b.sizeBytes() != null) x.put("sizeBytes", b.sizeBytes());
        return x;
    }

    /** UTF-8 bytes of one point's JSON in a result page (without the comma before it). */
    public static int resultBytes(Results.FoundBackup b) {
        return TREES.bytes(result(b)).length;
    }

    /** UTF-8 bytes of a result page's JSON, as a state carries it. */
    public static int resultPageBytes(Results.ResultPage page) {
        return TREES.bytes(resultPage(page)).length;
    }

    /**
     * {@code {"held": [{"vmId": …, "refs": […]}], "failures": [{"vmId", "code", "message"}], "nextCursor": …}}: a VM
     * in {@code held} holds exactly those restore points (none when empty); a VM in {@code failures} was not looked at.
     */
    public static ObjectNode held(Results.HeldPage page) {
        ObjectNode o = NODES.objectNode();
        ArrayNode held = o.putArray("held");
        page.held().forEach(h -> held.add(held(h)));
        ArrayNode failures = o.putArray("failures");
        page.failures().forEach(f -> failures.add(failure(f)));
        o.put("nextCursor", page.nextCursor());
        return o;
    }

    static ObjectNode held(Results.HeldVm h) {
        ObjectNode x = NODES.objectNode().put("vmId", h.vmId());
        ArrayNode refs = x.putArray("refs");
        h.refs().forEach(refs::add);
        return x;
    }

    static ObjectNode failure(Results.VmFailure f) {
        return NODES.objectNode().put("vmId", f.vmId()).put("code", f.code()).put("message", f.message());
    }

    // ---- reading helpers ------------------------------------------------------------------------------------------

    private static JsonNode required(JsonNode in, String field) {
        JsonNode n = in.get(field);
        if (n == null || !n.isObject()) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the command has no object '" + field + "'");
        }
        return n;
    }

    private static String text(JsonNode in, String field, boolean required) {
        JsonNode n = in.get(field);
        if (n == null || n.isNull()) {
            if (required) throw new TerminalError(TerminalError.BAD_COMMAND, "the command has no '" + field + "'");
            return null;
        }
        if (!n.isTextual()) throw new TerminalError(TerminalError.BAD_COMMAND, "'" + field + "' must be a string");
        return n.asText();
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String value, String field) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(value)) return e;
        }
        throw new TerminalError(TerminalError.BAD_COMMAND, "'" + field + "' has an unknown value " + value);
    }

    private static Instant instant(String value, String field) {
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "'" + field + "' is not an ISO-8601 instant: " + value);
        }
    }
}
