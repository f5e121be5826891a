package dev.lifeboat.api.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.manager.DatacenterDirectoryService;
import dev.lifeboat.domain.manager.DatacenterSummary;
import java.util.Map;
import java.util.Set;

/** The datacenters that have a backup manager: the administrators' start page in the web console. */
public final class DatacentersHandler extends ApiHandler {
    static final String LIST = "GET /datacenters";

    private final DatacenterDirectoryService datacenters;

    public DatacentersHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public DatacentersHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public DatacentersHandler(Services services, boolean snapStart) {
        super(snapStart);
        this.datacenters = services.datacenters;
    }

    @Override
    public Set<String> routes() {
        return Set.of(LIST);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        return HttpResponse.json(200, Views.page(datacenters.list(caller, Headers.page(request)), DatacentersHandler::view));
    }

    static ObjectNode view(DatacenterSummary d) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", d.id());
        o.putObject("manager").put("name", d.managerName()).put("type", d.managerType().name());
        o.put("policyCount", d.policyCount());
        o.put("configuredVmCount", d.configuredVmCount());
        return o;
    }
}
