package dev.lifeboat.domain;

import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupRepository;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.PollPlan;
import dev.lifeboat.domain.backup.ResultsSync;
import dev.lifeboat.domain.backup.ResultsSync.Observed;
import dev.lifeboat.domain.backup.SyncRepository;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemoryBackupStore;
import dev.lifeboat.domain.fakes.InMemoryConfigStore;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupConfig;
import dev.lifeboat.domain.vm.VmState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LifecyclePartsTest {
    @Test
    void pollWaitsGrowThenStayAtTwoMinutesAndNeverPassTheDeadline() {
        Instant far = NOW.plus(Duration.ofHours(4));
        assertEquals(List.of(15L, 30L, 60L, 120L, 120L, 120L),
                List.of(0, 1, 2, 3, 4, 50).stream().map(a -> PollPlan.nextWait(a, NOW, far)).toList());
        assertEquals(40, PollPlan.nextWait(3, NOW, NOW.plusSeconds(40)), "the last wait ends at the deadline");
        assertEquals(1, PollPlan.nextWait(0, NOW, NOW.plusMillis(300)), "never a zero-second wait before the deadline");
        assertEquals(0, PollPlan.nextWait(0, NOW, NOW), "time is up");
    }

    /**
     * The poll loop as the workflows run it: a poll at or after recordBy is recorded (progress, next wait, next
     * recordBy), one before it waits the last planned wait again, and a poll at or past the deadline ends as TIMEOUT.
     * Each iteration takes its wait plus {@code overheadMillis} (the calls and transitions). Answers the times of the
     * recorded polls, the poll times, and the TIMEOUT poll's time (or null).
     */
    record Loop(List<Instant> recorded, List<Instant> polls, Instant timedOutAt) {}

    static Loop pollLoop(Instant start, Duration job, Instant deadline, long overheadMillis) {
        List<Instant> recorded = new java.util.ArrayList<>();
        List<Instant> polls = new java.util.ArrayList<>();
        int attempt = 0;
        long wait = PollPlan.nextWait(attempt++, start, deadline);
        Instant recordBy = PollPlan.recordBy(start, wait, deadline);
        Instant t = start;
        while (true) {
            t = t.plusSeconds(wait).plusMillis(overheadMillis);
            polls.add(t);
            if (!t.isBefore(start.plus(job))) return new Loop(recorded, polls, null);
            if (!t.isBefore(deadline)) return new Loop(recorded, polls, t);
            if (!t.isBefore(recordBy)) {
                recorded.add(t);
                wait = PollPlan.nextWait(attempt++, t, deadline);
                recordBy = PollPlan.recordBy(t, wait, deadline);
            }
        }
    }

    @Test
    void aLongJobIsRecordedAfterEachGrowingWaitThenAboutEveryTenMinutes() {
        for (long overhead : new long[] {0, 300, 2000, 10_000}) {
            Loop loop = pollLoop(NOW, Duration.ofHours(1), NOW.plus(Duration.ofHours(4)), overhead);
            assertEquals(loop.polls().subList(0, 3), loop.recorded().subList(0, 3), "the polls after the 15, 30 and 60 s waits");
            for (int i = 3; i < loop.recorded().size(); i++) {
                long minutes = Duration.between(loop.recorded().get(i - 1), loop.recorded().get(i)).toSeconds() / 60;
                assertTrue(minutes >= 8 && minutes <= 10, "recorded again " + minutes + " min later (overhead " + overhead + " ms)");
            }
            long sinceLast = Duration.between(loop.recorded().get(loop.recorded().size() - 1), loop.polls().get(loop.polls().size() - 1)).toSeconds();
            assertTrue(sinceLast <= 10 * 60 + 60, "the end is seen at most a record interval and a poll after the last record: " + sinceLast);
            if (overhead == 300) {
                // 33 polls for a one-hour job (the last one sees its end); 3 + 5 of them recorded while it ran.
                assertEquals(33, loop.polls().size());
                assertEquals(8, loop.recorded().size());
                assertEquals(new PollPlan.Schedule(33, 8), PollPlan.schedule(Duration.ofHours(1), Duration.ofMillis(overhead)));
            }
        }
    }

    @Test
    void aPollThatSkipsRecordingNeverWaitsPastTheDeadline() {
        for (Duration timeout : List.of(Duration.ofMinutes(30), Duration.ofMinutes(31), Duration.ofSeconds(1805), Duration.ofSeconds(2))) {
            Instant deadline = NOW.plus(timeout);
            Loop loop = pollLoop(NOW, Duration.ofHours(10), deadline, 300);
            assertTrue(loop.timedOutAt() != null, "times out");
            long late = Duration.between(deadline, loop.timedOutAt()).toMillis();
            assertTrue(late >= 0 && late <= 1300, "TIMEOUT " + late + " ms after the deadline of " + timeout);
        }
        assertEquals(NOW.plusSeconds(60), PollPlan.recordBy(NOW, 120, NOW.plusSeconds(180)), "a wait before the deadline");
        assertEquals(NOW, PollPlan.recordBy(NOW, 60, NOW.plus(Duration.ofHours(4))), "growing waits record every poll");
        assertEquals(NOW.plus(PollPlan.RECORD_EVERY), PollPlan.recordBy(NOW, 120, NOW.plus(Duration.ofHours(4))));
    }

    @Test
    void aDiscoveryIsKeyedByItsPointOnlyWhenListedWithItsStart() {
        InMemoryBackupStore store = new InMemoryBackupStore(new InMemoryConfigStore());
        VirtualMachine vm = new VirtualMachine("vm-1", "ent-1", "dc1", "web", VmState.DEPLOYED, Hypervisor.NONE, 1, NOW, NOW, VmBackupConfig.NONE);
        Instant started = NOW.minusSeconds(600);
        new ResultsSync(store, events -> { }, CLOCK).recordNew(Map.of(SyncRepository.PointedVm.of(vm), List.of(
                new Observed("vm-1", "rp-started", BackupStatus.SUCCESS, started, NOW, 10L),
                new Observed("vm-1", "rp-unstarted", BackupStatus.SUCCESS, null, NOW.minusSeconds(5), 10L))));
        Backup withStart = store.allBackups("vm-1").stream().filter(b -> "rp-started".equals(b.providerRef())).findFirst().orElseThrow();
        assertEquals(Backup.discoveredId("vm-1", "rp-started", started), withStart.id(), "the same point always gives the same id");
        assertTrue(withStart.keyedBy("rp-started"), "found by the key its listed point gives: no reference pointer");
        assertFalse(withStart.keyedBy("rp-other"));
        Backup withoutStart = store.allBackups("vm-1").stream().filter(b -> "rp-unstarted".equals(b.providerRef())).findFirst().orElseThrow();
        assertFalse(withoutStart.keyedBy("rp-unstarted"), "listed without a start: found by its pointer");
        // Given its end as its start (as Backup.succeeded does), its id and start agree, yet no listing gives that start.
        Backup ended = withoutStart.succeeded(NOW.minusSeconds(5), "rp-unstarted", 10L);
        assertEquals(Backup.discoveredId("vm-1", "rp-unstarted", ended.startedAt()), ended.id());
        assertFalse(ended.keyedBy("rp-unstarted"), "requested when found, not at that start: still found by its pointer");
        assertFalse(backup("01JB0000000000000000000001", "vm-1", Trigger.MANUAL, BackupStatus.SUCCESS, "rp-started").keyedBy("rp-started"),
                "Lifeboat's own backups keep their pointers");
    }

    @Test
    void aFailedDiscoveryListedAgainIsNotWrittenAgain() {
        InMemoryBackupStore store = new InMemoryBackupStore(new InMemoryConfigStore());
        List<Backup> writes = new ArrayList<>();
        BackupRepository counting = (BackupRepository) Proxy.newProxyInstance(BackupRepository.class.getClassLoader(),
                new Class<?>[] {BackupRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("createAll")) {
                        @SuppressWarnings("unchecked") List<Backup> found = (List<Backup>) args[0];
                        writes.addAll(found);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        VirtualMachine vm = new VirtualMachine("vm-1", "ent-1", "dc1", "web", VmState.DEPLOYED, Hypervisor.NONE, 1, NOW, NOW, VmBackupConfig.NONE);
        Observed failed = new Observed("vm-1", "rp-failed", BackupStatus.FAILED, NOW.minusSeconds(600), NOW.minusSeconds(300), null);
        ResultsSync sync = new ResultsSync(counting, events -> { }, CLOCK);

        assertEquals(1, sync.recordNew(Map.of(SyncRepository.PointedVm.of(vm), List.of(failed))).discovered());
        Backup discovered = store.allBackups("vm-1").get(0);
        assertEquals(BackupStatus.FAILED, discovered.status());
        assertNull(discovered.providerRef(), "a failed point has no restore point to name");
        writes.clear();

        assertEquals(0, sync.recordNew(Map.of(SyncRepository.PointedVm.of(vm), List.of(failed)), Map.of("vm-1", List.of(discovered))).discovered());
        assertEquals(List.of(), writes, "found by the id its point gives: not written again");
    }

    @Test
    void resultsSyncAddsUpdatesAndExpiresOnlyWhatItMay() {
        InMemoryConfigStore vms = new InMemoryConfigStore();
        InMemoryBackupStore store = new InMemoryBackupStore(vms);
        VirtualMachine vm = new VirtualMachine("vm-1", "ent-1", "dc1", "web", VmState.DEPLOYED, Hypervisor.NONE, 1, NOW, NOW, VmBackupConfig.NONE);
        VirtualMachine other = new VirtualMachine("vm-2", "ent-1", "dc1", "db", VmState.DEPLOYED, Hypervisor.NONE, 1, NOW, NOW, VmBackupConfig.NONE);
        Backup kept = backup("01JB0000000000000000000001", "vm-1", Trigger.MANUAL, BackupStatus.SUCCESS, "rp-kept");
        Backup gone = backup("01JB0000000000000000000002", "vm-1", Trigger.SCHEDULED, BackupStatus.SUCCESS, "rp-gone");
        Backup running = backup("01JB0000000000000000000003", "vm-1", Trigger.DISCOVERED, BackupStatus.IN_PROGRESS, null);
        running = new Backup(running.id(), "vm-1", "dc1", "ent-1", null, Trigger.DISCOVERED, BackupStatus.IN_PROGRESS, NOW, NOW, null, null, null,
                null, "job-9", null, 0, 1);
        Backup unseen = backup("01JB0000000000000000000004", "vm-2", Trigger.MANUAL, BackupStatus.SUCCESS, "rp-other");
        for (Backup b : List.of(kept, gone, running, unseen)) store.saveBackup(null, b);

        ResultsSync sync = new ResultsSync(store, events -> { }, CLOCK);
        var outcome = sync.record(List.of(vm, other), List.of(
                        new Observed("vm-1", "rp-kept", BackupStatus.SUCCESS, NOW, NOW, 10L),
                        new Observed("vm-1", "job-9", BackupStatus.SUCCESS, NOW, NOW, 20L),
                        new Observed("vm-1", "rp-new", BackupStatus.SUCCESS, NOW.minusSeconds(60), NOW, 30L)),
                Map.of("vm-2", new ErrorInfo("SERVER_ERROR", "try later")));
        assertEquals(new ResultsSync.Outcome(1, 1, 1, List.of(new ErrorInfo("SERVER_ERROR", "vm-2: try later"))), outcome);
        assertEquals(BackupStatus.EXPIRED, store.findBackup("vm-1", gone.id()).orElseThrow().status());
        assertEquals(BackupStatus.SUCCESS, store.findBackup("vm-1", running.id()).orElseThrow().status());
        assertEquals(BackupStatus.SUCCESS, store.findBackup("vm-2", unseen.id()).orElseThrow().status(), "a VM that failed expires nothing");
        List<Backup> added = store.allBackups("vm-1").stream().filter(b -> "rp-new".equals(b.providerRef())).toList();
        assertEquals(1, added.size());
        assertEquals(Trigger.DISCOVERED, added.get(0).trigger());
        assertEquals(BackupStatus.SUCCESS, added.get(0).status());
    }

    @Test
    void theSliceExpiresOnlyWhatNoListingBesideItCanBeWritingNow() {
        InMemoryConfigStore vms = new InMemoryConfigStore();
        InMemoryBackupStore store = new InMemoryBackupStore(vms);
        Instant listedFrom = NOW.plusSeconds(60);
        Instant requestedBefore = NOW.minus(Duration.ofHours(8));
        Backup old = requested(backup("01JB0000000000000000000011", "vm-1", Trigger.DISCOVERED, BackupStatus.SUCCESS, "rp-old"),
                requestedBefore.minusSeconds(1));
        // Requested since the bound: the NEW phase beside the slice may have given it its reference after the slice's
        // listing was made, so that listing cannot tell whether the point is gone.
        Backup recent = requested(backup("01JB0000000000000000000012", "vm-1", Trigger.DISCOVERED, BackupStatus.SUCCESS, "rp-recent"),
                requestedBefore);
        Backup ranByLifeboat = requested(backup("01JB0000000000000000000013", "vm-1", Trigger.MANUAL, BackupStatus.SUCCESS, "rp-mine"),
                requestedBefore.plus(Duration.ofHours(1)));
        for (Backup b : List.of(old, recent, ranByLifeboat)) store.saveBackup(null, b);

        var outcome = new ResultsSync(store, events -> { }, CLOCK).expireUnheld(Map.of("vm-1", java.util.Set.of()),
                Map.of("vm-1", store.allBackups("vm-1")), listedFrom, requestedBefore);

        assertEquals(1, outcome.expired());
        assertEquals(BackupStatus.EXPIRED, store.findBackup("vm-1", old.id()).orElseThrow().status());
        assertEquals(BackupStatus.SUCCESS, store.findBackup("vm-1", recent.id()).orElseThrow().status());
        assertEquals(BackupStatus.SUCCESS, store.findBackup("vm-1", ranByLifeboat.id()).orElseThrow().status());
        // Without a listing beside it (a type that lists VM by VM) every unheld one goes.
        var unbounded = new ResultsSync(store, events -> { }, CLOCK).expireUnheld(Map.of("vm-1", java.util.Set.of()),
                Map.of("vm-1", store.allBackups("vm-1")), listedFrom, null);
        assertEquals(2, unbounded.expired());
    }

    private static Backup requested(Backup b, Instant at) {
        return new Backup(b.id(), b.vm(), b.datacenter(), b.enterprise(), b.policyId(), b.trigger(), b.status(), at, at, at, 100, null,
                b.providerRef(), null, null, 0, 1);
    }

    @Test
    void aRunningBackupOrRestoreThatOutlivedItsWorkflowIsLostAndFreesTheVm() {
        InMemoryConfigStore vms = new InMemoryConfigStore();
        InMemoryBackupStore store = new InMemoryBackupStore(vms);
        VirtualMachine vm = new VirtualMachine("vm-1", "ent-1", "dc1", "web", VmState.DEPLOYED, Hypervisor.NONE, 1, NOW, NOW, VmBackupConfig.NONE);
        vms.saveVm(null, vm, Map.of());
        Backup stuck = new Backup("01JB0000000000000000000009", "vm-1", "dc1", "ent-1", null, Trigger.MANUAL, BackupStatus.IN_PROGRESS,
                NOW.minus(Duration.ofHours(6)), NOW.minus(Duration.ofHours(6)), null, 40, null, null, "job", null, 0, 1);
        store.createLockedBackup(stuck, vm);
        Backup young = new Backup("01JB0000000000000000000010", "vm-1", "dc1", "ent-1", null, Trigger.SCHEDULED, BackupStatus.IN_PROGRESS,
                NOW.minusSeconds(60), NOW.minusSeconds(60), null, 10, null, null, "job2", null, 0, 1);
        store.saveBackup(null, young);
        Backup neverBegun = new Backup("01JB0000000000000000000011", "vm-2", "dc1", "ent-1", null, Trigger.MANUAL, BackupStatus.QUEUED,
                NOW.minus(Duration.ofMinutes(20)), null, null, null, null, null, null, null, 0, 1);
        store.saveBackup(null, neverBegun);
        // The index hands over every operation begun before the earliest bound; the sweep decides by each one's own.
        List<Backup> candidates = new java.util.ArrayList<>(store.allBackups("vm-1"));
        candidates.addAll(store.allBackups("vm-2"));
        int lostCount = new ResultsSync(store, events -> { }, CLOCK)
                .sweep(candidates, List.of(), NOW.minus(Duration.ofMinutes(15)), dc -> NOW.minus(Duration.ofHours(5)));
        assertEquals(2, lostCount, "the one running past its timeout, and the one its workflow never began");
        assertEquals("LOST", store.findBackup("vm-2", neverBegun.id()).orElseThrow().error().code());
        Backup lost = store.findBackup("vm-1", stuck.id()).orElseThrow();
        assertEquals(BackupStatus.FAILED, lost.status());
        assertEquals("LOST", lost.error().code());
        assertEquals(BackupStatus.IN_PROGRESS, store.findBackup("vm-1", young.id()).orElseThrow().status(), "a run within its timeout is left alone");
        assertEquals(java.util.Optional.empty(), store.lockHolder("vm-1"));
    }

    static Backup backup(String id, String vm, Trigger trigger, BackupStatus status, String ref) {
        return new Backup(id, vm, "dc1", "ent-1", null, trigger, status, NOW, NOW, NOW, 100, null, ref, null, null, 0, 1);
    }
}
