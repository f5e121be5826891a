package dev.lifeboat.store;

import static dev.lifeboat.domain.fakes.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import dev.lifeboat.domain.backup.SyncRepository.ListedPoint;
import dev.lifeboat.domain.backup.SyncRepository.Mark;
import dev.lifeboat.domain.backup.SyncRepository.PointedVm;
import dev.lifeboat.domain.backup.Trigger;
import dev.lifeboat.domain.vm.ConfigStatus;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.PolicySelection;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupConfig;
import dev.lifeboat.domain.vm.VmState;
import dev.lifeboat.testing.Dynalite;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;

@ExtendWith(Dynalite.class)
class DynamoSyncStoreTest {
    static final AtomicInteger TABLES = new AtomicInteger();
    DynamoDbClient dynamo;
    DynamoVmStore vms;
    DynamoBackupStore backups;
    DynamoSyncStore sync;
    String table;
    URI endpoint;

    @BeforeEach
    void createTable(URI endpoint) {
        this.endpoint = endpoint;
        dynamo = DynamoClients.forEndpoint(endpoint);
        table = "sync-" + TABLES.incrementAndGet();
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
    void aPageOfIdentitiesFindsItsVmsByPointerAndAPointerFollowsItsVmWhenItMoves() {
        VirtualMachine web = vm("web", "dc1", new Hypervisor("VC1.example.com", "vm-7", "4210aaaa-0000"), VmBackupConfig.NONE);
        vms.saveVm(null, web, Map.of());
        vms.saveVm(null, vm("db", "dc1", new Hypervisor(null, null, "4210BBBB-1111"), VmBackupConfig.NONE), Map.of());
        vms.saveVm(null, vm("far", "dc2", new Hypervisor("vc1.example.com", "vm-8", null), VmBackupConfig.NONE), Map.of());
        List<Hypervisor> page = List.of(new Hypervisor("vc1.example.com", "vm-7", null), new Hypervisor(null, null, "4210bbbb-1111"),
                new Hypervisor("vc1.example.com", "vm-99", "4210bbbb-1111"), new Hypervisor("vc1.example.com", "vm-8", null),
                new Hypervisor("vc2.example.com", "vm-7", null));
        assertEquals(List.of(Optional.of("web"), Optional.of("db"), Optional.of("db"), Optional.empty(), Optional.empty()),
                ids(sync.vmsByPointer("dc1", page)), "as the index answers: the uuid when the moref is unknown, only this datacenter's VMs");

        VirtualMachine moved = new VirtualMachine("web", "ent-1", "dc1", "web", VmState.DEPLOYED,
                new Hypervisor("vc1.example.com", "vm-70", "4210aaaa-0000"), 2, NOW, NOW, VmBackupConfig.NONE);
        vms.saveVm(web, moved, Map.of());
        assertEquals(List.of(Optional.empty(), Optional.of("web")),
                ids(sync.vmsByPointer("dc1", List.of(new Hypervisor("vc1.example.com", "vm-7", null), new Hypervisor("vc1.example.com", "vm-70", null)))),
                "the old identity names no VM any more");

        // A VM written before pointers existed: only the index knows it, which is what results sync asks next.
        VirtualMachine old = vm("old", "dc1", new Hypervisor("vc1.example.com", "vm-5", null), VmBackupConfig.NONE);
        dynamo.putItem(b -> b.tableName(table).item(DynamoVmStore.item(old)));
        assertEquals(List.of(Optional.empty()), ids(sync.vmsByPointer("dc1", List.of(new Hypervisor("vc1.example.com", "vm-5", null)))));
        assertEquals("old", sync.vmByHypervisor("dc1", "vc1.example.com", "vm-5", null).map(VirtualMachine::id).orElse(null));
    }

    @Test
    void aPageOfPointsFindsItsVmsAndTheBackupsOfItsReferencesTogether() {
        vms.saveVm(null, vm("web", "dc1", new Hypervisor("vc1.example.com", "vm-7", null), VmBackupConfig.NONE), Map.of());
        vms.saveVm(null, vm("db", "dc1", new Hypervisor("vc1.example.com", "vm-8", null), VmBackupConfig.NONE), Map.of());
        vms.saveVm(null, vm("far", "dc2", new Hypervisor("vc1.example.com", "vm-9", null), VmBackupConfig.NONE), Map.of());
        Backup known = succeeded("01JB0000000000000000000031", "web", "dc1", "point-1");
        Backup other = succeeded("01JB0000000000000000000032", "web", "dc1", "point-2");
        Backup ofDb = succeeded("01JB0000000000000000000033", "db", "dc1", "point-1");
        backups.createAll(List.of(known, other, ofDb));
        Hypervisor web = new Hypervisor("vc1.example.com", "vm-7", null);
        List<Hypervisor> page = List.of(web, web, new Hypervisor("vc1.example.com", "vm-8", null), new Hypervisor("vc1.example.com", "vm-9", null));

        var found = sync.pointPage("dc1", page, points("point-1", "point-5", "point-3", "point-1"));

        assertEquals(List.of(Optional.of("web"), Optional.of("web"), Optional.of("db"), Optional.empty()), ids(found.vms()));
        assertEquals(List.of(known), found.knownByVm().get("web"), "only the backup a listed reference names");
        assertEquals(List.of(), found.knownByVm().get("db"), "point-1 of web is not db's: db's own point-1 was not listed with it");
        assertEquals(Set.of("web", "db"), found.knownByVm().keySet(), "an entry for every VM found, none for another datacenter's");
    }

    /** Points listed without their start: found through reference pointers only. */
    static List<ListedPoint> points(String... refs) {
        return Arrays.stream(refs).map(ref -> new ListedPoint(ref, null)).toList();
    }

    static List<Optional<String>> ids(List<Optional<PointedVm>> found) {
        return found.stream().map(vm -> vm.map(PointedVm::id)).toList();
    }

    @Test
    void aPointerCarriesWhatRecordingNeedsOfItsVmSoAPageOfPointsReadsNoVm() {
        dynamo.putItem(b -> b.tableName(table).item(Keys.policy("dc1", "gold"))); // saveVm counts the policy's VMs
        VirtualMachine web = vm("web", "dc1", new Hypervisor("vc1.example.com", "vm-7", null),
                new VmBackupConfig(List.of(PolicySelection.of("gold")), List.of(), ConfigStatus.APPLIED, null, null, 1, NOW));
        vms.saveVm(null, web, Map.of());
        List<Hypervisor> identity = List.of(new Hypervisor("vc1.example.com", "vm-7", null));
        List<Map<String, AttributeValue>> asked = new ArrayList<>();
        try (DynamoDbClient watched = DynamoClients.forEndpoint(endpoint, new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        if (context.request() instanceof BatchGetItemRequest r) r.requestItems().values().forEach(k -> asked.addAll(k.keys()));
                    }
                })) {
            DynamoSyncStore store = new DynamoSyncStore(watched, table);

            assertEquals(List.of(Optional.of(new PointedVm("web", "dc1", "ent-1", true))),
                    store.pointPage("dc1", identity, List.of(new ListedPoint("point-1", NOW))).vms());
            assertTrue(asked.stream().noneMatch(k -> "VM".equals(k.get(LifeboatTable.SK).s())), "no VM read: " + asked);

            // The same identity, the configuration gone: the pointer follows, as the VM's own transaction rewrites it.
            VirtualMachine bare = new VirtualMachine("web", "ent-1", "dc1", "web", VmState.DEPLOYED, web.hypervisor(), 2, NOW, NOW,
                    new VmBackupConfig(List.of(), List.of(), ConfigStatus.APPLIED, null, null, 2, NOW));
            vms.saveVm(web, bare, Map.of());
            assertEquals(List.of(Optional.of(new PointedVm("web", "dc1", "ent-1", false))), store.vmsByPointer("dc1", identity),
                    "a VM without a configuration is not Lifeboat's to record: the pointer says so");

            // A pointer that names the VM only (Backfill writes those, unaware of the VM's version): the VM is read, and
            // counts only while it still has that identity.
            String key = Keys.hypervisor("dc1", "vc1.example.com", "vm-7", null);
            dynamo.putItem(b -> b.tableName(table).item(DynamoVmStore.identityItem(key, "web")));
            asked.clear();
            assertEquals(List.of(Optional.of(new PointedVm("web", "dc1", "ent-1", false))), store.vmsByPointer("dc1", identity));
            assertTrue(asked.stream().anyMatch(k -> "VM".equals(k.get(LifeboatTable.SK).s())), "the VM is read to check it: " + asked);
            dynamo.putItem(b -> b.tableName(table).item(DynamoVmStore.identityItem(Keys.hypervisor("dc1", "vc1.example.com", "vm-8", null), "web")));
            assertEquals(List.of(Optional.empty()), store.vmsByPointer("dc1", List.of(new Hypervisor("vc1.example.com", "vm-8", null))),
                    "a pointer written after its VM moved away names no VM");
        }
    }

    @Test
    void theBackupsOfListedReferencesAreFoundByKeyWhateverWroteTheReference() {
        Backup queued = new Backup("01JB0000000000000000000021", "web", "dc1", "ent-1", null, Trigger.MANUAL, BackupStatus.QUEUED,
                NOW, null, null, null, null, null, null, null, 0, 1);
        backups.saveBackup(null, queued);
        Backup running = new Backup(queued.id(), "web", "dc1", "ent-1", null, Trigger.MANUAL, BackupStatus.IN_PROGRESS,
                NOW, NOW, null, 10, null, null, "job-1", null, 0, 2);
        backups.saveBackup(queued, running);
        Backup done = running.succeeded(NOW, "point-1", 5L);
        backups.saveBackup(running, done);
        Backup discovered = succeeded("01JB0000000000000000000022", "web", "dc1", "point-2");
        backups.createAll(List.of(discovered));
        backups.saveBackup(null, succeeded("01JB0000000000000000000023", "web", "dc1", "point-3"));

        Map<String, List<Backup>> found = sync.backupsOf(Map.of("web", Set.copyOf(points("job-1", "point-1", "point-2", "point-9")), "db", Set.copyOf(points("point-1"))));
        assertEquals(Set.of(done, discovered), Set.copyOf(found.get("web")),
                "the job's and the point's reference name one backup, found once; a backup no reference names is not read");
        assertEquals(1, found.get("web").stream().filter(done::equals).count());
        assertEquals(List.of(), found.get("db"), "a reference is the VM's own: another VM's backup is not found by it");
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

    static Backup succeeded(String id, String vm, String dc, String ref) {
        return new Backup(id, vm, dc, "ent-1", null, Trigger.DISCOVERED, BackupStatus.SUCCESS, NOW, NOW, NOW, 100, 1L, ref, null, null, 0, 1);
    }

    @Test
    void heldBackupsAreTheSuccessfulOnesWithAReferenceOfTheVmsInTheRangeAndLeaveWhenTheyExpire() {
        Backup a1 = succeeded("01JB0000000000000000000011", "vm-a", "dc1", "ref-a1");
        Backup b1 = succeeded("01JB0000000000000000000012", "vm-b", "dc1", "ref-b1");
        Backup b2 = succeeded("01JB0000000000000000000013", "vm-b", "dc1", "ref-b2");
        Backup bRunning = new Backup("01JB0000000000000000000014", "vm-b", "dc1", "ent-1", null, Trigger.DISCOVERED,
                BackupStatus.IN_PROGRESS, NOW, NOW, null, null, null, null, "job", null, 0, 1);
        Backup c1 = succeeded("01JB0000000000000000000015", "vm-c", "dc1", "ref-c1");
        Backup d1 = succeeded("01JB0000000000000000000016", "vm-d", "dc1", "ref-d1");
        Backup other = succeeded("01JB0000000000000000000017", "vm-b", "dc2", "ref-x");
        Backup noRef = new Backup("01JB0000000000000000000018", "vm-c", "dc1", "ent-1", null, Trigger.MANUAL, BackupStatus.SUCCESS,
                NOW, NOW, NOW, 100, 1L, null, "job", null, 0, 1);
        for (Backup b : List.of(a1, b1, b2, bRunning, c1, d1, other, noRef)) backups.saveBackup(null, b);

        Map<String, List<Backup>> held = sync.heldBackups("dc1", "vm-b", "vm-c");
        assertEquals(Map.of("vm-b", List.of(b1, b2), "vm-c", List.of(c1)), held,
                "both ends included; running ones, ones without a reference, other datacenters' and VMs outside the range not");
        assertEquals(Map.of("vm-a", List.of(a1)), sync.heldBackups("dc1", "vm-a", "vm-a"), "a range of one VM");

        backups.saveBackup(b1, b1.withStatus(BackupStatus.EXPIRED, NOW, null));
        assertEquals(List.of(b2), sync.heldBackups("dc1", "vm-b", "vm-b").get("vm-b"), "an expired backup leaves the index");
    }

    @Test
    void createAllWritesOnlyWhatIsNotThereYetInTransactionsOfAHundred() {
        List<Backup> found = new java.util.ArrayList<>();
        for (int i = 0; i < 250; i++) {
            found.add(succeeded(String.format("01JB%022d", i), "vm-" + (i % 7), "dc1", "ref-" + i));
        }
        backups.saveBackup(null, found.get(3));
        backups.saveBackup(null, found.get(150));
        List<Backup> created = backups.createAll(found);
        assertEquals(248, created.size(), "the two written before are left alone");
        assertFalse(created.contains(found.get(3)));
        assertFalse(created.contains(found.get(150)));
        assertEquals(List.of(), backups.createAll(found.subList(0, 120)), "a second run writes nothing");
        int stored = 0;
        for (int v = 0; v < 7; v++) stored += backups.allBackups("vm-" + v).size();
        assertEquals(250, stored, "every backup once");
    }

    @Test
    void aDiscoveryOfAPointListedWithItsStartIsFoundByItsKeyAndWritesNoPointer() {
        vms.saveVm(null, vm("web", "dc1", new Hypervisor("vc1.example.com", "vm-7", null), VmBackupConfig.NONE), Map.of());
        Instant started = NOW.minus(Duration.ofMinutes(30));
        Backup keyed = discovery("web", "point-1", started, BackupStatus.SUCCESS);
        Backup running = discovery("web", "job-2", started.plusSeconds(1), BackupStatus.IN_PROGRESS);
        // Listed without a start: its id derives from its end, which the next listing may not repeat.
        Backup unkeyed = new Backup(Backup.discoveredId("web", "point-3", NOW), "web", "dc1", "ent-1", null, Trigger.DISCOVERED,
                BackupStatus.SUCCESS, NOW, null, NOW, 100, 1L, "point-3", null, null, 0, 1);
        assertEquals(List.of(keyed, running, unkeyed), backups.createAll(List.of(keyed, running, unkeyed)));
        assertFalse(refPointer("web", "point-1"), "the key is derived from the point: no pointer");
        assertFalse(refPointer("web", "job-2"));
        assertTrue(refPointer("web", "point-3"), "without a start, the pointer is how the backup is found");

        Hypervisor web = new Hypervisor("vc1.example.com", "vm-7", null);
        var page = sync.pointPage("dc1", List.of(web, web, web, web), List.of(new ListedPoint("point-1", started),
                new ListedPoint("job-2", started.plusSeconds(1)), new ListedPoint("point-3", null), new ListedPoint("point-1", started.plusSeconds(5))));
        assertEquals(Set.of(keyed, running, unkeyed), Set.copyOf(page.knownByVm().get("web")),
                "by key, by key, by pointer; point-1 listed twice (with another start) is still one backup");
        assertEquals(3, page.knownByVm().get("web").size());
        assertEquals(Map.of("web", List.of(keyed)), sync.backupsOf(Map.of("web", Set.of(new ListedPoint("point-1", started)))));

        // The running discovery ends: its reference stays the same, and it is still found by its key, with no pointer.
        Backup done = running.succeeded(NOW, "job-2", 5L);
        backups.saveBackup(running, done);
        assertFalse(refPointer("web", "job-2"));
        assertEquals(Map.of("web", List.of(done)), sync.backupsOf(Map.of("web", Set.of(new ListedPoint("job-2", started.plusSeconds(1))))));

        // A discovery written with a pointer (before keys were derived) is found by both, and still once.
        Backup old = discovery("web", "point-4", started, BackupStatus.SUCCESS);
        backups.createAll(List.of(old));
        dynamo.putItem(b -> b.tableName(table).item(Map.of(LifeboatTable.PK, Attr.s("REF#web#point-4"), LifeboatTable.SK, Attr.s("REF"),
                "backupId", Attr.s(old.id()))));
        assertEquals(Map.of("web", List.of(old)), sync.backupsOf(Map.of("web", Set.of(new ListedPoint("point-4", started)))));
    }

    static Backup discovery(String vm, String ref, Instant started, BackupStatus status) {
        boolean running = status.running();
        return new Backup(Backup.discoveredId(vm, ref, started), vm, "dc1", "ent-1", null, Trigger.DISCOVERED, status, started, started,
                running ? null : NOW, running ? null : 100, 1L, running ? null : ref, running ? ref : null, null, 0, 1);
    }

    boolean refPointer(String vm, String ref) {
        return dynamo.getItem(b -> b.tableName(table).key(Keys.backupRef(vm, ref)).consistentRead(true)).hasItem();
    }
}
