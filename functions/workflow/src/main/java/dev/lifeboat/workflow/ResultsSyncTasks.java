package dev.lifeboat.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.ResultsSync;
import dev.lifeboat.domain.backup.SyncRepository.ListedPoint;
import dev.lifeboat.domain.backup.SyncRepository.Mark;
import dev.lifeboat.domain.backup.SyncRepository.PointPage;
import dev.lifeboat.domain.backup.SyncRepository.PointedVm;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.plugin.Command;
import dev.lifeboat.plugin.CommandJson;
import dev.lifeboat.plugin.Operation;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.store.RoundTrips;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tasks of results sync (statemachines/results-sync.asl.json). Per datacenter two phases run side by side, each a
 * loop whose state (the phase's {@code run}) stays the same small size whatever the number of VMs:
 * <ul>
 *   <li>{@code NEW}: what the backup system created since the datacenter's watermark, in bulk, a page per plugin call,
 *       matched to VMs by their hypervisor identity (types that list in bulk: {@link #BULK});</li>
 *   <li>{@code SLICE}: a rotating slice of the configured VMs, {@link #HELD_BATCH} per plugin command, whose restore
 *       points the backup system still holds are listed as references only, in pages bounded in bytes; Lifeboat's
 *       SUCCESS backups of those VMs that it no longer holds become EXPIRED (types that do not list in bulk list ten VMs
 *       at a time in full instead, every configured VM, every run, and have no NEW phase).</li>
 * </ul>
 * Then {@code sync.finish} adds the phases up: the watermark moves to when this run began, and the slice's position is
 * kept. The phases share no state but the table: the slice leaves alone the backups the NEW phase may be writing at
 * that moment ({@link #expiryBound}).
 * A run that fails moves nothing, so the next one asks again from the same watermark; discoveries are idempotent, so
 * overlapping runs and repeated pages create no duplicates.
 */
final class ResultsSyncTasks {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** VMs per LIST_RESULTS of a type that lists VM by VM: ten VMs with their restore points stay far below 32 KB. */
    static final int SYNC_BATCH = 10;
    /**
     * VMs per held listing of the slice (LIST_RESULTS of references only), and fewer when their JSON would pass
     * {@link #HELD_COMMAND_BYTES}: the run carries the command beside one answer page of at most
     * {@link dev.lifeboat.plugin.HeldPages#BUDGET_BYTES} and {@link #NAMED_SKIPS_BYTES} of skips, below 32 KB together.
     */
    static final int HELD_BATCH = 64;
    /** Bytes of JSON a held command takes at most, the manager included (unless one VM alone is larger). */
    static final int HELD_COMMAND_BYTES = 11 * 1024;
    /** Bytes of JSON the named skips of a run take at most. */
    static final int NAMED_SKIPS_BYTES = 4 * 1024;
    /** Manager types whose plugin lists the whole backup system in pages (LIST_RESULTS without VMs). */
    static final Set<ManagerType> BULK = Set.of(ManagerType.VEEAM, ManagerType.NETWORKER, ManagerType.VMWARE_SNAPSHOT);
    /**
     * The expiry slice of a bulk type: {@code ceil(configured VMs / SLICES)}, at least {@link #MIN_SLICE} VMs a run. At
     * the default rate of a run every 10 minutes, every configured VM is compared in full at least every 97 runs,
     * about 16 hours: each VM at least once a day.
     */
    static final int SLICES = 96;
    static final int MIN_SLICE = 100;
    /** Pages of new restore points one run reads at most (100 each); the next run goes on from the last one read. */
    static final int MAX_NEW_PAGES = 500;
    /** How far back the first run of a datacenter asks; older points are found by the slice. */
    static final Duration FIRST_LOOKBACK = Duration.ofDays(1);
    /** Skipped VMs a report names at most (the count is always exact). */
    static final int MAX_NAMED_SKIPS = 20;
    /** A named skip's message is cut to this length, so that the run object stays bounded. */
    static final int MAX_SKIP_MESSAGE = 240;

    private final WorkflowServices services;

    ResultsSyncTasks(WorkflowServices services) {
        this.services = services;
    }

    /**
     * The backstop, once per run, by index: backups and restores that outlived their workflow and configurations
     * PENDING for an hour, whichever datacenter they are in. Only the overdue ones are read.
     */
    JsonNode backstop() {
        Instant now = services.clock.instant();
        Instant queuedBefore = now.minus(Duration.ofMinutes(15));
        Map<String, Instant> runningBefore = new HashMap<>();
        Duration shortest = services.timeouts.values().stream().min(Duration::compareTo).orElse(Duration.ofHours(1));
        Instant earliestBound = now.minus(shortest).minus(Duration.ofHours(1));
        java.util.function.Function<String, Instant> bound = dc -> runningBefore.computeIfAbsent(dc, d -> now
                .minus(services.config.findManager(d).map(m -> services.timeouts.get(m.type())).orElse(Duration.ofHours(4)))
                .minus(Duration.ofHours(1)));
        int lost = services.sync.sweep(
                concat(services.syncStore.backupsDue("QUEUED", queuedBefore), services.syncStore.backupsDue("RUNNING", earliestBound)),
                concat(services.syncStore.restoresDue("QUEUED", queuedBefore), services.syncStore.restoresDue("RUNNING", earliestBound)),
                queuedBefore, bound);
        for (VirtualMachine vm : services.syncStore.pendingConfigurationsDue(now.minus(Duration.ofHours(1)))) {
            if (services.configurations.failIfStale(vm, now.minus(Duration.ofHours(1)))) {
                lost++;
            }
        }
        SyncMetrics.backstop(lost);
        return NODES.objectNode().put("lost", lost);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * The datacenter's manager, watermark and slice position, and the phases of this run with their first plugin
     * command each ({@code phases}): NEW and SLICE for a type that lists in bulk, SLICE alone for one that does not.
     */
    JsonNode begin(JsonNode in) {
        String datacenter = WorkflowTasksHandler.text(in, "datacenter");
        Instant startedAt = services.clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<BackupManager> manager = services.config.findManager(datacenter);
        ObjectNode run = NODES.objectNode().put("datacenter", datacenter);
        if (manager.isEmpty()) {
            SyncMetrics.nothingToList(datacenter);
            return run.put("runs", false);
        }
        ManagerType type = manager.get().type();
        Mark mark = services.syncStore.mark(datacenter);
        ObjectNode phase = NODES.objectNode().put("datacenter", datacenter).put("managerType", type.name())
                .put("pluginFunction", services.plugins.of(type)).put("startedAt", startedAt.toString())
                .put("discovered", 0).put("updated", 0).put("expired", 0).put("skipped", 0).put("pages", 0);
        phase.putArray("skippedVms");
        run.put("startedAt", startedAt.toString());
        ArrayNode phases = NODES.arrayNode();
        ObjectNode slice = phase.deepCopy().put("phase", "SLICE");
        if (BULK.contains(type)) {
            long configured = services.config.findUsage(datacenter).configuredVms();
            if (configured <= 0) {
                SyncMetrics.nothingToList(datacenter);
                return run.put("runs", false);
            }
            // Restore points become visible when their job ends, up to the type's timeout after their creation time.
            Instant since = (mark.watermark() != null ? mark.watermark() : startedAt.minus(FIRST_LOOKBACK)).minus(services.timeouts.get(type));
            ObjectNode fresh = phase.deepCopy().put("phase", "NEW").put("since", since.toString());
            fresh.set("command", CommandJson.toJson(Command.of(Operation.LIST_RESULTS, Commands.manager(manager.get())).withResultPage(since, null)));
            phases.add(fresh);
            slice.put("expireRequestedBefore", expiryBound(since, type).toString())
                    .put("sliceLeft", Math.max(MIN_SLICE, (configured + SLICES - 1) / SLICES));
            // None when the saved position was the listing's end: the next run begins it again.
            if (nextBatch(slice, Commands.manager(manager.get()), mark.sliceCursor())) phases.add(slice);
        } else {
            // Every configured VM, every run: the type lists only VM by VM.
            slice.put("sliceLeft", -1);
            if (nextBatch(slice, Commands.manager(manager.get()), null)) phases.add(slice);
        }
        if (phases.isEmpty()) {
            SyncMetrics.nothingToList(datacenter);
            return run.put("runs", false);
        }
        run.put("runs", true).set("phases", phases);
        return run;
    }

    /**
     * Backups requested from this time on are not expired by a run whose NEW phase reads from {@code since}: that phase,
     * running beside the slice, may be giving them their restore point's reference at this very moment (a discovery's
     * request time is its point's creation, at or after {@code since}; a backup Lifeboat ran began at most the type's
     * timeout before its point), after the slice listed what the backup system holds. A later pass of the slice compares
     * them; a point deleted within two timeouts of its creation is marked EXPIRED a rotation (at most a day) later.
     */
    private Instant expiryBound(Instant since, ManagerType type) {
        return since.minus(services.timeouts.get(type));
    }

    /**
     * Records one plugin answer of a phase and says what to ask next, or that the phase is done (without its command,
     * so that the phases' results stay small).
     */
    JsonNode record(JsonNode in) {
        ObjectNode run = ((ObjectNode) in.path("run")).deepCopy();
        JsonNode page = in.path("page");
        run.put("pages", run.path("pages").asInt() + 1);
        if (run.path("phase").asText().equals("NEW")) {
            recordNew(run, page);
            String next = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
            if (next != null && run.path("pages").asInt() < MAX_NEW_PAGES) {
                // The same listing, the next page: the manager as the run began with it, not read again per page.
                ((ObjectNode) run.get("command")).put("cursor", next);
                return run;
            }
            if (next != null) {
                // Too many for one run: the next goes on from the newest point read here.
                run.put("watermarkTo", run.path("newest").asText(run.path("since").asText()));
            }
            return done(run);
        }
        // The manager as the run began with it (as for NEW pages), not read again per page: a manager changed or removed
        // meanwhile is the next run's.
        Refs.Manager manager = CommandJson.command(run.get("command")).manager();
        if (run.path("held").asBoolean(false)) {
            recordHeld(run, page);
            String more = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
            if (more != null) {
                // The same VMs, from the first one this page did not carry.
                ObjectNode command = ((ObjectNode) run.get("command"));
                command.put("cursor", more);
                return run;
            }
        } else {
            recordSlice(run, page);
        }
        String from = run.path("sliceCursor").isTextual() ? run.get("sliceCursor").asText() : null;
        if (from == null || run.path("sliceLeft").asLong() == 0 || !nextBatch(run, manager, from)) {
            return done(run);
        }
        return run;
    }

    private static ObjectNode done(ObjectNode run) {
        run.put("phase", "DONE").remove(List.of("command", "held", "vmIds"));
        return run;
    }

    private void recordNew(ObjectNode run, JsonNode page) {
        String datacenter = run.get("datacenter").asText();
        Map<PointedVm, List<ResultsSync.Observed>> byVm = new LinkedHashMap<>();
        Map<String, PointedVm> vmsById = new HashMap<>();
        Instant newest = run.hasNonNull("newest") ? Instant.parse(run.get("newest").asText()) : null;
        List<JsonNode> results = new ArrayList<>();
        page.path("results").forEach(results::add);
        // The page's VMs by pointer (which tells what recording needs of a VM, without reading it) and, read beside
        // them, the backups Lifeboat already has of the listed points.
        PointPage looked = services.syncStore.pointPage(datacenter,
                results.stream().map(r -> new Hypervisor(text(r, "vcenter"), text(r, "moref"), text(r, "uuid"))).toList(),
                results.stream().map(ResultsSyncTasks::listed).toList());
        List<Optional<PointedVm>> found = new ArrayList<>(looked.vms());
        // No pointer: a VM written before pointers existed, or not Lifeboat's; the index decides, a Query each.
        List<Integer> unresolved = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) if (found.get(i).isEmpty()) unresolved.add(i);
        List<Optional<PointedVm>> fromIndex = RoundTrips.each(unresolved, i -> services.syncStore.vmByHypervisor(datacenter,
                text(results.get(i), "vcenter"), text(results.get(i), "moref"), text(results.get(i), "uuid")).map(PointedVm::of));
        for (int k = 0; k < unresolved.size(); k++) found.set(unresolved.get(k), fromIndex.get(k));
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            Optional<PointedVm> vm = found.get(i);
            if (vm.isEmpty() || !vm.get().configured()) {
                continue; // not a VM of Lifeboat's, or one without a backup configuration: not Lifeboat's to record
            }
            PointedVm known = vmsById.computeIfAbsent(vm.get().id(), id -> vm.get());
            ResultsSync.Observed o = observed(known.id(), r);
            byVm.computeIfAbsent(known, k -> new ArrayList<>()).add(o);
            if (o.startedAt() != null && (newest == null || o.startedAt().isAfter(newest))) newest = o.startedAt();
        }
        if (newest != null) run.put("newest", newest.toString());
        // Only the backups of the listed points, read by key (two keys a point, a hundred keys a read; those of VMs the
        // index found now); the page's discoveries are written a transaction per hundred items.
        Map<String, List<Backup>> knownByVm = new HashMap<>(looked.knownByVm());
        Map<String, Set<ListedPoint>> points = new HashMap<>();
        byVm.forEach((vm, seen) -> seen.forEach(o -> {
            if (!knownByVm.containsKey(vm.id())) points.computeIfAbsent(vm.id(), id -> new HashSet<>()).add(new ListedPoint(o.ref(), o.startedAt()));
        }));
        if (!points.isEmpty()) knownByVm.putAll(services.syncStore.backupsOf(points));
        add(run, services.sync.recordNew(byVm, knownByVm));
    }

    /**
     * Compares one page of held references with Lifeboat's backups of those VMs (one range of an index): the SUCCESS ones
     * no longer held become EXPIRED. VMs the plugin could not look at (or with more points than a page) are skipped.
     */
    private void recordHeld(ObjectNode run, JsonNode page) {
        Map<String, Set<String>> held = new LinkedHashMap<>();
        for (JsonNode h : page.path("held")) {
            Set<String> refs = new HashSet<>();
            h.path("refs").forEach(r -> refs.add(r.asText()));
            held.put(h.path("vmId").asText(), refs);
        }
        // The VMs of a command are consecutive in the VM listing, as the index of held backups sorts them: their
        // backups are one range, read in pages of 1 MB instead of a Query per VM.
        Map<String, List<Backup>> knownByVm = held.isEmpty() ? Map.of()
                : services.syncStore.heldBackups(run.get("datacenter").asText(), Collections.min(held.keySet()),
                        Collections.max(held.keySet()));
        ResultsSync.Outcome expired = services.sync.expireUnheld(held, knownByVm, Instant.parse(run.get("startedAt").asText()),
                run.hasNonNull("expireRequestedBefore") ? Instant.parse(run.get("expireRequestedBefore").asText()) : null);
        List<ErrorInfo> skipped = new ArrayList<>();
        for (JsonNode f : page.path("failures")) {
            skipped.add(new ErrorInfo(f.path("code").asText("UNKNOWN"), f.path("vmId").asText() + ": " + f.path("message").asText("")));
        }
        add(run, new ResultsSync.Outcome(0, 0, expired.expired(), skipped));
    }

    /** Compares exactly the VMs that were listed (a VM configured meanwhile has no results yet, and expires nothing). */
    private void recordSlice(ObjectNode run, JsonNode page) {
        List<VirtualMachine> vms = new ArrayList<>();
        for (JsonNode id : run.path("vmIds")) {
            services.vms.findVm(id.asText()).ifPresent(vms::add);
        }
        List<ResultsSync.Observed> observed = new ArrayList<>();
        for (JsonNode r : page.path("results")) {
            observed.add(observed(r.path("vmId").asText(), r));
        }
        Map<String, ErrorInfo> failed = new HashMap<>();
        for (JsonNode f : page.path("failures")) {
            failed.put(f.path("vmId").asText(), new ErrorInfo(f.path("code").asText("UNKNOWN"), f.path("message").asText("")));
        }
        add(run, services.sync.record(vms, observed, failed));
    }

    private static void add(ObjectNode run, ResultsSync.Outcome outcome) {
        run.put("discovered", run.path("discovered").asInt() + outcome.discovered())
                .put("updated", run.path("updated").asInt() + outcome.updated())
                .put("expired", run.path("expired").asInt() + outcome.expired())
                .put("skipped", run.path("skipped").asInt() + outcome.skipped().size());
        ArrayNode named = (ArrayNode) run.get("skippedVms");
        for (ErrorInfo e : outcome.skipped()) {
            if (named.size() < MAX_NAMED_SKIPS) {
                String m = e.message() == null ? "" : e.message();
                ObjectNode skip = NODES.objectNode().put("code", e.code())
                        .put("message", m.length() <= MAX_SKIP_MESSAGE ? m : m.substring(0, MAX_SKIP_MESSAGE - 1) + "…");
                if (CommandJson.TREES.bytes(named).length + CommandJson.TREES.bytes(skip).length + 1 <= NAMED_SKIPS_BYTES) named.add(skip);
            }
        }
    }

    /**
     * The next VMs of the slice, from {@code from} (a position in the datacenter's VM listing; null: its first VM):
     * up to {@link #SYNC_BATCH} configured ones, with their LIST_RESULTS command. False when the listing has no more.
     */
    private boolean nextBatch(ObjectNode run, Refs.Manager manager, String from) {
        String datacenter = run.get("datacenter").asText();
        long left = run.path("sliceLeft").asLong(-1);
        boolean held = BULK.contains(manager.type());
        int batchSize = held ? HELD_BATCH : SYNC_BATCH;
        int want = left < 0 ? batchSize : (int) Math.min(batchSize, left);
        List<VirtualMachine> batch = new ArrayList<>();
        String cursor = from;
        // A held command is bounded in bytes as well as in VMs (names and references may be long): the VM that would
        // take it past HELD_COMMAND_BYTES waits for the next command, and the listing is read again up to it.
        int base = held ? CommandJson.TREES.bytes(Commands.listHeld(manager, List.of())).length : 0;
        int bytes = base;
        boolean full = false;
        do {
            String before = cursor;
            Page<VirtualMachine> page = services.vms.listVms(null, datacenter, new PageRequest(want - batch.size(), cursor));
            cursor = page.nextCursor();
            for (int k = 0; k < page.items().size(); k++) {
                VirtualMachine vm = page.items().get(k);
                if (vm.backup().policies().isEmpty()) continue;
                int size = held ? CommandJson.TREES.bytes(CommandJson.toJson(Command.of(Operation.LIST_RESULTS, manager)
                        .withHeld(List.of(Commands.vm(vm)), null))).length - base + 1 : 0;
                if (held && !batch.isEmpty() && bytes + size > HELD_COMMAND_BYTES) {
                    // Where this VM begins: after the k items before it (none: where this page began).
                    cursor = k == 0 ? before : services.vms.listVms(null, datacenter, new PageRequest(k, before)).nextCursor();
                    full = true;
                    break;
                }
                bytes += size;
                batch.add(vm);
            }
        } while (!full && batch.size() < want && cursor != null);
        if (batch.isEmpty()) {
            run.remove("sliceCursor");
            return false;
        }
        if (cursor != null) run.put("sliceCursor", cursor); else run.remove("sliceCursor");
        if (left >= 0) run.put("sliceLeft", left - batch.size());
        if (held) {
            // The command names the VMs: the run carries no second list of them.
            run.put("held", true).remove("vmIds");
            run.set("command", Commands.listHeld(manager, batch));
            return true;
        }
        ArrayNode ids = run.putArray("vmIds");
        batch.forEach(vm -> ids.add(vm.id()));
        run.set("command", Commands.listResults(manager, batch));
        return true;
    }

    /** The watermark and the slice's position move only now, when every page of both phases went through. */
    JsonNode finish(JsonNode in) {
        JsonNode run = in.path("run");
        String datacenter = WorkflowTasksHandler.text(run, "datacenter");
        Instant startedAt = Instant.parse(WorkflowTasksHandler.text(run, "startedAt"));
        Mark before = services.syncStore.mark(datacenter);
        Instant watermark = before.watermark();
        String sliceAt = null;
        ObjectNode out = NODES.objectNode().put("datacenter", datacenter).put("ok", true).put("discovered", 0).put("updated", 0).put("expired", 0);
        ArrayNode skippedVms = out.putArray("skippedVms");
        int skipped = 0;
        for (JsonNode phase : run.path("phases")) {
            if (phase.has("since")) {
                // A run cut short after MAX_NEW_PAGES goes on from the newest point it read (plus the overlap next time).
                watermark = phase.hasNonNull("watermarkTo") ? Instant.parse(phase.get("watermarkTo").asText()) : startedAt;
            }
            if (phase.path("sliceLeft").asLong(-1) >= 0 && phase.path("sliceCursor").isTextual()) sliceAt = phase.get("sliceCursor").asText();
            for (String count : List.of("discovered", "updated", "expired")) out.put(count, out.get(count).asInt() + phase.path(count).asInt());
            skipped += phase.path("skipped").asInt();
            for (JsonNode named : phase.path("skippedVms")) if (skippedVms.size() < MAX_NAMED_SKIPS) skippedVms.add(named);
        }
        services.syncStore.advance(datacenter, new Mark(watermark, sliceAt, startedAt.toEpochMilli()));
        out.put("skipped", skipped);
        if (skipped > 0) {
            WorkflowTasksHandler.log("WARN", "results sync skipped VMs", datacenter, out.get("skippedVms"));
        }
        SyncMetrics.summarized(out);
        return out;
    }

    private static ResultsSync.Observed observed(String vm, JsonNode r) {
        BackupStatus status = switch (r.path("status").asText()) {
            case "SUCCESS" -> BackupStatus.SUCCESS;
            case "FAILED" -> BackupStatus.FAILED;
            default -> BackupStatus.IN_PROGRESS;
        };
        return new ResultsSync.Observed(vm, r.path("ref").asText(), status, time(r, "startedAt"), time(r, "finishedAt"),
                r.hasNonNull("sizeBytes") ? r.get("sizeBytes").asLong() : null);
    }

    /** A listed point as the store finds Lifeboat's backup of it (none without a reference: nothing names it). */
    private static ListedPoint listed(JsonNode r) {
        return r.hasNonNull("ref") ? new ListedPoint(r.get("ref").asText(), time(r, "startedAt")) : null;
    }

    private static Instant time(JsonNode r, String field) {
        return r.hasNonNull(field) ? Instant.parse(r.get(field).asText()) : null;
    }

    private static String text(JsonNode r, String field) {
        return r.hasNonNull(field) ? r.get(field).asText() : null;
    }
}
