package dev.lifeboat.domain.backup;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Port: restore requests newest first, read through an index (never a scan), and the restores of many requests in
 * one batch so that a page of requests costs a bounded number of reads.
 */
public interface RestoreHistory {
    /**
     * Up to {@code limit} requests older than {@code afterId} (null: from the newest): those that restore {@code vm}
     * when it is given, else those of {@code enterprise}, else every request.
     */
    List<RestoreRequest> requests(String enterprise, String vm, String afterId, int limit);

    /** The restores that the requests' accepted items name, by restore id. */
    Map<String, Restore> restoresOf(Collection<RestoreRequest> requests);
}
