package dev.lifeboat.domain.backup;

import dev.lifeboat.domain.common.ErrorInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request to restore one or more VMs. Items that broke a rule are REJECTED with the reason; the others point at
 * their restore, whose status is the item's. The request's own status is derived from the items when read.
 *
 * @param enterprise the requester's enterprise (who may read the request)
 */
public record RestoreRequest(String id, String enterprise, String requestedBy, List<Item> items, Instant requestedAt) {
    public RestoreRequest {
        items = List.copyOf(items);
    }

    /** {@code restoreId} is null for a rejected item, {@code error} null for an accepted one. */
    public record Item(String vm, String backupId, String restoreId, ErrorInfo rejection) {}

    public enum Status { IN_PROGRESS, SUCCESS, PARTIAL, FAILED }

    /** The status of each item: REJECTED, or its restore's status. */
    public static String itemStatus(Item item, Map<String, Restore> restores) {
        if (item.restoreId() == null) {
            return "REJECTED";
        }
        Restore r = restores.get(item.restoreId());
        return r == null ? RestoreStatus.QUEUED.name() : r.status().name();
    }

    /**
     * IN_PROGRESS until every accepted item has ended; then SUCCESS when all items succeeded, FAILED when none did,
     * PARTIAL otherwise (some failed or were rejected).
     */
    public Status status(Map<String, Restore> restores) {
        int succeeded = 0;
        for (Item item : items) {
            if (item.restoreId() == null) {
                continue;
            }
            Restore r = restores.get(item.restoreId());
            if (r == null || !r.status().ended()) {
                return Status.IN_PROGRESS;
            }
            if (r.status() == RestoreStatus.SUCCESS) {
                succeeded++;
            }
        }
        if (succeeded == items.size()) return Status.SUCCESS;
        return succeeded == 0 ? Status.FAILED : Status.PARTIAL;
    }
}
