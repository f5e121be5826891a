package dev.lifeboat.api.handlers;

import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.BackupService;
import dev.lifeboat.domain.identity.Caller;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Backups of a VM: backup now, the list, one backup with its restores. */
public final class BackupsHandler extends ApiHandler {
    static final String BACKUP_NOW = "POST /virtual-machines/{vm}/backups";
    static final String LIST = "GET /virtual-machines/{vm}/backups";
    static final String GET = "GET /virtual-machines/{vm}/backups/{backupId}";

    private final Services services;
    private final BackupService backups;

    public BackupsHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public BackupsHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public BackupsHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.backups = services.backups;
        this.services = services;
    }

    @Override
    public Set<String> routes() {
        return Set.of(BACKUP_NOW, LIST, GET);
    }

    @Override
    protected Set<String> idempotentRoutes() {
        return Set.of(BACKUP_NOW);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        String vm = request.path("vm");
        return switch (request.routeKey()) {
            case BACKUP_NOW -> {
                Backup b = backups.backupNow(caller, vm, () -> {
                    Body body = Body.parse(request.body());
                    String policyId = body.string("policyId");
                    body.requireWellFormed();
                    return policyId;
                });
                yield HttpResponse.json(202, Views.backup(b, List.of())).withHeader("location", "/virtual-machines/" + vm + "/backups/" + b.id());
            }
            case LIST -> HttpResponse.json(200, Views.page(backups.list(caller, vm, Headers.page(request)), d -> Views.backup(d.backup(), d.restores())));
            default -> {
                BackupService.Detail d = backups.get(caller, vm, request.path("backupId"));
                yield HttpResponse.json(200, Views.backup(d.backup(), d.restores())).withVersion(d.backup().version());
            }
        };
    }

    /** This function starts workflows: the Step Functions and EventBridge clients go into the snapshot too. */
    @Override
    protected void primeMore() {
        services.primeWorkflows(true);
    }
}
