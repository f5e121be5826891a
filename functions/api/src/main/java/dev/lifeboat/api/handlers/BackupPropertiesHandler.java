package dev.lifeboat.api.handlers;

import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.properties.BackupProperties;
import dev.lifeboat.domain.properties.BackupPropertiesService;
import dev.lifeboat.domain.properties.PropertiesDraft;
import java.util.Map;
import java.util.Set;

/** The switches of a datacenter. */
public final class BackupPropertiesHandler extends ApiHandler {
    static final String GET = "GET /datacenters/{dc}/backup-properties";
    static final String PUT = "PUT /datacenters/{dc}/backup-properties";

    private final BackupPropertiesService properties;

    public BackupPropertiesHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public BackupPropertiesHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public BackupPropertiesHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.properties = services.properties;
    }

    @Override
    public Set<String> routes() {
        return Set.of(GET, PUT);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        String dc = request.path("dc");
        BackupProperties p = request.routeKey().equals(GET)
                ? properties.get(caller, dc)
                : properties.put(caller, dc, () -> draft(request), Headers.ifMatch(request));
        return HttpResponse.json(200, Views.properties(p)).withVersion(p.version());
    }

    private static PropertiesDraft draft(HttpRequest request) {
        Body body = Body.parse(request.body());
        PropertiesDraft d = new PropertiesDraft(body.bool("multipleRestore"), body.bool("multipleBackupPolicies"),
                body.bool("updateWhenDeployed"), body.bool("backupNow"));
        body.requireWellFormed();
        return d;
    }
}
