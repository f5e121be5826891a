package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.n;

import dev.lifeboat.domain.vm.VirtualMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Seeds many VMs (and backups) at once for scale tests and benchmarks (100,000 VMs in seconds): batch writes of the
 * same items {@link DynamoVmStore} and {@link DynamoBackupStore} write, their pointer items included, and the
 * datacenter's count of configured VMs. It skips the per-VM transaction (the policy → VM index and the policies'
 * counts), so it is for empty test tables only, never for a service's table.
 */
public final class BulkLoad {
    private BulkLoad() {}

    /** Writes the VMs, 25 a request, and adds the configured ones to their datacenter's counter. */
    public static void vms(DynamoDbClient dynamo, String table, List<VirtualMachine> vms) {
        Map<String, Long> configured = new HashMap<>();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (VirtualMachine vm : vms) {
            items.add(DynamoVmStore.item(vm));
            String identity = DynamoVmStore.hypervisorKey(vm);
            if (identity != null) items.add(DynamoVmStore.identityItem(identity, vm));
            if (!vm.backup().policies().isEmpty()) configured.merge(vm.datacenter(), 1L, Long::sum);
        }
        BatchWrites.put(dynamo, table, items, "seeded items");
        configured.forEach((dc, count) -> dynamo.updateItem(b -> b.tableName(table).key(Keys.usage(dc))
                .updateExpression("ADD configuredVms :n").expressionAttributeValues(Map.of(":n", n(count)))));
    }

    /** Writes backups that take no lock (e.g. SUCCESS ones the backup system made), 25 a request. */
    public static void backups(DynamoDbClient dynamo, String table, List<dev.lifeboat.domain.backup.Backup> backups) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (dev.lifeboat.domain.backup.Backup b : backups) {
            items.add(DynamoBackupStore.backupItem(b));
            items.addAll(DynamoBackupStore.refItems(null, b));
        }
        BatchWrites.put(dynamo, table, items, "seeded items");
    }
}
