package dev.lifeboat.api.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.vm.BackupConfigDraft;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmBackupService;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The backup configuration of a VM and the policies it may select. */
public final class VmBackupHandler extends ApiHandler {
    static final String GET = "GET /virtual-machines/{vm}/backup";
    static final String PUT = "PUT /virtual-machines/{vm}/backup";
    static final String AVAILABLE = "GET /virtual-machines/{vm}/available-backup-policies";

    private final Services services;
    private final VmBackupService backups;

    public VmBackupHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public VmBackupHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public VmBackupHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.backups = services.vmBackups;
        this.services = services;
    }

    @Override
    public Set<String> routes() {
        return Set.of(GET, PUT, AVAILABLE);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        String id = request.path("vm");
        return switch (request.routeKey()) {
            case AVAILABLE -> {
                VmBackupService.Selectable selectable = backups.selectable(caller, id, Headers.page(request));
                yield HttpResponse.json(200, Views.page(selectable.policies(), Views::policy)
                        .set("backupProperties", Views.switches(selectable.properties())));
            }
            case GET -> view(200, backups.get(caller, id));
            default -> {
                VmBackupService.Change change = backups.put(caller, id, () -> draft(Body.parse(request.body())), Headers.ifMatch(request));
                HttpResponse r = view(change.started() ? 202 : 200, change.vm());
                yield change.started() ? r.withHeader("location", "/virtual-machines/" + id + "/backup") : r;
            }
        };
    }

    private HttpResponse view(int status, VirtualMachine vm) {
        return HttpResponse.json(status, Views.backupConfig(vm, backups.effectiveSchedules(vm))).withVersion(vm.backup().version());
    }

    static BackupConfigDraft draft(Body body) {
        List<JsonNode> entries = body.objects("policies");
        List<BackupConfigDraft.Selection> selections = null;
        if (entries != null) {
            selections = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                String path = "policies[" + i + "]";
                JsonNode entry = entries.get(i);
                String policyId = body.string(entry, "policyId", path + ".policyId");
                JsonNode values = body.object(entry, "values", path + ".values");
                Map<String, Map<String, Object>> bySubtype = new LinkedHashMap<>();
                if (values != null) {
                    for (Iterator<String> subtypes = values.fieldNames(); subtypes.hasNext(); ) {
                        String subtype = subtypes.next();
                        JsonNode fields = body.object(values, subtype, path + ".values." + subtype);
                        if (fields == null) {
                            continue;
                        }
                        Map<String, Object> parsed = new LinkedHashMap<>();
                        for (Iterator<String> names = fields.fieldNames(); names.hasNext(); ) {
                            String field = names.next();
                            parsed.put(field, body.scheduleValue(fields.get(field), path + ".values." + subtype + "." + field));
                        }
                        bySubtype.put(subtype, parsed);
                    }
                }
                selections.add(new BackupConfigDraft.Selection(policyId, bySubtype));
            }
        }
        body.requireWellFormed();
        return new BackupConfigDraft(selections);
    }

    /** This function starts workflows: the Step Functions client go into the snapshot too. */
    @Override
    protected void primeMore() {
        services.primeWorkflows(false);
    }
}
