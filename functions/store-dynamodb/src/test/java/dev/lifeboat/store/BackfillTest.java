package dev.lifeboat.store;

import static dev.lifeboat.domain.fakes.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.backup.SyncRepository.PointedVm;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.SyncRepository.ListedPoint;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupConfig;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A table as an earlier Lifeboat left it: VMs without identity pointers, backups without reference pointers or held keys. */
@ExtendWith(Dynalite.class)
class BackfillTest {
    DynamoDbClient dynamo;
    String table;
    DynamoSyncStore sync;
    DynamoBackupStore backups;

    @BeforeEach
    void createTable(URI endpoint) {
        dynamo = DynamoClients.forEndpoint(endpoint);
        table = "backfill-" + DynamoSyncStoreTest.TABLES.incrementAndGet();
        LifeboatTable.create(dynamo, table);
        sync = new DynamoSyncStore(dynamo, table);
        backups = new DynamoBackupStore(dynamo, table);
    }

    @AfterEach
    void close() {
        dynamo.close();
    }

    /** The item as written before pointers and the held index: the VM or backup item alone, without GSI3 on backups. */
    private void writeOld(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> old = new HashMap<>(item);
        if (old.get(LifeboatTable.SK).s().startsWith("BACKUP#")) {
            old.remove(LifeboatTable.GSI3PK);
            old.remove(LifeboatTable.GSI3SK);
        }
        dynamo.putItem(b -> b.tableName(table).item(old));
    }

    static Backup backup(String id, String vm, Trigger trigger, BackupStatus status, String point, String job) {
        return new Backup(id, vm, "dc1", "ent-1", null, trigger, status, NOW, NOW, NOW, 100, 1L, point, job, null, 0, 3);
    }

    @Test
    void anOldTableGetsThePointersAndHeldKeysResultsSyncReadsAndASecondRunChangesNothing() {
        List<Hypervisor> identities = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Hypervisor h = new Hypervisor("vc1.example.com", "vm-" + i, null);
            identities.add(h);
            writeOld(DynamoVmStore.item(DynamoSyncStoreTest.vm("vm" + i, "dc1", h, VmBackupConfig.NONE)));
        }
        Backup manual = backup("01JB0000000000000000000031", "vm7", Trigger.MANUAL, BackupStatus.SUCCESS, "point-7", "job-7");
        Backup expired = backup("01JB0000000000000000000032", "vm8", Trigger.DISCOVERED, BackupStatus.EXPIRED, "point-8", null);
        Backup running = backup("01JB0000000000000000000033", "vm9", Trigger.MANUAL, BackupStatus.IN_PROGRESS, null, "job-9");
        // A discovery of a point listed with its start: its key derives from that point, so it needs no pointer.
        Backup keyed = DynamoSyncStoreTest.discovery("web", "point-w", NOW.minusSeconds(3_600), BackupStatus.SUCCESS);
        List.of(manual, expired, running, keyed).forEach(b -> writeOld(DynamoBackupStore.backupItem(b)));
        assertTrue(sync.vmsByPointer("dc1", identities).stream().allMatch(Optional::isEmpty), "no VM has a pointer yet");
        assertEquals(List.of(), sync.backupsOf(Map.of("vm7", Set.of(new ListedPoint("point-7", null)))).get("vm7"));
        assertEquals(Map.of(), sync.heldBackups("dc1", "vm0", "vm99"));

        List<Backfill.Progress> pages = new ArrayList<>();
        Backfill.Progress done = new Backfill(dynamo, table).run(null, pages::add);

        assertEquals(304, done.scanned());
        assertEquals(300, done.identityPointers());
        assertEquals(4, done.referencePointers(),
                "the manual backup's point and job, the expired one's point, the running one's job; none for the keyed discovery");
        assertEquals(2, done.heldIndexed(), "only the SUCCESS backups with a restore point are ones the backup system should hold");
        assertEquals(Map.of("web", List.of(keyed)), sync.backupsOf(Map.of("web", Set.of(new ListedPoint("point-w", NOW.minusSeconds(3_600))))),
                "found by the key its listed point gives");
        assertEquals(Map.of("web", List.of()), sync.backupsOf(Map.of("web", Set.of(new ListedPoint("point-w", null)))),
                "no pointer was written for it");
        assertNull(pages.get(pages.size() - 1).cursor());
        for (int i = 0; i < 300; i++) {
            assertEquals(Optional.of("vm" + i), sync.vmsByPointer("dc1", List.of(identities.get(i))).get(0).map(PointedVm::id));
        }
        assertEquals(List.of(manual), sync.backupsOf(Map.of("vm7", Set.of(new ListedPoint("point-7", null)))).get("vm7"));
        assertEquals(List.of(running), sync.backupsOf(Map.of("vm9", Set.of(new ListedPoint("job-9", null)))).get("vm9"));
        assertEquals(Map.of("vm7", List.of(manual)), sync.heldBackups("dc1", "vm0", "vm99"));

        Backfill.Progress again = new Backfill(dynamo, table).run(null, p -> { });
        assertEquals(0, again.heldIndexed(), "a backup in the held index is not written again");
        assertEquals(Map.of("vm7", List.of(manual)), sync.heldBackups("dc1", "vm0", "vm99"));
        assertEquals(manual, backups.findBackup("vm7", manual.id()).orElseThrow(), "the backup itself is as it was");
    }

    @Test
    void aRunGoesOnFromTheCursorItPrintedAndRefusesOneItDidNot() {
        for (int i = 0; i < 40; i++) {
            writeOld(DynamoVmStore.item(DynamoSyncStoreTest.vm("vm" + i, "dc1", new Hypervisor(null, null, "uuid-" + i), VmBackupConfig.NONE)));
        }
        Map<String, AttributeValue> first = Map.of(LifeboatTable.PK, AttributeValue.fromS("VM#vm3"), LifeboatTable.SK, AttributeValue.fromS("VM"));
        String cursor = Backfill.encode(first);
        assertEquals(first, Backfill.decode(cursor));
        Backfill.Progress rest = new Backfill(dynamo, table).run(cursor, p -> { });
        assertTrue(rest.scanned() < 40, "a resumed run reads from its cursor on: " + rest);
        assertThrows(IllegalArgumentException.class, () -> Backfill.decode("not a cursor!"));
    }
}
