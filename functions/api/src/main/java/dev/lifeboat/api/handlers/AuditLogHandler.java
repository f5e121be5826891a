package dev.lifeboat.api.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.audit.AuditEntry;
import dev.lifeboat.domain.audit.AuditService;
import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.identity.Caller;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/** {@code GET /audit-log}: who changed what, and how runs ended, newest first. */
public final class AuditLogHandler extends ApiHandler {
    static final String LIST = "GET /audit-log";

    private final AuditService audit;

    public AuditLogHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public AuditLogHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public AuditLogHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.audit = services.audit;
    }

    @Override
    public Set<String> routes() {
        return Set.of(LIST);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        AuditService.Filter filter = new AuditService.Filter(id(request, "datacenter"), id(request, "enterprise"),
                id(request, "vm"), time(request, "since"), time(request, "until"));
        return HttpResponse.json(200, Views.page(audit.list(caller, filter, Headers.page(request)), AuditLogHandler::view));
    }

    private static String id(HttpRequest request, String name) {
        String value = request.query(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!Text.isPathId(value)) {
            throw DomainException.badRequest(name, "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        return value;
    }

    private static Instant time(HttpRequest request, String name) {
        String value = request.query(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw DomainException.badRequest(name, "must be an RFC 3339 time in UTC, e.g. 2026-12-05T08:00:00Z");
        }
    }

    static ObjectNode view(AuditEntry e) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", e.id());
        o.put("at", e.at().toString());
        if (e.actor() == null) {
            o.putNull("actor");
        } else {
            ObjectNode actor = o.putObject("actor");
            actor.put("sub", e.actor().sub());
            actor.put("ent", e.actor().ent());
        }
        o.put("action", e.action());
        o.put("datacenter", e.datacenter());
        o.put("enterprise", e.enterprise());
        o.put("vm", e.vm());
        o.put("target", e.target());
        o.put("status", e.status());
        o.put("requestId", e.requestId());
        return o;
    }
}
