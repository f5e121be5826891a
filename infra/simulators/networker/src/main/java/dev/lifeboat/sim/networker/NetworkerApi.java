package dev.lifeboat.sim.networker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.lifeboat.sim.SimulatorServer;
import dev.lifeboat.sim.networker.NetworkerSimulator.GroupState;
import dev.lifeboat.sim.networker.NetworkerSimulator.JobState;
import dev.lifeboat.sim.networker.NetworkerSimulator.PolicyState;
import dev.lifeboat.sim.networker.NetworkerSimulator.VCenterState;
import dev.lifeboat.sim.networker.NetworkerSimulator.WorkflowState;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The HTTP side of the simulator: routing, Basic auth, JSON rendering. Facts follow backup-systems.md §2; every shape
 * that document marks [U] is a choice made here and commented as such.
 */
final class NetworkerApi implements HttpHandler {
    static final ObjectMapper JSON = new ObjectMapper();

    /** NetWorker writes times with an offset and no fraction, e.g. {@code 2018-12-10T21:00:05-07:00} (§2.5 fixture). */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

    /**
     * Errors are JSON with the text in {@code message} (§2.8). The sibling {@code status} object is [U]: a client must key
     * off the HTTP code and {@code message} only. Injected faults use the same body.
     */
    static final SimulatorServer.ErrorBody ERROR_BODY = new SimulatorServer.ErrorBody() {
        @Override
        public String render(int status, String message) {
            ObjectNode n = JSON.createObjectNode();
            n.put("message", message);
            ObjectNode s = n.putObject("status");
            s.put("code", status);
            s.put("reasonPhrase", reason(status));
            return n.toString();
        }

        @Override
        public String contentType() {
            return "application/json";
        }
    };

    private static final Set<String> RECOVER_MODES = Set.of("Revert", "Instant", "New", "Disk", "Application", "FLR", "Emergency");

    private final NetworkerSimulator sim;
    private final List<Route> routes = new ArrayList<>();

    NetworkerApi(NetworkerSimulator sim) {
        this.sim = sim;
        get("", c -> root());
        get("protectionpolicies", c -> list("protectionPolicies", sim.policies.values().stream().map(this::policy).toList(), c));
        get("protectionpolicies/{p}", c -> one(policy(policyOf(c)), c));
        get("protectionpolicies/{p}/workflows", c -> {
            PolicyState p = policyOf(c);
            return list("workflows", p.workflows.values().stream().map(this::workflow).toList(), c);
        });
        get("protectionpolicies/{p}/workflows/{w}", c -> one(workflow(workflowOf(c)), c));
        post("protectionpolicies/{p}/workflows/{w}/op/backup", this::workflowBackup);
        get("protectiongroups", c -> list("protectionGroups", sim.groups.values().stream().map(this::group).toList(), c));
        get("protectiongroups/{g}", c -> one(group(groupOf(c)), c));
        post("protectiongroups/{g}/op/updatevmwareworkitems", this::updateWorkItems);
        get("vmware/vcenters", c -> list("vCenters", sim.vcenters.values().stream().map(this::vcenter).toList(), c));
        post("vmware/op/refreshvcenters", c -> Reply.empty(204));
        get("vmware/vms", c -> list("vms", sim.vcenters.values().stream().flatMap(v -> v.vms.values().stream()).map(this::vm).toList(), c));
        get("vmware/protectedvms", c -> list("vms", sim.vcenters.values().stream().flatMap(v -> protectedVms(v).stream()).toList(), c));
        get("vmware/vcenters/{vc}", c -> one(vcenter(vcenterOf(c)), c));
        post("vmware/vcenters/{vc}/op/refresh", c -> {
            vcenterOf(c);
            return Reply.empty(204);
        });
        get("vmware/vcenters/{vc}/vms", c -> list("vms", vcenterOf(c).vms.values().stream().map(this::vm).toList(), c));
        get("vmware/vcenters/{vc}/vms/{uuid}", c -> one(vm(vmOf(c)), c));
        get("vmware/vcenters/{vc}/vms/{uuid}/protectiondetails", this::protectionDetails);
        post("vmware/vcenters/{vc}/vms/{uuid}/op/backup", this::vmBackup);
        get("vmware/vcenters/{vc}/protectedvms", c -> list("vms", protectedVms(vcenterOf(c)), c));
        get("vmware/vcenters/{vc}/protectedvms/{uuid}", c -> one(protectedVm(c), c));
        get("vmware/vcenters/{vc}/protectedvms/{uuid}/backups", c -> {
            // [U] A VM vCenter has but NetWorker never protected lists no backups rather than 404.
            if (!vcenterOf(c).vms.containsKey(c.param("uuid"))) {
                protectedVm(c);
            }
            return list("backups", backupsOf(c).stream().map(b -> backup(b, true)).toList(), c);
        });
        get("vmware/vcenters/{vc}/protectedvms/{uuid}/backups/{b}", c -> one(backup(vmBackupOf(c), true), c));
        get("vmware/vcenters/{vc}/protectedvms/{uuid}/backups/{b}/instances", c -> instances(vmBackupOf(c), true, c));
        get("vmware/vcenters/{vc}/protectedvms/{uuid}/backups/{b}/instances/{i}", c -> one(instance(vmBackupOf(c), true, instanceOf(c)), c));
        post("vmware/vcenters/{vc}/protectedvms/{uuid}/backups/{b}/op/recover", c -> recover(c, vmBackupOf(c), null));
        post("vmware/vcenters/{vc}/protectedvms/{uuid}/backups/{b}/instances/{i}/op/recover", c -> recover(c, vmBackupOf(c), instanceOf(c)));
        get("backups", this::backups);
        get("backups/{b}", c -> one(backup(backupOf(c), false), c));
        get("backups/{b}/instances", c -> instances(backupOf(c), false, c));
        get("backups/{b}/instances/{i}", c -> {
            Backup b = backupOf(c);
            return one(instance(b, false, instanceOf(c)), c);
        });
        route("DELETE", "backups/{b}", c -> {
            sim.backups.remove(backupOf(c).id());
            return Reply.empty(204);
        });
        get("jobs", c -> list("jobs", sim.jobs.values().stream().map(this::job).toList(), c));
        get("jobs/{id}", c -> one(job(jobOf(c)), c));
        get("jobs/{id}/log", c -> Reply.text(200, log(jobOf(c))));
        post("jobs/{id}/op/cancel", c -> {
            JobState j = jobOf(c);
            if (j.stopped) {
                throw new ApiError(400, "Job " + j.id + " has already completed");
            }
            sim.cancel(j);
            return Reply.empty(204);
        });
    }

