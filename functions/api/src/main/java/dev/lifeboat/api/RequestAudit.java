package dev.lifeboat.api;

import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.domain.audit.AuditEntry;
import dev.lifeboat.domain.audit.AuditLog;
import dev.lifeboat.domain.common.Ids;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.domain.metrics.Metrics;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmRepository;
import java.time.Clock;
import java.util.Optional;

/**
 * Records change requests in the audit log (API contract, "Audit log"): every PUT, POST and DELETE that was answered,
 * or refused with 403, 409 or 412. An entry names the route, the path and the caller; never the body, a header or a
 * token. A VM route's datacenter and enterprise are the VM's (one read, only for audited VM requests). A failed write
 * is logged and counted ({@code AuditWriteFailures}, which has an alarm); the answer to the request stands.
 */
final class RequestAudit {
    private final AuditLog log;
    private final VmRepository vms;
    private final Clock clock;

    RequestAudit(AuditLog log, VmRepository vms, Clock clock) {
        this.log = log;
        this.vms = vms;
        this.clock = clock;
    }

    static boolean audited(HttpRequest request, int status) {
        String method = request.routeKey().substring(0, Math.max(0, request.routeKey().indexOf(' ')));
        boolean change = method.equals("PUT") || method.equals("POST") || method.equals("DELETE") || method.equals("PATCH");
        return change && (status < 400 || status == 403 || status == 409 || status == 412);
    }

    void record(HttpRequest request, Caller caller, HttpResponse response) {
        if (caller == null || !audited(request, response.status())) {
            return;
        }
        try {
            log.append(entry(request, caller, response));
        } catch (RuntimeException e) {
            Metrics.of(MetricSet.AUDIT).count("AuditWriteFailures", 1).property("level", "ERROR")
                    .property("message", "audit entry not written").property("routeKey", request.routeKey())
                    .property("requestId", request.requestId()).property("error", e.getClass().getName()).emit();
        }
    }

    AuditEntry entry(HttpRequest request, Caller caller, HttpResponse response) {
        String path = request.rawPath();
        AuditEntry.Scope scope = path.startsWith("/datacenters/") || path.startsWith("/enterprises/")
                ? AuditEntry.Scope.CONFIG : AuditEntry.Scope.TENANT;
        String datacenter = request.path("dc");
        String enterprise = request.path("ent");
        String vm = request.path("vm");
        if (vm != null) {
            Optional<VirtualMachine> found = vms.findVm(vm);
            if (found.isPresent()) {
                datacenter = found.get().datacenter();
                enterprise = found.get().enterprise();
            }
        }
        if (scope == AuditEntry.Scope.TENANT && enterprise == null) {
            enterprise = caller.enterprise();
        }
        String location = response.headers().get("location");
        String target = response.status() < 300 && location != null ? location : path;
        java.time.Instant at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        // The id sorts by the entry's time; its random part follows from the request, so the two never disagree.
        String id = Ids.derived(at.toEpochMilli(), request.requestId() + " " + request.routeKey() + " " + caller.subject() + " " + System.nanoTime());
        return new AuditEntry(id, at, new AuditEntry.Actor(caller.subject(), caller.enterprise()),
                request.routeKey(), datacenter, enterprise, vm, target, Integer.toString(response.status()),
                request.requestId(), scope);
    }
}
