package dev.lifeboat.domain.manager;

import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_RETRIEVE_DETAILS;

import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.identity.Caller;

/** The administrators' list of datacenters with a backup manager (the console's start page). */
public final class DatacenterDirectoryService {
    private final DatacenterDirectory directory;

    public DatacenterDirectoryService(DatacenterDirectory directory) {
        this.directory = directory;
    }

    public Page<DatacenterSummary> list(Caller caller, PageRequest page) {
        caller.require(PHYS_DC_RETRIEVE_DETAILS);
        return directory.listDatacenters(page);
    }
}
