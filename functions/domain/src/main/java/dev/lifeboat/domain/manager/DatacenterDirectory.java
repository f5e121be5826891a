package dev.lifeboat.domain.manager;

import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;

/** Port: the datacenters that have a backup manager, sorted by id, a page at a time (no backup system is read). */
public interface DatacenterDirectory {
    Page<DatacenterSummary> listDatacenters(PageRequest page);
}
