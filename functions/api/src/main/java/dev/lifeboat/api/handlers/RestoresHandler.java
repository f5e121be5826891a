package dev.lifeboat.api.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.backup.BackupService;
import dev.lifeboat.domain.backup.Restore;
import dev.lifeboat.domain.backup.RestoreHistoryService;
import dev.lifeboat.domain.identity.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Restores: one backup of one VM, many VMs at once, the state of a restore request, and the history of requests. */
public final class RestoresHandler extends ApiHandler {
    static final String RESTORE = "POST /virtual-machines/{vm}/backups/{backupId}/restores";
    static final String MULTI = "POST /restores";
    static final String GET = "GET /restores/{id}";
    static final String LIST = "GET /restores";

    private final Services services;
    private final BackupService backups;
    private final RestoreHistoryService history;

    public RestoresHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public RestoresHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public RestoresHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.backups = services.backups;
        this.services = services;
        this.history = services.restoreHistory;
    }

    @Override
    public Set<String> routes() {
        return Set.of(RESTORE, MULTI, GET, LIST);
    }

    @Override
    protected Set<String> idempotentRoutes() {
        return Set.of(RESTORE, MULTI);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        return switch (request.routeKey()) {
            case RESTORE -> {
                String vm = request.path("vm");
                String backupId = request.path("backupId");
                if (request.body().length > 0) {
                    Body.parse(request.body()).requireWellFormed();
                }
                BackupService.Started started = backups.restore(caller, vm, backupId);
                yield HttpResponse.json(202, Views.restore(started.restores().get(0)))
                        .withHeader("location", "/virtual-machines/" + vm + "/backups/" + backupId);
            }
            case MULTI -> {
                BackupService.Started started = backups.multiRestore(caller, () -> items(Body.parse(request.body())));
                // The accepted restores are the ones just written: no need to read the request back.
                Map<String, Restore> restores = new java.util.HashMap<>();
                started.restores().forEach(r -> restores.put(r.id(), r));
                yield HttpResponse.json(202, Views.restoreRequest(started.request(), restores))
                        .withHeader("location", "/restores/" + started.request().id());
            }
            case LIST -> {
                var listing = history.list(caller, request.query("enterprise"), request.query("vm"), request.query("status"), Headers.page(request));
                yield HttpResponse.json(200, Views.page(listing.page(), r -> Views.restoreRequest(r, listing.restores())));
            }
            default -> {
                var view = backups.getRequest(caller, request.path("id"));
                yield HttpResponse.json(200, Views.restoreRequest(view.request(), view.restores()));
            }
        };
    }

    private static List<BackupService.ItemDraft> items(Body body) {
        List<JsonNode> entries = body.objects("items");
        List<BackupService.ItemDraft> out = null;
        if (entries != null) {
            out = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                JsonNode e = entries.get(i);
                out.add(new BackupService.ItemDraft(body.string(e, "vm", "items[" + i + "].vm"), body.string(e, "backupId", "items[" + i + "].backupId")));
            }
        }
        body.requireWellFormed();
        return out;
    }

    /** This function starts workflows: the Step Functions and EventBridge clients go into the snapshot too. */
    @Override
    protected void primeMore() {
        services.primeWorkflows(true);
    }
}