    // =================================================================================================================
    // Transport
    // =================================================================================================================

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getRawPath();
        String rawQuery = ex.getRequestURI().getRawQuery();
        String bodyText = SimulatorServer.body(ex);
        Map<String, String> query = queryParams(rawQuery);
        Reply reply;
        try {
            reply = dispatch(ex, method, rawPath, query, bodyText);
        } catch (ApiError e) {
            reply = Reply.error(e.status, e.getMessage());
        }
        synchronized (sim) {
            sim.requests.add(new ReceivedRequest(sim.clock.instant(), method, decodePath(rawPath),
                    rawQuery == null ? null : URLDecoder.decode(rawQuery, StandardCharsets.UTF_8), bodyText, reply.status));
        }
        reply.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        SimulatorServer.send(ex, reply.status, reply.contentType, reply.body);
    }

    private Reply dispatch(HttpExchange ex, String method, String rawPath, Map<String, String> query, String bodyText) {
        // Basic auth on every call, before anything else: NetWorker keeps no session (§2.1).
        if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            Reply r = Reply.error(401, "Authentication failed: invalid or missing credentials");
            // [U] realm text; the scheme is Basic (§2.1).
            r.headers.put("WWW-Authenticate", "Basic realm=\"NetWorker REST API\"");
            return r;
        }
        String path = rawPath.endsWith("/") && rawPath.length() > 1 ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        if (!(path.equals(NetworkerSimulator.BASE_PATH) || path.startsWith(NetworkerSimulator.BASE_PATH + "/"))) {
            throw new ApiError(404, "No resource at " + rawPath);
        }
        // JSON only (§2.2).
        String accept = ex.getRequestHeaders().getFirst("Accept");
        if (accept != null && !accept.contains("json") && !accept.contains("*/*")) {
            throw new ApiError(406, "Only application/json is produced");
        }
        JsonNode body = JSON.createObjectNode();
        if (!bodyText.isBlank()) {
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type != null && !type.contains("json")) {
                throw new ApiError(415, "Content-Type must be application/json");
            }
            try {
                body = JSON.readTree(bodyText);
            } catch (JsonProcessingException e) {
                throw new ApiError(400, "The request body is not valid JSON: " + e.getOriginalMessage());
            }
            if (!body.isObject()) {
                throw new ApiError(400, "The request body must be a JSON object");
            }
        }
        String rest = path.substring(NetworkerSimulator.BASE_PATH.length());
        List<String> segments = new ArrayList<>();
        for (String s : rest.split("/")) {
            if (!s.isEmpty()) {
                segments.add(decodeSegment(s));
            }
        }
        boolean pathMatched = false;
        for (Route r : routes) {
            Map<String, String> params = r.match(segments);
            if (params == null) {
                continue;
            }
            pathMatched = true;
            if (r.method.equals(method)) {
                Call call = new Call(params, query, body, bodyText);
                synchronized (sim) {
                    sim.settle();
                    return r.handler.apply(call);
                }
            }
        }
        if (pathMatched) {
            throw new ApiError(405, "Method " + method + " is not allowed on " + rawPath);
        }
        throw new ApiError(404, "No resource at " + rawPath);
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            return decoded.equals(sim.user + ":" + sim.password);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void get(String pattern, Function<Call, Reply> handler) {
        route("GET", pattern, handler);
    }

    private void post(String pattern, Function<Call, Reply> handler) {
        route("POST", pattern, handler);
    }

    private void route(String method, String pattern, Function<Call, Reply> handler) {
        routes.add(new Route(method, pattern.isEmpty() ? List.of() : List.of(pattern.split("/")), handler));
    }

    /** Form decoding, so {@code +and+} (CS-N) and {@code %20and%20} both become {@code " and "}. */
    private static Map<String, String> queryParams(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    /** Percent-decoding of one path segment; a {@code +} in a path is a plus. */
    private static String decodeSegment(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String decodePath(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // =================================================================================================================
    // Lookups (404 for unknown ids, §2.9)
    // =================================================================================================================

    private PolicyState policyOf(Call c) {
        PolicyState p = sim.policies.get(c.param("p"));
        if (p == null) {
            throw new ApiError(404, "Protection policy '" + c.param("p") + "' not found");
        }
        return p;
    }

    private WorkflowState workflowOf(Call c) {
        WorkflowState w = policyOf(c).workflows.get(c.param("w"));
        if (w == null) {
            throw new ApiError(404, "Workflow '" + c.param("w") + "' not found in protection policy '" + c.param("p") + "'");
        }
        return w;
    }

    private GroupState groupOf(Call c) {
        GroupState g = sim.groups.get(c.param("g"));
        if (g == null) {
            throw new ApiError(404, "Protection group '" + c.param("g") + "' not found");
        }
        return g;
    }

    private VCenterState vcenterOf(Call c) {
        VCenterState vc = sim.vcenters.get(c.param("vc"));
        if (vc == null) {
            throw new ApiError(404, "vCenter '" + c.param("vc") + "' not found");
        }
        return vc;
    }

    private Vm vmOf(Call c) {
        Vm vm = vcenterOf(c).vms.get(c.param("uuid"));
        if (vm == null) {
            throw new ApiError(404, "VM with uuid '" + c.param("uuid") + "' not found in vCenter '" + c.param("vc") + "'");
        }
        return vm;
    }

    private List<Backup> backupsOf(Call c) {
        String vc = c.param("vc");
        String uuid = c.param("uuid");
        return sim.backups.ofVm(uuid).stream().filter(b -> b.vCenterHostname().equals(vc)).toList();
    }

    private Backup vmBackupOf(Call c) {
        vcenterOf(c);
        Backup b = sim.backups.get(c.param("b"));
        if (b == null || !b.vmUuid().equals(c.param("uuid")) || !b.vCenterHostname().equals(c.param("vc"))) {
            throw new ApiError(404, "Backup '" + c.param("b") + "' not found for VM with uuid '" + c.param("uuid") + "'");
        }
        return b;
    }

    private Backup backupOf(Call c) {
        Backup b = sim.backups.get(c.param("b"));
        if (b == null) {
            throw new ApiError(404, "Backup '" + c.param("b") + "' not found");
        }
        return b;
    }

    private String instanceOf(Call c) {
        String i = c.param("i");
        if (!i.equals(sim.backups.get(c.param("b")).instanceId())) {
            throw new ApiError(404, "Backup instance '" + i + "' not found");
        }
        return i;
    }

    private JobState jobOf(Call c) {
        JobState j;
        try {
            j = sim.jobs.get(Long.parseLong(c.param("id")));
        } catch (NumberFormatException e) {
            j = null;
        }
        if (j == null) {
            throw new ApiError(404, "Job '" + c.param("id") + "' not found");
        }
        return j;
    }

    // =================================================================================================================
    // Operations
    // =================================================================================================================

    /**
     * {@code addWorkItems} and/or {@code deleteWorkItems} (§2.4), checked as a whole before anything changes. Answers
     * 201 when something was added, else 204, both without a body: SLZ takes 200/201/204 as success. A duplicate add
     * answers "There is already a ..." (§2.8). Removing a uuid the group does not hold is a 400 [U]; removing a VM that
     * vCenter no longer has is allowed (a deleted VM stays in its groups).
     */
    private Reply updateWorkItems(Call c) {
        GroupState g = groupOf(c);
        JsonNode add = c.body.get("addWorkItems");
        JsonNode del = c.body.get("deleteWorkItems");
        if ((add == null || add.isNull()) && (del == null || del.isNull())) {
            throw new ApiError(400, "addWorkItems or deleteWorkItems is required");
        }
        String vcName = g.vCenter;
        List<String> adds = new ArrayList<>();
        List<String> dels = new ArrayList<>();
        List<String> addMorefs = new ArrayList<>();
        List<String> delMorefs = new ArrayList<>();
        for (JsonNode section : new JsonNode[] {del, add}) {
            if (section == null || section.isNull()) {
                continue;
            }
            boolean isAdd = section == add;
            String name = isAdd ? "addWorkItems" : "deleteWorkItems";
            String vc = NetworkerSimulator.text(section, "vCenterHostname");
            if (vc == null) {
                throw new ApiError(400, name + ".vCenterHostname is required");
            }
            VCenterState vcs = sim.vcenters.get(vc);
            if (vcs == null) {
                throw new ApiError(400, "vCenter '" + vc + "' is not known to NetWorker");
            }
            List<String> uuids = strings(section.get("vmUuids"), name + ".vmUuids");
            List<String> morefs = strings(section.get("containerMorefs"), name + ".containerMorefs");
            if (isAdd) {
                boolean emptyAfterDelete = g.vmUuids.stream().allMatch(dels::contains) && g.containerMorefs.stream().allMatch(delMorefs::contains);
                if (vcName != null && !vcName.equals(vc) && !emptyAfterDelete) {
                    throw new ApiError(400, "Protection group '" + g.name + "' selects VMs of vCenter '" + vcName + "', not '" + vc + "'");
                }
                for (String uuid : uuids) {
                    if (!vcs.vms.containsKey(uuid)) {
                        throw new ApiError(400, "VM with uuid '" + uuid + "' not found in vCenter '" + vc + "'");
                    }
                    if ((g.vmUuids.contains(uuid) && !dels.contains(uuid)) || adds.contains(uuid)) {
                        throw new ApiError(400, "There is already a work item for VM with uuid '" + uuid + "' in protection group '" + g.name + "'");
                    }
                    adds.add(uuid);
                }
                for (String m : morefs) {
                    if (!vcs.inventory.containsKey(m)) {
                        throw new ApiError(400, "Container '" + m + "' not found in vCenter '" + vc + "'");
                    }
                    if (g.containerMorefs.contains(m) && !delMorefs.contains(m)) {
                        throw new ApiError(400, "There is already a work item for container '" + m + "' in protection group '" + g.name + "'");
                    }
                    addMorefs.add(m);
                }
                vcName = vc;
            } else {
                for (String uuid : uuids) {
                    if (!g.vmUuids.contains(uuid) || !vc.equals(g.vCenter)) {
                        throw new ApiError(400, "VM with uuid '" + uuid + "' is not a work item of protection group '" + g.name + "'");
                    }
                    dels.add(uuid);
                }
                for (String m : morefs) {
                    if (!g.containerMorefs.contains(m)) {
                        throw new ApiError(400, "Container '" + m + "' is not a work item of protection group '" + g.name + "'");
                    }
                    delMorefs.add(m);
                }
            }
        }
        dels.forEach(g.vmUuids::remove);
        delMorefs.forEach(g.containerMorefs::remove);
        g.vmUuids.addAll(adds);
        g.containerMorefs.addAll(addMorefs);
        if (!adds.isEmpty() || !addMorefs.isEmpty()) {
            g.vCenter = vcName;
        }
        g.sequence++;
        return Reply.empty(add != null && !add.isNull() ? 201 : 204);
    }

    /**
     * Backup now of one VM: {@code POST {VC}/vms/{uuid}/op/backup} with {@code {"policy","workflow"}} (DAN adds
     * {@code isAdhoc}). The VM must be a work item of one of the workflow's groups [U: a real server is believed to
     * refuse otherwise].
     */
    private Reply vmBackup(Call c) {
        Vm vm = vmOf(c);
        String policy = NetworkerSimulator.text(c.body, "policy");
        String workflow = NetworkerSimulator.text(c.body, "workflow");
        if (policy == null || workflow == null) {
            throw new ApiError(400, "Missing required field '" + (policy == null ? "policy" : "workflow") + "'");
        }
        boolean adhoc = bool(c.body.get("isAdhoc"), true, "isAdhoc");
        PolicyState p = sim.policies.get(policy);
        if (p == null) {
            throw new ApiError(400, "Protection policy '" + policy + "' does not exist");
        }
        WorkflowState w = p.workflows.get(workflow);
        if (w == null) {
            throw new ApiError(400, "Workflow '" + workflow + "' does not exist in protection policy '" + policy + "'");
        }
        boolean member = sim.protectingWorkflows(vm).stream().anyMatch(t -> t[0].equals(policy) && t[1].equals(workflow));
        if (!member) {
            throw new ApiError(400, "VM '" + vm.name() + "' (" + vm.uuid() + ") is not protected by workflow '" + workflow
                    + "' of protection policy '" + policy + "'");
        }
        return accepted(sim.startBackup(List.of(vm.uuid()), policy, w, adhoc));
    }

    /**
     * Backup now of a whole workflow (NWPS {@code Start-NWWorkflows}): every VM of its groups, or those named in
     * {@code clients} (VM names or uuids). A workflow with nothing to back up still makes a job, which completes with
     * {@code completionStatus: Unknown}, as for a job that did not run.
     */
    private Reply workflowBackup(Call c) {
        WorkflowState w = workflowOf(c);
        bool(c.body.get("restart"), false, "restart");
        boolean adhoc = bool(c.body.get("isAdhoc"), false, "isAdhoc");
        Map<String, String> members = new LinkedHashMap<>(); // uuid -> name (uuid when gone)
        for (String gName : w.groups) {
            GroupState g = sim.groups.get(gName);
            for (String uuid : g.vmUuids) {
                members.put(uuid, sim.findVm(uuid).map(Vm::name).orElse(uuid));
            }
        }
        List<String> clients = strings(c.body.get("clients"), "clients");
        List<String> chosen = new ArrayList<>();
        if (clients.isEmpty()) {
            chosen.addAll(members.keySet());
        } else {
            for (String client : clients) {
                String uuid = members.entrySet().stream().filter(e -> e.getKey().equals(client) || e.getValue().equals(client))
                        .map(Map.Entry::getKey).findFirst()
                        .orElseThrow(() -> new ApiError(400, "Client '" + client + "' is not part of workflow '" + w.name + "'"));
                chosen.add(uuid);
            }
        }
        return accepted(sim.startBackup(chosen, w.policy, w, adhoc));
    }

    /**
     * A recover (§2.7). {@code New} needs {@code vCenterHostname}, {@code datacenterMoref}, {@code datastoreMoref},
     * {@code vmFolderMoref}, {@code vmName}, {@code powerOn}, {@code reconnectNic} and one of
     * {@code clusterComputeResourceMoref}/{@code computeResourceMoref}; each {@code disks[]} item needs {@code key},
     * {@code name}, {@code datastoreMoref}. A missing field answers 400 naming every missing one [U: the real code may be
     * 400 or 422]. Booleans may be JSON booleans or the strings "true"/"false" (NWR sends strings). Whether the morefs
     * exist is vCenter's business: it fails the job, not the request. {@code Revert} needs the VM to still exist [U];
     * its booleans are optional. The other modes are answered 400 (not simulated).
     */
    private Reply recover(Call c, Backup b, String instanceId) {
        String mode = NetworkerSimulator.text(c.body, "recoverMode");
        if (mode == null) {
            throw new ApiError(400, "Missing required field 'recoverMode'");
        }
        if (!RECOVER_MODES.contains(mode)) {
            throw new ApiError(400, "Invalid recoverMode '" + mode + "': expected one of Revert, Instant, New, Disk, Application, FLR, Emergency");
        }
        for (String f : List.of("powerOn", "reconnectNic", "revertConfiguration", "deleteExistingBackingFile")) {
            bool(c.body.get(f), false, f);
        }
        if (mode.equals("New")) {
            List<String> missing = new ArrayList<>();
            for (String f : List.of("vCenterHostname", "datacenterMoref", "datastoreMoref", "vmFolderMoref", "vmName")) {
                if (NetworkerSimulator.text(c.body, f) == null) {
                    missing.add(f);
                }
            }
            for (String f : List.of("powerOn", "reconnectNic")) {
                if (c.body.get(f) == null || c.body.get(f).isNull()) {
                    missing.add(f);
                }
            }
            if (NetworkerSimulator.text(c.body, "clusterComputeResourceMoref") == null && NetworkerSimulator.text(c.body, "computeResourceMoref") == null) {
                missing.add("clusterComputeResourceMoref");
            }
            JsonNode disks = c.body.get("disks");
            if (disks != null && !disks.isNull()) {
                if (!disks.isArray()) {
                    throw new ApiError(400, "Field 'disks' must be an array");
                }
                for (int i = 0; i < disks.size(); i++) {
                    for (String f : List.of("key", "name", "datastoreMoref")) {
                        if (NetworkerSimulator.text(disks.get(i), f) == null) {
                            missing.add("disks[" + i + "]." + f);
                        }
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw new ApiError(400, "Missing required field" + (missing.size() > 1 ? "s" : "") + " for recoverMode New: "
                        + String.join(", ", missing));
            }
            String vc = NetworkerSimulator.text(c.body, "vCenterHostname");
            if (!sim.vcenters.containsKey(vc)) {
                throw new ApiError(400, "vCenter '" + vc + "' is not known to NetWorker");
            }
            Set<Integer> keys = new LinkedHashSet<>();
            b.disks().forEach(d -> keys.add(d.key()));
            for (JsonNode d : disks == null ? JSON.createArrayNode() : disks) {
                int key;
                try {
                    key = Integer.parseInt(d.get("key").asText().trim());
                } catch (NumberFormatException e) {
                    throw new ApiError(400, "disks[].key must be a number: " + d.get("key"));
                }
                if (!keys.contains(key)) {
                    throw new ApiError(400, "Disk with key " + key + " is not in backup '" + b.id() + "'");
                }
            }
        } else if (mode.equals("Revert")) {
            VCenterState vc = sim.vcenters.get(b.vCenterHostname());
            if (vc == null || !vc.vms.containsKey(b.vmUuid())) {
                throw new ApiError(400, "Cannot revert: VM '" + b.vmName() + "' (" + b.vmUuid() + ") no longer exists in vCenter '"
                        + b.vCenterHostname() + "'; recover it with recoverMode New");
            }
        } else {
            throw new ApiError(400, "recoverMode '" + mode + "' is not supported by the NetWorker simulator");
        }
        return accepted(sim.startRecover(b, instanceId, mode, c.body, c.bodyText));
    }

    /** 201 (or 202 when configured) with the job URL in {@code Location} and no body (§2.5). */
    private Reply accepted(JobState j) {
        Reply r = Reply.empty(sim.opStatus);
        r.headers.put("Location", base() + "/jobs/" + j.id);
        return r;
    }

    // =================================================================================================================
    // Rendering
    // =================================================================================================================

    private String base() {
        return sim.locationBase() + NetworkerSimulator.BASE_PATH;
    }

    private static ArrayNode links(String href) {
        ArrayNode a = JSON.createArrayNode();
        a.addObject().put("href", href).put("rel", "item");
        return a;
    }

    /** [U] the root resource: links to the collections (only the 200 matters, CS-N {@code authenticate()}). */
    private Reply root() {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode links = n.putArray("links");
        for (String c : List.of("protectionpolicies", "protectiongroups", "backups", "jobs", "vmware/vcenters", "vmware/vms", "vmware/protectedvms")) {
            links.addObject().put("href", base() + "/" + c).put("rel", c);
        }
        return Reply.json(200, n);
    }

    /**
     * Policy items carry {@code name, comment, policyProtectionEnable, policyProtectionPeriod, resourceId,
     * summaryNotification, workflows} (CS-N {@code ProtectionPolicy.java}); their values and the embedded workflow
     * shape are [U].
     */
    private ObjectNode policy(PolicyState p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("comment", p.comment);
        n.set("links", links(base() + "/protectionpolicies/" + enc(p.name)));
        n.put("name", p.name);
        n.put("policyProtectionEnable", true);
        n.put("policyProtectionPeriod", "1 Months");
        ObjectNode rid = n.putObject("resourceId");
        rid.put("id", p.resourceId);
        rid.put("sequence", 1);
        ObjectNode sn = n.putObject("summaryNotification");
        sn.put("command", "nsrlog -f policy_notifications.log");
        sn.put("executeOn", "Completion");
        ArrayNode wf = n.putArray("workflows");
        p.workflows.values().forEach(w -> wf.add(workflow(w)));
        return n;
    }

    /** [U] a workflow: name, its groups by name, one backup action whose retention is the workflow's. */
    private ObjectNode workflow(WorkflowState w) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode actions = n.putArray("actions");
        ObjectNode a = actions.addObject();
        a.put("actionType", "backup");
        a.put("enabled", true);
        a.put("name", "backup");
        ObjectNode backup = a.putObject("actionSpecificData").putObject("backup");
        backup.put("backupSubType", "VMware (vProxy)");
        backup.put("destinationPool", "Default");
        backup.put("retentionPeriod", w.retention.toDays() + " Days");
        n.put("autoStartEnabled", true);
        n.put("comment", "");
        n.put("enabled", true);
        n.set("links", links(base() + "/protectionpolicies/" + enc(w.policy) + "/workflows/" + enc(w.name)));
        n.put("name", w.name);
        ArrayNode groups = n.putArray("protectionGroups");
        w.groups.forEach(groups::add);
        n.put("startInterval", "24:00");
        n.put("startTime", "21:00");
        return n;
    }

    /** VM groups have {@code vmwareWorkItemSelection.vmUuids[]} (SLZ); the other fields are [U]. */
    private ObjectNode group(GroupState g) {
        ObjectNode n = JSON.createObjectNode();
        n.put("comment", g.comment);
        n.set("links", links(base() + "/protectiongroups/" + enc(g.name)));
        n.put("name", g.name);
        ObjectNode rid = n.putObject("resourceId");
        rid.put("id", g.resourceId);
        rid.put("sequence", g.sequence);
        n.put("workItemSubType", "None");
        n.put("workItemType", "VMware");
        ObjectNode sel = n.putObject("vmwareWorkItemSelection");
        ArrayNode containers = sel.putArray("containerMorefs");
        g.containerMorefs.forEach(containers::add);
        if (g.vCenter != null) {
            sel.put("vCenterHostname", g.vCenter);
        }
        ArrayNode uuids = sel.putArray("vmUuids");
        g.vmUuids.forEach(uuids::add);
        return n;
    }

    /** [U] a vCenter item: {@code hostname} and links. */
    private ObjectNode vcenter(VCenterState vc) {
        ObjectNode n = JSON.createObjectNode();
        n.put("hostname", vc.hostname);
        n.set("links", links(base() + "/vmware/vcenters/" + enc(vc.hostname)));
        return n;
    }

    /**
     * {@code name} and {@code uuid} are known (SLZ, NWR); the rest is [U]: the morefs of the VM's placement, which a
     * real server may not expose (a client may get them from vCenter instead, §2.7).
     */
    private ObjectNode vm(Vm vm) {
        ObjectNode n = JSON.createObjectNode();
        Placement p = vm.placement();
        n.put("clusterComputeResourceMoref", p.clusterComputeResourceMoref());
        n.put("datacenterMoref", p.datacenterMoref());
        n.put("datastoreMoref", p.datastoreMoref());
        n.put("hostMoref", p.hostMoref());
        n.set("links", links(base() + "/vmware/vcenters/" + enc(vm.vCenterHostname()) + "/vms/" + enc(vm.uuid())));
        n.put("morefId", vm.moref());
        n.put("name", vm.name());
        n.put("powerState", vm.poweredOn() ? "poweredOn" : "poweredOff");
        n.put("resourcePoolMoref", p.resourcePoolMoref());
        n.put("uuid", vm.uuid());
        n.put("vCenterHostname", vm.vCenterHostname());
        n.put("vmFolderMoref", p.vmFolderMoref());
        return n;
    }

    /**
     * Protected VMs: those in a protection group or with backups, including VMs vCenter no longer has (rendered from
     * their newest backup) so that a client can still reach their backups [U: which VMs a real server lists here].
     */
    private List<ObjectNode> protectedVms(VCenterState vc) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (GroupState g : sim.groups.values()) {
            if (vc.hostname.equals(g.vCenter)) {
                for (String uuid : g.vmUuids) {
                    Vm vm = vc.vms.get(uuid);
                    if (vm != null) {
                        out.putIfAbsent(uuid, protectedVm(vm));
                    }
                }
            }
        }
        for (Backup b : sim.backups.values()) {
            if (b.vCenterHostname().equals(vc.hostname)) {
                Vm vm = vc.vms.get(b.vmUuid());
                out.put(b.vmUuid(), vm != null ? protectedVm(vm) : goneVm(b));
            }
        }
        return List.copyOf(out.values());
    }

    private ObjectNode protectedVm(Call c) {
        String uuid = c.param("uuid");
        return protectedVms(vcenterOf(c)).stream().filter(n -> n.path("uuid").asText().equals(uuid)).findFirst()
                .orElseThrow(() -> new ApiError(404, "Protected VM with uuid '" + uuid + "' not found in vCenter '" + c.param("vc") + "'"));
    }

    private ObjectNode protectedVm(Vm vm) {
        ObjectNode n = vm(vm);
        n.set("links", links(base() + "/vmware/vcenters/" + enc(vm.vCenterHostname()) + "/protectedvms/" + enc(vm.uuid())));
        return n;
    }

    private ObjectNode goneVm(Backup b) {
        ObjectNode n = JSON.createObjectNode();
        n.set("links", links(base() + "/vmware/vcenters/" + enc(b.vCenterHostname()) + "/protectedvms/" + enc(b.vmUuid())));
        n.put("name", b.vmName());
        n.put("uuid", b.vmUuid());
        n.put("vCenterHostname", b.vCenterHostname());
        return n;
    }

    /**
     * [U] shape: a list {@code {"count":N,"protectionDetails":[{"protectionPolicy":{"name"},"workflow":{"name"},
     * "protectionGroup":{"name"}}]}}, one item per workflow protecting the VM. What is known is that clients read
     * {@code protectionPolicy.name} and {@code workflow.name} (NWPS, DAN).
     */
    private Reply protectionDetails(Call c) {
        Vm vm = vmOf(c);
        List<ObjectNode> items = new ArrayList<>();
        for (String[] t : sim.protectingWorkflows(vm)) {
            ObjectNode n = JSON.createObjectNode();
            ObjectNode p = n.putObject("protectionPolicy");
            p.put("name", t[0]);
            p.set("links", links(base() + "/protectionpolicies/" + enc(t[0])));
            ObjectNode w = n.putObject("workflow");
            w.put("name", t[1]);
            w.set("links", links(base() + "/protectionpolicies/" + enc(t[0]) + "/workflows/" + enc(t[1])));
            ObjectNode g = n.putObject("protectionGroup");
            g.put("name", t[2]);
            g.set("links", links(base() + "/protectiongroups/" + enc(t[2])));
            items.add(n);
        }
        return list("protectionDetails", items, c);
    }

    private String vmBackupPath(Backup b) {
        return base() + "/vmware/vcenters/" + enc(b.vCenterHostname()) + "/protectedvms/" + enc(b.vmUuid()) + "/backups/" + enc(b.id());
    }

    /**
     * The fields of §2.6: those of CS-N {@code NetworkerBackup.java} ({@code attributes, browseTime, clientHostname,
     * clientId, completionTime, creationTime, fileCount, id, instances, level, links, name, retentionTime, saveTime,
     * shortId, size{unit,value}, type}) plus {@code vmInformation} (NWR). Values chosen [U]: {@code name} and
     * {@code clientHostname} are the VM name (so {@code q=name:{vm}} finds a VM's backups), {@code type} is
     * {@code VMware}, {@code level} {@code Full}, sizes in bytes.
     */
    private ObjectNode backup(Backup b, boolean vmwarePath) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode attrs = n.putArray("attributes");
        if (b.policy() != null) {
            attrs.addObject().put("key", "*policy name").putArray("values").add(b.policy());
            attrs.addObject().put("key", "*policy workflow name").putArray("values").add(b.workflow());
            attrs.addObject().put("key", "*policy action name").putArray("values").add("backup");
        }
        n.put("browseTime", TIME.format(b.retentionTime()));
        n.put("clientHostname", b.vmName());
        n.put("clientId", "7c2f0a1e-00000004-" + b.vmUuid().substring(0, 8) + "-5c2f0a1d-00010000-7f000001");
        n.put("completionTime", TIME.format(b.completionTime()));
        n.put("creationTime", TIME.format(b.saveTime()));
        n.put("fileCount", b.disks().size());
        n.put("id", b.id());
        ArrayNode inst = n.putArray("instances");
        inst.add(instance(b, vmwarePath, b.instanceId()));
        n.put("level", "Full");
        n.set("links", links(vmwarePath ? vmBackupPath(b) : base() + "/backups/" + enc(b.id())));
        n.put("name", b.vmName());
        n.put("retentionTime", TIME.format(b.retentionTime()));
        n.put("saveTime", TIME.format(b.saveTime()));
        n.put("shortId", Long.toString(b.shortId()));
        ObjectNode size = n.putObject("size");
        size.put("unit", "Byte");
        size.put("value", b.sizeBytes());
        n.put("type", "VMware");
        ObjectNode vi = n.putObject("vmInformation");
        vi.put("datastoreMoref", b.datastoreMoref());
        ArrayNode disks = vi.putArray("disks");
        for (Disk d : b.disks()) {
            ObjectNode dn = disks.addObject();
            dn.put("datastoreMoref", d.datastoreMoref());
            dn.put("datastoreName", d.datastoreName());
            dn.put("key", d.key());
            dn.put("name", d.name());
            dn.put("sizeInKb", d.sizeInKb());
            dn.put("thinProvisioned", d.thinProvisioned());
        }
        vi.put("vCenterHostname", b.vCenterHostname());
        vi.put("vmMoref", b.vmMoref());
        vi.put("vmName", b.vmName());
        vi.put("vmUuid", b.vmUuid());
        return n;
    }

    /**
     * {@code {id, clone:"false", links}} (§2.6); {@code links[1]} is the instance's recover URL, which NWR posts to, so
     * the order matters. The recover URL is always the vCenter one, also for items of {@code /global/backups}.
     */
    private ObjectNode instance(Backup b, boolean vmwarePath, String instanceId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("clone", "false");
        n.put("id", instanceId);
        ArrayNode links = n.putArray("links");
        String self = (vmwarePath ? vmBackupPath(b) : base() + "/backups/" + enc(b.id())) + "/instances/" + enc(instanceId);
        links.addObject().put("href", self).put("rel", "item");
        links.addObject().put("href", vmBackupPath(b) + "/instances/" + enc(instanceId) + "/op/recover").put("rel", "recover");
        n.put("status", "BrowsableRecoverable");
        return n;
    }

    /** [U] the plural of the instances list. */
    private Reply instances(Backup b, boolean vmwarePath, Call c) {
        return list("backupInstances", List.of(instance(b, vmwarePath, b.instanceId())), c);
    }

    /**
     * The fields of the §2.5 fixture. {@code endTime} appears once stopped. A failed or cancelled job carries its text in
     * {@code message} [U: where a real server puts it is unknown; it is also in {@code GET .../jobs/{id}/log}].
     * {@code parentJobId}/{@code rootParentJobId} are 0: the simulator makes one job per operation, no children.
     */
    private ObjectNode job(JobState j) {
        Instant now = sim.clock.instant();
        ObjectNode n = JSON.createObjectNode();
        n.put("adhocJob", j.adhoc);
        if (j.clientHostname != null) {
            // [U] which job of a real VM backup's tree names the VM as its client; here the one job does.
            n.put("clientHostname", j.clientHostname);
        }
        n.put("command", j.command);
        n.put("completionStatus", j.completionStatus);
        if (j.end != null) {
            n.put("endTime", TIME.format(j.end));
        }
        n.put("exitCode", j.exitCode);
        n.put("id", j.id);
        n.put("itemIdLong", j.id);
        n.set("links", links(base() + "/jobs/" + j.id));
        if (j.message != null) {
            n.put("message", j.message);
        }
        n.put("name", j.name);
        n.put("parentJobId", 0);
        n.put("rootParentJobId", 0);
        n.put("runOnHost", sim.serverHostname);
        n.putArray("siblingJobIds");
        n.put("startTime", TIME.format(j.start));
        n.put("state", sim.stateName(j, now));
        n.put("stopped", j.stopped);
        n.put("type", j.type);
        return n;
    }

    /** [U] the job log as plain text lines. */
    private String log(JobState j) {
        StringBuilder s = new StringBuilder();
        s.append(TIME.format(j.start)).append(" Job ").append(j.id).append(" '").append(j.name).append("' started: ").append(j.command).append('\n');
        for (String b : j.backupIds) {
            s.append(TIME.format(j.end)).append(" Created backup ").append(b).append('\n');
        }
        if (j.recoveredVmUuid != null) {
            s.append(TIME.format(j.end)).append(" Recovered VM ").append(j.recoveredVmUuid).append('\n');
        }
        if (j.message != null) {
            s.append(TIME.format(j.end)).append(" ").append(j.message).append('\n');
        }
        if (j.stopped) {
            s.append(TIME.format(j.end)).append(" Job ").append(j.id).append(" completed: ").append(j.completionStatus).append('\n');
        }
        return s.toString();
    }

    /**
     * {@code GET /backups}: every save set, oldest save time first [U: a real server's order is not documented; Lifeboat
     * pages through it and tolerates any order]. A {@code saveTime} range starts from the save-time index, so a query
     * for what is new costs what it returns, whatever the number of backups held.
     */
    private Reply backups(Call c) {
        Query q = query(c);
        Instant[] range = q.timeRange("saveTime");
        Iterable<Backup> candidates = range == null ? sim.backups.values() : sim.backups.savedBetween(range[0], range[1]);
        List<ObjectNode> items = new ArrayList<>();
        for (Backup b : candidates) {
            items.add(backup(b, false));
        }
        return list("backups", items, c);
    }

    private Query query(Call c) {
        try {
            return Query.parse(c.query.get("q"), sim.clock.instant());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    /**
     * {@code {"count":N,"<plural>":[...]}} after {@code q} and {@code fl} (§2.2), then {@code offset} and {@code limit}
     * [U: NetWorker's paging parameters are believed, not verified]. {@code count} is every item the query matches,
     * whatever the page holds [U], so a client can tell whether more follow; without {@code limit}, the whole list.
     */
    private Reply list(String plural, List<ObjectNode> items, Call c) {
        Query q = query(c);
        int offset = paging(c, "offset", 0, 0);
        int limit = paging(c, "limit", Integer.MAX_VALUE, 1);
        ObjectNode n = JSON.createObjectNode();
        ArrayNode arr = JSON.createArrayNode();
        int matched = 0;
        for (ObjectNode item : items) {
            if (q.matches(item)) {
                if (matched >= offset && arr.size() < limit) {
                    arr.add(Query.project(item, c.query.get("fl")));
                }
                matched++;
            }
        }
        n.put("count", matched);
        n.set(plural, arr);
        return Reply.json(200, n);
    }

    private static int paging(Call c, String name, int dflt, int min) {
        String v = c.query.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ApiError(400, "Invalid value '" + v + "' for query parameter '" + name + "': expected an integer of at least " + min);
    }

    private Reply one(ObjectNode item, Call c) {
        return Reply.json(200, Query.project(item, c.query.get("fl")));
    }

    // =================================================================================================================
    // Values
    // =================================================================================================================

    /** A JSON boolean or the strings "true"/"false" in any case (NWR sends strings, others booleans, §2.7). */
    static boolean bool(JsonNode v, boolean dflt) {
        if (v == null || v.isNull()) {
            return dflt;
        }
        return v.isBoolean() ? v.booleanValue() : v.asText().trim().equalsIgnoreCase("true");
    }

    private static boolean bool(JsonNode v, boolean dflt, String field) {
        if (v != null && !v.isNull() && !v.isBoolean()) {
            String t = v.isTextual() ? v.asText().trim().toLowerCase(Locale.ROOT) : "";
            if (!t.equals("true") && !t.equals("false")) {
                throw new ApiError(400, "Field '" + field + "' must be true or false, not " + v);
            }
        }
        return bool(v, dflt);
    }

    private static List<String> strings(JsonNode v, String field) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new ApiError(400, "Field '" + field + "' must be an array of strings");
        }
        for (JsonNode e : v) {
            if (!e.isTextual() || e.asText().isBlank()) {
                throw new ApiError(400, "Field '" + field + "' must be an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Entity";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }

    // =================================================================================================================
    // Plumbing types
    // =================================================================================================================

    private record Route(String method, List<String> pattern, Function<Call, Reply> handler) {
        Map<String, String> match(List<String> segments) {
            if (segments.size() != pattern.size()) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < pattern.size(); i++) {
                String p = pattern.get(i);
                if (p.startsWith("{")) {
                    params.put(p.substring(1, p.length() - 1), segments.get(i));
                } else if (!p.equals(segments.get(i))) {
                    return null;
                }
            }
            return params;
        }
    }

    private record Call(Map<String, String> params, Map<String, String> query, JsonNode body, String bodyText) {
        String param(String name) {
            return params.get(name);
        }
    }

    private static final class Reply {
        final int status;
        final String contentType;
        final String body;
        final Map<String, String> headers = new LinkedHashMap<>();

        private Reply(int status, String contentType, String body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }

        static Reply json(int status, JsonNode body) {
            return new Reply(status, "application/json", body.toString());
        }

        static Reply text(int status, String body) {
            return new Reply(status, "text/plain; charset=utf-8", body);
        }

        static Reply empty(int status) {
            return new Reply(status, null, null);
        }

        static Reply error(int status, String message) {
            return new Reply(status, ERROR_BODY.contentType(), ERROR_BODY.render(status, message));
        }
    }

    private static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
