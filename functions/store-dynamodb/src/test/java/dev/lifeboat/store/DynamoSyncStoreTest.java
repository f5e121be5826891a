package dev.lifeboat.store;

import static dev.lifeboat.domain.fakes.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.SyncRepository.Mark;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupConfig;
import dev.lifeboat.domain.vm.VmState;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(Dynalite.class)
class DynamoSyncStoreTest {
    static final AtomicInteger TABLES = new AtomicInteger();
    DynamoDbClient dynamo;
    DynamoVmStore vms;
    DynamoBackupStore backups;
    DynamoSyncStore sync;

    @BeforeEach
    void createTable(URI endpoint) {
        dynamo = DynamoClients.forEndpoint(endpoint);
        String table = "sync-" + TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        vms = new DynamoVmStore(dynamo, table);
        backups = new DynamoBackupStore(dynamo, table);
        sync = new DynamoSyncStore(dynamo, table);
    }

    @AfterEach
    void close() {
        dynamo.close();
    }

    static VirtualMachine vm(String id, String dc, Hypervisor h, VmBackupConfig backup) {
        return new VirtualMachine(id, "ent-1", dc, id, VmState.DEPLOYED, h, 1, NOW, NOW, backup);
    }

    @Test
    void theMarkStartsEmptyAndOnlyMovesForward() {
        assertEquals(Mark.NONE, sync.mark("dc1"));
        assertTrue(sync.advance("dc1", new Mark(NOW, "c1", NOW.toEpochMilli())));
        assertFalse(sync.advance("dc1", new Mark(NOW.minusSeconds(60), "c0", NOW.minusSeconds(60).toEpochMilli())),
                "a run that began earlier and ended later does not move the watermark back");
        assertEquals(new Mark(NOW, "c1", NOW.toEpochMilli()), sync.mark("dc1"));
        assertTrue(sync.advance("dc1", new Mark(NOW.plusSeconds(600), null, NOW.plusSeconds(600).toEpochMilli())));
        assertEquals(new Mark(NOW.plusSeconds(600), null, NOW.plusSeconds(600).toEpochMilli()), sync.mark("dc1"));
        assertEquals(Mark.NONE, sync.mark("dc2"));
    }

    @Test
    void aVmIsFoundByItsVcenterAndMorefOrByItsUuidWithinItsDatacenter() {
        vms.saveVm(null, vm("web", "dc1", new Hypervisor("VC1.example.com", "vm-7", "4210aaaa-0000"), VmBackupConfig.NONE), Map.of());
        vms.saveVm(null, vm("db", "dc1", new Hypervisor(null, null, "4210BBBB-1111"), VmBackupConfig.NONE), Map.of());
        vms.saveVm(null, vm("far", "dc2", new Hypervisor("vc1.example.com", "vm-8", null), VmBackupConfig.NONE), Map.of());
        assertEquals("web", sync.vmByHypervisor("dc1", "vc1.example.com", "vm-7", null).map(VirtualMachine::id).orElse(null));
        assertEquals("db", sync.vmByHypervisor("dc1", null, null, "4210bbbb-1111").map(VirtualMachine::id).orElse(null));
        assertEquals("db", sync.vmByHypervisor("dc1", "vc1.example.com", "vm-99", "4210bbbb-1111").map(VirtualMachine::id).orElse(null),
                "the uuid when the moref is unknown");
        assertEquals(Optional.empty(), sync.vmByHypervisor("dc1", "vc1.example.com", "vm-8", null), "another datacenter's VM");
        assertEquals(Optional.empty(), sync.vmByHypervisor("dc1", "vc2.example.com", "vm-7", null), "the same moref in another vCenter");
    }

    @Test
    void onlyOperationsBegunBeforeTheBoundAreDueAndTheyLeaveTheIndexWhenTheyEnd() {
        Backup old = new Backup("01JB0000000000000000000001", "web", "dc1", "ent-1", null, Trigger.MANUAL, BackupStatus.QUEUED,
                NOW.minus(Duration.ofHours(1)), null, null, null, null, null, null, null, 0, 1);
        Backup young = new Backup("01JB0000000000000000000002", "db", "dc1", "ent-1", null, Trigger.MANUAL, BackupStatus.QUEUED,
                NOW, null, null, null, null, null, null, null, 0, 1);
        Backup running = new Backup("01JB0000000000000000000003", "app", "dc1", "ent-1", null, Trigger.SCHEDULED, BackupStatus.IN_PROGRESS,
                NOW.minus(Duration.ofHours(9)), NOW.minus(Duration.ofHours(9)), null, null, null, null, "job", null, 0, 1);
        Backup discovered = new Backup("01JB0000000000000000000004", "app", "dc1", "ent-1", null, Trigger.DISCOVERED, BackupStatus.IN_PROGRESS,
                NOW.minus(Duration.ofHours(9)), NOW.minus(Duration.ofHours(9)), null, null, null, null, "job2", null, 0, 1);
        for (Backup b : List.of(old, young, running, discovered)) backups.saveBackup(null, b);
        assertEquals(List.of(old.id()), sync.backupsDue("QUEUED", NOW.minusSeconds(60)).stream().map(Backup::id).toList());
        assertEquals(List.of(running.id()), sync.backupsDue("RUNNING", NOW).stream().map(Backup::id).toList(),
                "the backup system's own runs are results sync's to follow");
        backups.saveBackup(old, old.withStatus(BackupStatus.FAILED, NOW, null));
        assertEquals(List.of(), sync.backupsDue("QUEUED", NOW.minusSeconds(60)));

        VmBackupConfig pending = new VmBackupConfig(List.of(), List.of(), ConfigStatus.PENDING, null, null, 3, NOW.minus(Duration.ofHours(2)));
        vms.saveVm(null, vm("web", "dc1", Hypervisor.NONE, pending), Map.of());
        vms.saveVm(null, vm("db", "dc1", Hypervisor.NONE, VmBackupConfig.NONE), Map.of());
        assertEquals(List.of("web"), sync.pendingConfigurationsDue(NOW.minus(Duration.ofHours(1))).stream().map(VirtualMachine::id).toList());
        assertEquals(List.of(), sync.pendingConfigurationsDue(NOW.minus(Duration.ofHours(3))));
    }
}
