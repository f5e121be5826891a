package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.n;
import static dev.lifeboat.store.Attr.s;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Brings a table written by an earlier Lifeboat up to what results sync reads, once, after an upgrade: the identity
 * pointer of every VM, the reference pointers of every backup that needs them (a discovery found by its derived key
 * needs none: {@code Backup.keyedBy}), and the index of held backups (GSI3 {@code HELD#}) for
 * SUCCESS backups with a restore point. Until it has run, results sync still finds every VM (through the identity
 * index), but may DISCOVER again a restore point of a backup written before (if it is listed as new) and does not
 * EXPIRE backups outside the held index.
 *
 * <p>It reads the table in Scan pages and may run while the service runs: pointers are plain puts (an identity pointer
 * names the VM only, so results sync reads the VM and checks that it still has the identity: one written after its
 * VM moved away is ignored; the VM's next write gives it a full pointer), and a backup enters the held index only if its version is still the one read. Safe to run again;
 * a run that stops goes on from the cursor it printed last.
 *
 * <pre>./lifeboat backfill --table NAME [--from CURSOR]</pre>
 */
public final class Backfill {
    /** What one run did so far, and where the next page begins (null: the table is done). */
    public record Progress(long scanned, long identityPointers, long referencePointers, long heldIndexed, String cursor) {}

    private final DynamoDbClient dynamo;
    private final String table;

    public Backfill(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** From {@code cursor} (null: the table's first item) to the end, telling {@code afterPage} after every page. */
    public Progress run(String cursor, Consumer<Progress> afterPage) {
        Map<String, AttributeValue> start = cursor == null ? null : decode(cursor);
        long scanned = 0;
        long identities = 0;
        long references = 0;
        long held = 0;
        do {
            ScanRequest.Builder scan = ScanRequest.builder().tableName(table).consistentRead(true)
                    // Only VMs and backups: every other kind already has what it needs.
                    .filterExpression("SK = :vm OR begins_with(SK, :backup)")
                    .expressionAttributeValues(Map.of(":vm", s("VM"), ":backup", s("BACKUP#")));
            if (start != null) scan.exclusiveStartKey(start);
            ScanResponse page = dynamo.scan(scan.build());
            List<Map<String, AttributeValue>> pointers = new ArrayList<>();
            for (Map<String, AttributeValue> item : page.items()) {
                if ("VM".equals(s(item, LifeboatTable.SK))) {
                    String identity = DynamoVmStore.hypervisorKey(DynamoVmStore.vm(item));
                    if (identity != null) {
                        pointers.add(DynamoVmStore.identityItem(identity, s(item, "id")));
                        identities++;
                    }
                    continue;
                }
                Backup b = DynamoBackupStore.backup(item);
                List<Map<String, AttributeValue>> refs = DynamoBackupStore.refItems(null, b);
                pointers.addAll(refs);
                references += refs.size();
                if (b.status() == BackupStatus.SUCCESS && b.providerRef() != null && !item.containsKey(LifeboatTable.GSI3PK) && enterHeld(b)) {
                    held++;
                }
            }
            BatchWrites.put(dynamo, table, pointers, "pointers"); // plain puts, as the service writes them
            scanned += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            afterPage.accept(new Progress(scanned, identities, references, held, start == null ? null : encode(start)));
        } while (start != null);
        return new Progress(scanned, identities, references, held, null);
    }

    /** The held-index keys as {@link DynamoBackupStore#backupItem} writes them, unless the backup changed since read. */
    private boolean enterHeld(Backup b) {
        Map<String, AttributeValue> values = Map.of(":pk", s(Keys.heldBackups(b.datacenter())), ":sk", s(Keys.heldBackup(b.vm(), b.id())),
                ":version", n(b.version()));
        try {
            dynamo.updateItem(u -> u.tableName(table).key(Keys.backup(b.vm(), b.id()))
                    .updateExpression("SET " + LifeboatTable.GSI3PK + " = :pk, " + LifeboatTable.GSI3SK + " = :sk")
                    .conditionExpression("#version = :version").expressionAttributeNames(Map.of("#version", "version"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false; // written since: that write gave it the keys its state calls for
        }
    }

    /** The Scan position as an opaque word for the command line: the key's PK and SK. */
    static String encode(Map<String, AttributeValue> key) {
        String both = s(key, LifeboatTable.PK) + "\n" + s(key, LifeboatTable.SK);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(both.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, AttributeValue> decode(String cursor) {
        String both;
        try {
            both = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a cursor this command printed: " + cursor);
        }
        int cut = both.indexOf('\n');
        if (cut < 0) throw new IllegalArgumentException("not a cursor this command printed: " + cursor);
        return Keys.key(both.substring(0, cut), both.substring(cut + 1));
    }

    /** {@code --table NAME [--from CURSOR]}; region, credentials and a local endpoint from the standard AWS variables. */
    public static void main(String[] args) {
        String table = null;
        String from = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--table" -> table = i + 1 < args.length ? args[++i] : null;
                case "--from" -> from = i + 1 < args.length ? args[++i] : null;
                default -> {
                    System.err.println("backfill: unknown option " + args[i] + "; usage: --table NAME [--from CURSOR]");
                    System.exit(2);
                }
            }
        }
        if (table == null || table.isBlank()) {
            System.err.println("backfill: --table NAME is required (the service's table, TableName in the stack's outputs)");
            System.exit(2);
        }
        try {
            if (from != null) decode(from); // a wrong cursor fails before anything is read
        } catch (IllegalArgumentException e) {
            System.err.println("backfill: " + e.getMessage());
            System.exit(2);
        }
        try (DynamoDbClient dynamo = DynamoClients.fromEnvironment()) {
            Progress done = new Backfill(dynamo, table).run(from, p -> System.out.printf(
                    "scanned %d items: %d identity pointers, %d reference pointers, %d backups into the held index%s%n", p.scanned(),
                    p.identityPointers(), p.referencePointers(), p.heldIndexed(), p.cursor() == null ? "" : "; resume with --from " + p.cursor()));
            System.out.println("backfill of " + table + " done: " + done.scanned() + " items read");
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            // No table, no credentials, no network: what DynamoDB or the SDK said, without a stack trace.
            System.err.println("backfill: " + e.getMessage());
            System.exit(1);
        }
    }
}
