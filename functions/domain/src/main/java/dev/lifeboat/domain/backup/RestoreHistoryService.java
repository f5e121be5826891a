package dev.lifeboat.domain.backup;

import static dev.lifeboat.domain.identity.Privilege.ENTERPRISE_ADMINISTER_ALL;

import dev.lifeboat.domain.common.Cursors;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.vm.VmAccess;
import dev.lifeboat.domain.vm.VmRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The history of restore requests ({@code GET /restores}): the caller's enterprise, one VM, or (cloud administrators)
 * every enterprise, newest first. A request's status is derived from its restores, so a status filter reads requests
 * in chunks and keeps the matching ones; it examines at most {@link #STATUS_FILTER_BUDGET} requests per page, so a
 * filtered page may be short (even empty) while {@code nextCursor} still points further.
 */
public final class RestoreHistoryService {
    static final int STATUS_FILTER_BUDGET = 100;
    private static final int CHUNK = 25;
    private static final String CURSOR = "r1";

    private final VmRepository vms;
    private final RestoreHistory history;

    public RestoreHistoryService(VmRepository vms, RestoreHistory history) {
        this.vms = vms;
        this.history = history;
    }

    /** A page of requests with the restores their items name. */
    public record Listing(Page<RestoreRequest> page, Map<String, Restore> restores) {}

    public Listing list(Caller caller, String enterprise, String vm, String status, PageRequest page) {
        Violations malformed = new Violations();
        if (enterprise != null && !Text.isPathId(enterprise)) {
            malformed.add("enterprise", "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        if (vm != null && !Text.isPathId(vm)) {
            malformed.add("vm", "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        RestoreRequest.Status wanted = null;
        if (status != null) {
            try {
                wanted = RestoreRequest.Status.valueOf(status);
            } catch (IllegalArgumentException e) {
                malformed.add("status", "must be one of IN_PROGRESS, SUCCESS, PARTIAL, FAILED");
            }
        }
        String scope;
        if (caller.has(ENTERPRISE_ADMINISTER_ALL)) {
            scope = enterprise;
        } else if (caller.enterprise() == null) {
            throw DomainException.forbidden("The token names no enterprise; listing restore requests needs one, or ENTERPRISE_ADMINISTER_ALL.");
        } else if (enterprise != null && !caller.belongsTo(enterprise)) {
            throw DomainException.forbidden("Listing the restore requests of another enterprise needs the privilege ENTERPRISE_ADMINISTER_ALL.");
        } else {
            scope = caller.enterprise();
        }
        malformed.throwIfAny(Problem.BAD_REQUEST);
        if (vm != null) {
            VmAccess.visible(caller, vms.findVm(vm), vm);
        }
        String after = page.cursor() == null ? null : Cursors.decode(CURSOR, page.cursor(), Ids::looksLikeId);
        return wanted == null ? unfiltered(caller, scope, vm, after, page.limit()) : filtered(caller, scope, vm, after, page.limit(), wanted);
    }

    private Listing unfiltered(Caller caller, String scope, String vm, String after, int limit) {
        List<RestoreRequest> read = history.requests(scope, vm, after, limit + 1);
        String next = null;
        if (read.size() > limit) {
            read = read.subList(0, limit);
            next = Cursors.encode(CURSOR, read.get(limit - 1).id());
        }
        List<RestoreRequest> shown = visibleTo(caller, read);
        return new Listing(new Page<>(shown, next), history.restoresOf(shown));
    }

    private Listing filtered(Caller caller, String scope, String vm, String after, int limit, RestoreRequest.Status wanted) {
        List<RestoreRequest> shown = new ArrayList<>();
        Map<String, Restore> restores = new java.util.HashMap<>();
        int examined = 0;
        String position = after;
        while (true) {
            List<RestoreRequest> chunk = history.requests(scope, vm, position, CHUNK);
            Map<String, Restore> found = history.restoresOf(chunk);
            for (RestoreRequest r : chunk) {
                examined++;
                position = r.id();
                if (VmAccess.mayAct(caller, r.enterprise()) && r.status(found) == wanted) {
                    shown.add(r);
                    r.items().stream().filter(i -> i.restoreId() != null && found.containsKey(i.restoreId()))
                            .forEach(i -> restores.put(i.restoreId(), found.get(i.restoreId())));
                    if (shown.size() == limit) {
                        return new Listing(new Page<>(shown, Cursors.encode(CURSOR, position)), restores);
                    }
                }
            }
            if (chunk.size() < CHUNK) {
                return new Listing(new Page<>(shown, null), restores);
            }
            if (examined >= STATUS_FILTER_BUDGET) {
                return new Listing(new Page<>(shown, Cursors.encode(CURSOR, position)), restores);
            }
        }
    }

    /** A VM's requests may include ones made by a cloud administrator of another enterprise: those stay hidden. */
    private static List<RestoreRequest> visibleTo(Caller caller, List<RestoreRequest> read) {
        return read.stream().filter(r -> VmAccess.mayAct(caller, r.enterprise())).toList();
    }
}
