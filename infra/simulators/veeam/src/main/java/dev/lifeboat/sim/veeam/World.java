package dev.lifeboat.sim.veeam;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The simulated Enterprise Manager's state and its clock-driven life: tasks that finish after a while and apply their
 * effect then, backup and restore sessions that run and end. Nothing runs in the background: {@link #advance()} fires,
 * in time order, every event whose moment has passed on the clock, and every request and every view calls it first, so
 * moving a {@code SimClock} ahead is enough to make work finish. Callers hold the monitor of this object.
 */
final class World {
    /** What Veeam shows as the end time of a session that has not ended (.NET's "no date") [U]. */
    static final Instant NO_END = Instant.parse("1900-01-01T00:00:00Z");

    final VeeamSimulator.Config config;
    final String backupServerId = UUID.randomUUID().toString();
    final Map<String, Root> roots = new LinkedHashMap<>();
    final List<Vm> vms = new ArrayList<>();
    // Indexes, so that a simulator with 100,000 VMs and their restore points answers as fast as one with ten.
    final Map<String, Vm> vmsByName = new HashMap<>();
    final Map<String, Vm> vmsByRootAndMoref = new HashMap<>();
    /** The lookup service's by hierarchy root and lower-case name: several VMs may share a name. */
    private final Map<String, List<Vm>> vmsByRootAndName = new HashMap<>();
    final Map<String, List<VmRestorePoint>> pointsByVmName = new HashMap<>();
    final Map<String, Integer> pointCountByVmRef = new HashMap<>();
    final Map<String, Job> jobs = new LinkedHashMap<>();
    final Map<String, Logon> logons = new LinkedHashMap<>();
    final Map<String, Task> tasks = new LinkedHashMap<>();
    final Map<String, BackupSession> backupSessions = new LinkedHashMap<>();
    final Map<String, TaskSession> taskSessions = new LinkedHashMap<>();
    final Map<String, RestorePoint> restorePoints = new LinkedHashMap<>();
    final Map<String, VmRestorePoint> vmRestorePoints = new LinkedHashMap<>();
    /**
     * The same points by creation time: results sync asks for those created since its watermark, and a scan of every
     * point per page would make the simulator, not the plugin, what a 100,000-VM benchmark measures.
     */
    final java.util.NavigableMap<Instant, List<VmRestorePoint>> pointsByCreated = new java.util.TreeMap<>();
    final Map<String, RestoreSession> restoreSessions = new LinkedHashMap<>();
    final Map<String, String> failNextBackup = new HashMap<>();
    final Map<String, String> failNextRestore = new HashMap<>();
    final String orphanBackupId = UUID.randomUUID().toString();
    private long seq;
    private int taskNumber;

    World(VeeamSimulator.Config config) {
        this.config = config;
    }

    Instant now() {
        return config.clock().instant();
    }

    // ---- model ----

    static final class Root {
        String id;
        String host;
    }

    static final class Vm {
        Root root;
        String name;
        String moref;
        String uuid;

        /** {@code urn:VMware:Vm:<HierarchyRootId>.<moref>} [V, VD constructing_hierarchyobjreftype]. */
        String ref() {
            return "urn:VMware:Vm:" + root.id + "." + moref;
        }
    }

    static final class Job {
        String id;
        String name;
        String description;
        String backupId = UUID.randomUUID().toString();
        final List<Include> includes = new ArrayList<>();

        String uid() {
            return "urn:veeam:Job:" + id;
        }
    }

    static final class Include {
        String id;
        Job job;
        String ref;
        String name;
        String displayName;
    }

    static final class Logon {
        String id;
        String token;
        String user;
        boolean admin;
        Instant created;
        Instant lastUsed;
        /** null while active, then "LoggedOff" or "Expired". */
        String ended;
    }

    /** What a finished task says: {@code Result@Success}, {@code Result/Message} and an optional {@code Related} link. */
    record Outcome(boolean success, String message, String relatedType, String relatedHref) {
        static Outcome ok(String message) {
            return new Outcome(true, message, null, null);
        }

        static Outcome failed(String message) {
            return new Outcome(false, message, null, null);
        }
    }

    static final class Task {
        String id;
        Logon owner;
        String operation;
        Instant created;
        Instant due;
        long seq;
        Function<Instant, Outcome> effect;
        Outcome outcome;
        int operationFinishedPollsLeft;
    }

    static final class BackupSession {
        String id;
        Job job;
        boolean quick;
        Instant created;
        Instant end;
        long seq;
        boolean finished;
        String result;
        final List<TaskSession> taskSessions = new ArrayList<>();
        RestorePoint restorePoint;

        String uid() {
            return "urn:veeam:BackupJobSession:" + id;
        }

        String name() {
            return job.name + "@" + Times.name(created);
        }
    }

    static final class TaskSession {
        String id;
        BackupSession session;
        String vmName;
        String vmRef;
        String failure;
        VmRestorePoint point;
        long totalSize = 42L * 1024 * 1024 * 1024;

        String name() {
            return vmName + "@" + Times.name(session.created);
        }
    }

    /** A job-level restore point ({@code /restorePoints/{id}}), the parent of one VM restore point per VM. */
    static final class RestorePoint {
        String id;
        String backupId;
        Instant created;
        boolean full;
        BackupSession session;
        final List<VmRestorePoint> vmPoints = new ArrayList<>();
    }

    static final class VmRestorePoint {
        String id;
        RestorePoint parent;
        String vmName;
        String vmRef;
        Instant created;
        boolean full;
        String backupFileId = UUID.randomUUID().toString();

        String uid() {
            return "urn:veeam:VmRestorePoint:" + id;
        }

        /** Made once: a query over new points asks every candidate's name and fields, page after page. */
        private volatile String name;
        volatile Map<String, Object> queryFields;

        String name() {
            String n = name;
            if (n == null) name = n = vmName + "@" + Times.name(created);
            return n;
        }
    }

    static final class RestoreSession {
        String id;
        VmRestorePoint point;
        String vmName;
        String vmRef;
        boolean powerOn;
        boolean quickRollback;
        boolean keepOriginal;
        Instant created;
        Instant end;
        long seq;
        boolean finished;
        String result;
        String failure;

        String uid() {
            return "urn:veeam:RestoreSession:" + id;
        }

        String name() {
            // Named like the FLR example "FLR_[srv04]@2025-10-19 05:59:18"; the prefix for a full VM restore is [U].
            return "Restore_[" + vmName + "]@" + Times.name(created);
        }
    }

    // ---- lookups ----

    Optional<Vm> vmByName(String name) {
        return Optional.ofNullable(vmsByName.get(name));
    }

    Vm vmNamed(String name) {
        return vmByName(name).orElseThrow(() -> new IllegalArgumentException("No VM named " + name));
    }

    /**
     * The VM a HierarchyObjRef points at. Platform and type compare case-insensitively: the docs spell the type both
     * {@code VM} and {@code Vm} [V, VD constructing_hierarchyobjreftype].
     */
    Optional<Vm> vmByRef(String ref) {
        String[] parts = ref == null ? new String[0] : ref.split(":", 4);
        if (parts.length != 4 || !parts[0].equalsIgnoreCase("urn") || !parts[2].equalsIgnoreCase("Vm")) {
            return Optional.empty();
        }
        int dot = parts[3].indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String rootId = parts[3].substring(0, dot).toLowerCase(Locale.ROOT);
        String moref = parts[3].substring(dot + 1);
        return Optional.ofNullable(vmsByRootAndMoref.get(rootId + "." + moref));
    }

    static boolean wellFormedRef(String ref) {
        return ref != null && ref.matches("(?i)urn:[A-Za-z]+:[A-Za-z]+:[^.:]+\\..+");
    }

    Job jobNamed(String name) {
        return jobs.values().stream().filter(j -> j.name.equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("No job named " + name));
    }

    /** The first job that processes the VM. */
    Optional<Job> jobOf(Vm vm) {
        String ref = vm.ref();
        return jobs.values().stream().filter(j -> j.includes.stream().anyMatch(i -> i.ref.equalsIgnoreCase(ref))).findFirst();
    }

    // ---- events ----

    /** Fires, oldest first, every task completion and session end whose moment has come. */
    void advance() {
        Instant now = now();
        while (true) {
            Instant best = null;
            long bestSeq = Long.MAX_VALUE;
            Runnable fire = null;
            for (Task t : tasks.values()) {
                if (t.outcome == null && !t.due.isAfter(now) && earlier(t.due, t.seq, best, bestSeq)) {
                    best = t.due;
                    bestSeq = t.seq;
                    fire = () -> t.outcome = t.effect.apply(t.due);
                }
            }
            for (BackupSession s : backupSessions.values()) {
                if (!s.finished && !s.end.isAfter(now) && earlier(s.end, s.seq, best, bestSeq)) {
                    best = s.end;
                    bestSeq = s.seq;
                    fire = () -> finish(s);
                }
            }
            for (RestoreSession r : restoreSessions.values()) {
                if (!r.finished && !r.end.isAfter(now) && earlier(r.end, r.seq, best, bestSeq)) {
                    best = r.end;
                    bestSeq = r.seq;
                    fire = () -> finish(r);
                }
            }
            if (fire == null) {
                return;
            }
            fire.run();
        }
    }

    private static boolean earlier(Instant at, long seq, Instant best, long bestSeq) {
        return best == null || at.isBefore(best) || (at.equals(best) && seq < bestSeq);
    }

    Task newTask(Logon owner, String operation, Function<Instant, Outcome> effect) {
        Task t = new Task();
        t.id = "task-" + (++taskNumber);
        t.owner = owner;
        t.operation = operation;
        t.created = now();
        t.due = t.created.plus(config.taskDuration());
        t.seq = ++seq;
        t.effect = effect;
        t.operationFinishedPollsLeft = config.operationFinishedPolls();
        tasks.put(t.id, t);
        return t;
    }

    /** Starts a backup session of {@code job} over {@code vmList}; each VM takes its pending failure, if any. */
    BackupSession startBackup(Job job, List<Vm> vmList, boolean quick, Instant at) {
        BackupSession s = new BackupSession();
        s.id = UUID.randomUUID().toString();
        s.job = job;
        s.quick = quick;
        s.created = at;
        s.end = at.plus(config.jobDuration());
        s.seq = ++seq;
        for (Vm vm : vmList) {
            TaskSession ts = new TaskSession();
            ts.id = UUID.randomUUID().toString();
            ts.session = s;
            ts.vmName = vm.name;
            ts.vmRef = vm.ref();
            ts.failure = failNextBackup.remove(vm.name);
            s.taskSessions.add(ts);
            taskSessions.put(ts.id, ts);
        }
        backupSessions.put(s.id, s);
        return s;
    }

    private void finish(BackupSession s) {
        s.finished = true;
        boolean failed = s.taskSessions.isEmpty();
        RestorePoint rp = null;
        // The VM's point carries the moment its processing began: the end of the session's "Starting" phase.
        Instant pointTime = s.created.plus(startingPhase());
        for (TaskSession ts : s.taskSessions) {
            if (ts.failure != null) {
                failed = true;
                continue;
            }
            if (rp == null) {
                rp = newRestorePoint(s.job == null ? orphanBackupId : s.job.backupId, pointTime, s);
            }
            ts.point = addVmPoint(rp, ts.vmName, ts.vmRef, pointTime);
        }
        s.restorePoint = rp;
        s.result = failed ? "Failed" : "Success";
    }

    RestorePoint newRestorePoint(String backupId, Instant at, BackupSession session) {
        RestorePoint rp = new RestorePoint();
        rp.id = UUID.randomUUID().toString();
        rp.backupId = backupId;
        rp.created = at;
        rp.session = session;
        restorePoints.put(rp.id, rp);
        return rp;
    }

    /** The first point of a VM is a full, later ones increments (quick backup is "an incremental backup") [V]. */
    VmRestorePoint addVmPoint(RestorePoint rp, String vmName, String vmRef, Instant at) {
        VmRestorePoint p = new VmRestorePoint();
        p.id = UUID.randomUUID().toString();
        p.parent = rp;
        p.vmName = vmName;
        p.vmRef = vmRef;
        p.created = at;
        p.full = pointCountByVmRef.getOrDefault(vmRef.toLowerCase(Locale.ROOT), 0) == 0;
        rp.full = rp.full || p.full;
        rp.vmPoints.add(p);
        vmRestorePoints.put(p.id, p);
        pointsByCreated.computeIfAbsent(at, k -> new ArrayList<>()).add(p);
        pointCountByVmRef.merge(vmRef.toLowerCase(Locale.ROOT), 1, Integer::sum);
        pointsByVmName.computeIfAbsent(vmName.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(p);
        return p;
    }

    private static final java.util.regex.Pattern BY_VM_NAME =
            java.util.regex.Pattern.compile("(?i)(?:^|;)\\s*vmdisplayname\\s*==\\s*(\"(?:[^\"]|\"\")*\"|[^;]*)");

    private static final java.util.regex.Pattern CREATED_FROM =
            java.util.regex.Pattern.compile("(?i)(?:^|;)\\s*creationtime\\s*>=?\\s*(\"[^\"]*\"|[^;]*)");

    void addVm(Vm vm) {
        vms.add(vm);
        vmsByName.putIfAbsent(vm.name, vm);
        vmsByRootAndMoref.putIfAbsent(vm.root.id + "." + vm.moref, vm);
        vmsByRootAndName.computeIfAbsent(rootAndName(vm.root, vm.name), k -> new ArrayList<>(1)).add(vm);
    }

    /** The VMs of {@code root} named {@code name}, whatever its case (the lookup service's match), in the order added. */
    List<Vm> vmsNamed(Root root, String name) {
        return vmsByRootAndName.getOrDefault(rootAndName(root, name), List.of());
    }

    private static String rootAndName(Root root, String name) {
        return root.id + "/" + name.toLowerCase(Locale.ROOT);
    }

    void removeVmPoint(VmRestorePoint p) {
        vmRestorePoints.remove(p.id);
        List<VmRestorePoint> atSameTime = pointsByCreated.get(p.created);
        if (atSameTime != null && atSameTime.remove(p) && atSameTime.isEmpty()) pointsByCreated.remove(p.created);
        pointCountByVmRef.merge(p.vmRef.toLowerCase(Locale.ROOT), -1, Integer::sum);
        List<VmRestorePoint> ofName = pointsByVmName.get(p.vmName.toLowerCase(Locale.ROOT));
        if (ofName != null) ofName.remove(p);
    }

    /**
     * The VM restore points a query may match: only the named VM's when the filter is a conjunction with
     * {@code VmDisplayName==<name>} (the per-VM listing of results sync), else all.
     */
    List<VmRestorePoint> pointCandidates(String filter) {
        if (filter != null && Query.hasUnquotedComma(filter)) {
            // An OR of alternatives that each name a VM (the held listing of many VMs): those VMs' points only.
            List<VmRestorePoint> out = new ArrayList<>();
            java.util.Set<String> names = new java.util.HashSet<>();
            for (String alternative : Query.alternatives(filter)) {
                java.util.regex.Matcher m = BY_VM_NAME.matcher(alternative);
                if (!m.find()) return new ArrayList<>(vmRestorePoints.values());
                String v = m.group(1).trim();
                if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) v = v.substring(1, v.length() - 1).replace("\"\"", "\"");
                if (names.add(v.toLowerCase(Locale.ROOT))) out.addAll(pointsByVmName.getOrDefault(v.toLowerCase(Locale.ROOT), List.of()));
            }
            return out;
        }
        if (filter != null && !Query.hasUnquotedComma(filter)) {
            java.util.regex.Matcher m = BY_VM_NAME.matcher(filter);
            if (m.find()) {
                String v = m.group(1).trim();
                if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) v = v.substring(1, v.length() - 1).replace("\"\"", "\"");
                return new ArrayList<>(pointsByVmName.getOrDefault(v.toLowerCase(Locale.ROOT), List.of()));
            }
            m = CREATED_FROM.matcher(filter);
            if (m.find()) {
                // Points created from then on (a day earlier, whatever zone the caller meant): the filter then decides.
                String v = m.group(1).trim();
                if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) v = v.substring(1, v.length() - 1);
                List<VmRestorePoint> out = new ArrayList<>();
                pointsByCreated.tailMap(Query.instant(v).minus(java.time.Duration.ofDays(1)), true).values().forEach(out::addAll);
                return out;
            }
        }
        return new ArrayList<>(vmRestorePoints.values());
    }

    RestoreSession startRestore(VmRestorePoint point, boolean powerOn, boolean quickRollback, boolean keepOriginal, Instant at) {
        RestoreSession r = new RestoreSession();
        r.id = UUID.randomUUID().toString();
        r.point = point;
        r.vmName = point.vmName;
        r.vmRef = point.vmRef;
        r.powerOn = powerOn;
        r.quickRollback = quickRollback;
        r.keepOriginal = keepOriginal;
        r.created = at;
        r.end = at.plus(config.jobDuration());
        r.seq = ++seq;
        r.failure = failNextRestore.remove(point.vmName);
        restoreSessions.put(r.id, r);
        return r;
    }

    private void finish(RestoreSession r) {
        r.finished = true;
        r.result = r.failure == null ? "Success" : "Failed";
    }

    // ---- running state, read at a moment ----

    Duration startingPhase() {
        return config.jobDuration().dividedBy(10);
    }

    String state(Instant created, boolean finished) {
        if (finished) {
            return "Stopped";
        }
        return now().isBefore(created.plus(startingPhase())) ? "Starting" : "Working";
    }

    int progress(Instant created, boolean finished) {
        if (finished) {
            return 100;
        }
        long total = config.jobDuration().toMillis();
        long done = Duration.between(created.plus(startingPhase()), now()).toMillis();
        if (total <= 0 || done <= 0) {
            return 0;
        }
        return (int) Math.min(99, done * 100 / total);
    }

    /** Backup task session state: {@code Pending|InProgress|Completed} [V, VD backuptasksessions]. */
    String taskSessionState(TaskSession ts) {
        String s = state(ts.session.created, ts.session.finished);
        return switch (s) {
            case "Starting" -> "Pending";
            case "Working" -> "InProgress";
            default -> "Completed";
        };
    }

    boolean jobRunning(Job job) {
        return backupSessions.values().stream().anyMatch(s -> s.job == job && !s.finished && !s.quick);
    }
}
