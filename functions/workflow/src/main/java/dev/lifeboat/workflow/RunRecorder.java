package dev.lifeboat.workflow;

import dev.lifeboat.domain.audit.AuditEntry;
import dev.lifeboat.domain.audit.AuditLog;
import dev.lifeboat.domain.backup.BackupRepository;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.events.EventPublisher;
import dev.lifeboat.domain.manager.ManagerRepository;
import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.domain.metrics.Metrics;
import dev.lifeboat.domain.vm.VmRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle's state changes, seen by operators: the events go on to the bus unchanged, and then each start or end
 * of a backup or restore is counted (by manager type and datacenter, ends with their duration), and each end is written
 * to the audit log. An end's entry id follows from the run and its outcome, so a retried step writes it once.
 * The configuration runs (apply-schedule) end through {@link #configurationEnded}.
 */
final class RunRecorder implements EventPublisher {
    private final EventPublisher events;
    private final BackupRepository backups;
    private final ManagerRepository managers;
    private final VmRepository vms;
    private final AuditLog audit;
    private final Clock clock;

    RunRecorder(EventPublisher events, BackupRepository backups, ManagerRepository managers, VmRepository vms, AuditLog audit, Clock clock) {
        this.events = events;
        this.backups = backups;
        this.managers = managers;
        this.vms = vms;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void publish(List<StateChangeEvent> changes) {
        events.publish(changes);
        for (StateChangeEvent change : changes) {
            record(change);
        }
    }

    private void record(StateChangeEvent change) {
        Map<String, Object> d = change.detail();
        String status = String.valueOf(d.get("status"));
        boolean started = status.equals("IN_PROGRESS");
        boolean ended = status.equals("SUCCESS") || status.equals("FAILED");
        if (!started && !ended) {
            return;
        }
        boolean backup = change.kind() == StateChangeEvent.Kind.BACKUP;
        String vm = (String) d.get("vm");
        String datacenter = (String) d.get("datacenter");
        String backupId = (String) d.get("backupId");
        String restoreId = (String) d.get("restoreId");
        String managerType = managers.findManager(datacenter).map(m -> m.type().name()).orElse("none");
        Metrics.Line line = Metrics.of(backup ? MetricSet.BACKUP : MetricSet.RESTORE)
                .dimension("ManagerType", managerType).dimension("Datacenter", datacenter)
                .property("vm", vm).property(backup ? "backupId" : "restoreId", backup ? backupId : restoreId);
        if (started) {
            line.count(backup ? "BackupsStarted" : "RestoresStarted", 1).emit();
            return;
        }
        Instant startedAt;
        Instant finishedAt;
        if (backup) {
            var b = backups.findBackup(vm, backupId);
            startedAt = b.map(x -> x.startedAt()).orElse(null);
            finishedAt = b.map(x -> x.finishedAt()).orElse(null);
        } else {
            var r = backups.findRestore(vm, backupId, restoreId);
            startedAt = r.map(x -> x.startedAt()).orElse(null);
            finishedAt = r.map(x -> x.finishedAt()).orElse(null);
        }
        Instant at = (finishedAt == null ? clock.instant() : finishedAt).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        boolean success = status.equals("SUCCESS");
        line.count(backup ? (success ? "BackupsSucceeded" : "BackupsFailed") : (success ? "RestoresSucceeded" : "RestoresFailed"), 1);
        if (startedAt != null) {
            line.seconds(backup ? "BackupDuration" : "RestoreDuration", Math.max(0, Duration.between(startedAt, at).toSeconds()));
        }
        line.emit();
        String action = (backup ? "backup." : "restore.") + status;
        String target = backup ? backupId : restoreId;
        write(new AuditEntry(Ids.derived(at.toEpochMilli(), action + "#" + target), at, null, action, datacenter,
                (String) d.get("enterprise"), vm, target, status, backup ? null : (String) d.get("requestId"), AuditEntry.Scope.TENANT));
    }

    /** An apply-schedule run recorded its end: {@code APPLIED} or {@code FAILED}. */
    void configurationEnded(String vm, long version, String outcome) {
        Instant at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        var machine = vms.findVm(vm);
        String action = "configuration." + outcome;
        write(new AuditEntry(Ids.derived(at.toEpochMilli(), action + "#" + vm + "#" + version), at, null, action,
                machine.map(m -> m.datacenter()).orElse(null), machine.map(m -> m.enterprise()).orElse(null), vm,
                vm + "/backup@" + version, outcome, null, AuditEntry.Scope.TENANT));
    }

    private void write(AuditEntry entry) {
        try {
            audit.append(entry);
        } catch (RuntimeException e) {
            // The run's own record stands; the missing entry is counted (an alarm watches it) and logged.
            Metrics.of(MetricSet.AUDIT).count("AuditWriteFailures", 1).property("level", "ERROR")
                    .property("message", "audit entry not written").property("action", entry.action())
                    .property("target", entry.target()).property("error", e.getClass().getName()).emit();
        }
    }
}
