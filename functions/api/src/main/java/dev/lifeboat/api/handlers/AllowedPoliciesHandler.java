package dev.lifeboat.api.handlers;

import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.allowance.AllowanceService;
import dev.lifeboat.domain.identity.Caller;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The policies of a datacenter that an enterprise may select. */
public final class AllowedPoliciesHandler extends ApiHandler {
    static final String GET = "GET /enterprises/{ent}/datacenters/{dc}/allowed-backup-policies";
    static final String PUT = "PUT /enterprises/{ent}/datacenters/{dc}/allowed-backup-policies";

    private final AllowanceService allowances;

    public AllowedPoliciesHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public AllowedPoliciesHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public AllowedPoliciesHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.allowances = services.allowances;
    }

    @Override
    public Set<String> routes() {
        return Set.of(GET, PUT);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        String ent = request.path("ent");
        String dc = request.path("dc");
        Allowance a = request.routeKey().equals(GET)
                ? allowances.get(caller, ent, dc)
                : allowances.put(caller, ent, dc, () -> policyIds(request), Headers.ifMatch(request));
        return HttpResponse.json(200, Views.allowance(a)).withVersion(a.version());
    }

    private static List<String> policyIds(HttpRequest request) {
        Body body = Body.parse(request.body());
        List<String> ids = body.strings("policyIds");
        body.requireWellFormed();
        return ids;
    }
}
