package dev.lifeboat.store;

import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.TENANT;
import static dev.lifeboat.domain.fakes.Fixtures.daily;
import static dev.lifeboat.domain.fakes.Fixtures.policy;
import static dev.lifeboat.domain.fakes.Fixtures.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupService;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreRequest;
import dev.lifeboat.domain.backup.RestoreStatus;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.common.ErrorInfo;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.fakes.RecordingLifecycleWorkflows;
import dev.lifeboat.domain.fakes.RecordingWorkflow;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.vm.BackupConfigDraft;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmBackupService;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(Dynalite.class)
class DynamoBackupStoreTest {
    static final AtomicInteger TABLES = new AtomicInteger();
    static final Caller RESTORER = new Caller("restorer", "ent-1", EnumSet.of(Privilege.VAPP_RESTORE_BACKUP, Privilege.VAPP_MANAGE_BACKUP));
    DynamoDbClient dynamo;
    DynamoConfigStore config;
    DynamoVmStore vms;
    DynamoBackupStore store;
    RecordingLifecycleWorkflows workflows = new RecordingLifecycleWorkflows();
    BackupService service;
    Ids ids = new Ids(CLOCK);

    @BeforeEach
    void createTable(URI endpoint) {
        dynamo = DynamoClients.forEndpoint(endpoint);
        String table = "backups-" + TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        config = new DynamoConfigStore(dynamo, table);
        vms = new DynamoVmStore(dynamo, table);
        store = new DynamoBackupStore(dynamo, table);
        service = new BackupService(vms, store, config, config, workflows, events -> { }, CLOCK, ids);
        new BackupManagerService(config, new InMemorySecretStore(), m -> null, CLOCK, ids, "#", "lifeboat/test")
                .put(ADMIN, "dc1", () -> new ManagerDraft("nw", "NETWORKER", "https://nw/api", "a#b", new Secret("c#d")), ExpectedVersion.ANY);
        new BackupPropertiesService(config, CLOCK).put(ADMIN, "dc1", () -> new PropertiesDraft(false, false, false, true), ExpectedVersion.ANY);
        BackupPolicy gold = new BackupPolicyService(config, config, CLOCK, ids).create(ADMIN, "dc1", () -> policy("GOLD", daily("01:00:00 +0000")));
        config.saveAllowance(new Allowance("ent-1", "dc1", List.of(gold.id()), 1), 0);
        RecordingWorkflow applies = new RecordingWorkflow();
        VirtualMachineService registry = new VirtualMachineService(vms, applies, CLOCK);
        VmBackupService configs = new VmBackupService(vms, config, config, config, applies, CLOCK);
        registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "NOT_ALLOCATED"), ExpectedVersion.ANY);
        configs.put(TENANT, "vm-1", () -> new BackupConfigDraft(List.of(new BackupConfigDraft.Selection(gold.id(), null))), ExpectedVersion.ANY);
        registry.register(TENANT, "vm-1", () -> vm("ent-1", "dc1", "DEPLOYED"), ExpectedVersion.ANY);
        configs.recordApplied("vm-1", configs.get(TENANT, "vm-1").backup().version());
    }

    @AfterEach
    void close() {
        dynamo.close();
    }

    Backup succeeded(String vm) {
        Backup b = new Backup(ids.get(), vm, "dc1", "ent-1", null, Trigger.DISCOVERED, BackupStatus.SUCCESS, Fixtures.NOW, Fixtures.NOW,
                Fixtures.NOW, 100, 2048L, "rp-1", null, null, 0, 1);
        store.saveBackup(null, b);
        return b;
    }

    @Test
    void aBackupRoundTripsAndHoldsTheLockUntilItFinishes() {
        Backup b = service.backupNow(TENANT, "vm-1", () -> null);
        assertEquals(b, store.findBackup("vm-1", b.id()).orElseThrow());
        assertEquals("BACKUP#" + b.id(), store.lockHolder("vm-1").orElseThrow());
        var busy = assertThrows(DomainException.class, () -> service.backupNow(TENANT, "vm-1", () -> null));
        assertEquals(Problem.CONFLICT, busy.problem());
        Backup running = b.withStatus(BackupStatus.IN_PROGRESS, Fixtures.NOW, null).withJob("job-7");
        store.saveBackup(b, running);
        assertThrows(StoreConflict.class, () -> store.saveBackup(b, running), "a stale version is refused");
        Backup failed = running.withStatus(BackupStatus.FAILED, Fixtures.NOW, new ErrorInfo("REFUSED", "no"));
        store.finishBackup(running, failed);
        assertEquals(failed, store.findBackup("vm-1", b.id()).orElseThrow());
        assertTrue(store.lockHolder("vm-1").isEmpty());
    }

    @Test
    void twoConcurrentBackupsNowExactlyOneRuns() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Backup>> f = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                f.add(pool.submit(() -> {
                    start.await();
                    return service.backupNow(TENANT, "vm-1", () -> null);
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Backup> each : f) {
                try {
                    each.get();
                    won++;
                } catch (ExecutionException e) {
                    assertEquals(Problem.CONFLICT, ((DomainException) e.getCause()).problem());
                }
            }
            assertEquals(1, won);
            assertEquals(1, store.allBackups("vm-1").size(), "the losers wrote no backup");
            assertEquals(1, workflows.backups.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void backupsListNewestFirstPageByPage() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) made.add(0, succeeded("vm-1").id());
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<Backup> page = store.listBackups("vm-1", new PageRequest(2, cursor));
            page.items().forEach(b -> seen.add(b.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertEquals(made, seen);
        assertEquals(made, store.allBackups("vm-1").stream().map(Backup::id).toList());
        var foreign = assertThrows(DomainException.class, () -> store.listBackups("vm-1", new PageRequest(2, "bm90LWEtY3Vyc29y")));
        assertEquals(Problem.BAD_REQUEST, foreign.problem());
    }

    @Test
    void aRestoreCountsOnItsBackupAndARequestRoundTrips() {
        Backup b = succeeded("vm-1");
        var started = service.restore(RESTORER, "vm-1", b.id());
        Restore r = started.restores().get(0);
        assertEquals(r, store.findRestore("vm-1", b.id(), r.id()).orElseThrow());
        assertEquals(1, store.findBackup("vm-1", b.id()).orElseThrow().restoreCount());
        assertEquals("RESTORE#" + r.id(), store.lockHolder("vm-1").orElseThrow());
        assertEquals(started.request(), store.findRequest(started.request().id()).orElseThrow());
        Restore running = r.withStatus(RestoreStatus.IN_PROGRESS, Fixtures.NOW, null);
        store.saveRestore(r, running);
        store.finishRestore(running, running.withStatus(RestoreStatus.SUCCESS, Fixtures.NOW, null));
        assertTrue(store.lockHolder("vm-1").isEmpty());
        assertEquals(List.of(RestoreStatus.SUCCESS), store.restoresOf("vm-1", b.id()).stream().map(Restore::status).toList());
        var view = service.getRequest(RESTORER, started.request().id());
        assertEquals(RestoreRequest.Status.SUCCESS, view.request().status(view.restores()));
        var again = assertThrows(DomainException.class, () -> service.restore(RESTORER, "vm-1", b.id()));
        assertTrue(again.getMessage().contains("multipleRestore"), again.getMessage());
        assertNull(store.findRequest("not-an-id").orElse(null));
    }

    @Test
    void aRestoreOfABackupThatChangedMeanwhileIsRefusedWhole() {
        Backup b = succeeded("vm-1");
        Backup changed = b.withRestoreRequested();
        store.saveBackup(b, changed);
        Restore r = new Restore(ids.get(), b.id(), "vm-1", ids.get(), RestoreStatus.QUEUED, Fixtures.NOW, null, null, null, null, 1);
        var conflict = assertThrows(StoreConflict.class, () -> store.createLockedRestore(r, b, vms.findVm("vm-1").orElseThrow()));
        assertEquals(StoreConflict.Reason.VERSION_MISMATCH, conflict.reason());
        assertTrue(store.lockHolder("vm-1").isEmpty(), "no lock without the restore");
        assertTrue(store.findRestore("vm-1", b.id(), r.id()).isEmpty());
    }
}
