package dev.lifeboat.api.handlers;

import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.common.Saved;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.secret.Secret;
import java.util.Map;
import java.util.Set;

/** The backup manager of a datacenter, and its connection check. */
public final class BackupManagerHandler extends ApiHandler {
    static final String GET = "GET /datacenters/{dc}/backup-manager";
    static final String PUT = "PUT /datacenters/{dc}/backup-manager";
    static final String DELETE = "DELETE /datacenters/{dc}/backup-manager";
    static final String CHECK = "POST /datacenters/{dc}/backup-manager/check";

    private final BackupManagerService managers;
    private final Services services;

    public BackupManagerHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public BackupManagerHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public BackupManagerHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.managers = services.managers;
        this.services = services;
    }

    @Override
    public Set<String> routes() {
        return Set.of(GET, PUT, DELETE, CHECK);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        String dc = request.path("dc");
        return switch (request.routeKey()) {
            case GET -> {
                BackupManager m = managers.get(caller, dc);
                yield HttpResponse.json(200, Views.manager(m)).withVersion(m.version());
            }
            case PUT -> {
                Saved<BackupManager> saved = managers.put(caller, dc, () -> draft(request), Headers.ifMatch(request));
                HttpResponse r = HttpResponse.json(saved.created() ? 201 : 200, Views.manager(saved.value())).withVersion(saved.value().version());
                yield saved.created() ? r.withHeader("location", request.rawPath()) : r;
            }
            case DELETE -> {
                managers.delete(caller, dc, Headers.ifMatch(request));
                yield HttpResponse.noContent();
            }
            default -> HttpResponse.json(200, Views.check(managers.check(caller, dc)));
        };
    }

    private static ManagerDraft draft(HttpRequest request) {
        Body body = Body.parse(request.body());
        String name = body.string("name");
        String type = body.string("type");
        String endpoint = body.string("endpoint");
        String user = body.string("user");
        String password = body.string("password");
        body.requireWellFormed();
        return new ManagerDraft(name, type, endpoint, user, password == null ? null : new Secret(password));
    }

    /**
     * The Secrets Manager and Lambda clients go into the SnapStart snapshot. Built here rather than in the
     * constructor: a start without a snapshot builds them on the first request that needs them, and a GET never does.
     */
    @Override
    protected void primeMore() {
        services.withManagerAdapters();
    }
}
