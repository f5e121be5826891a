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
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.policy.PolicyDraft;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The backup policies of a datacenter. */
public final class BackupPoliciesHandler extends ApiHandler {
    static final String LIST = "GET /datacenters/{dc}/backup-policies";
    static final String CREATE = "POST /datacenters/{dc}/backup-policies";
    static final String GET = "GET /datacenters/{dc}/backup-policies/{policyId}";
    static final String PUT = "PUT /datacenters/{dc}/backup-policies/{policyId}";
    static final String DELETE = "DELETE /datacenters/{dc}/backup-policies/{policyId}";

    private final BackupPolicyService policies;

    public BackupPoliciesHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public BackupPoliciesHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public BackupPoliciesHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.policies = services.policies;
    }

    @Override
    public Set<String> routes() {
        return Set.of(LIST, CREATE, GET, PUT, DELETE);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        String dc = request.path("dc");
        String id = request.path("policyId");
        return switch (request.routeKey()) {
            case LIST -> HttpResponse.json(200, Views.page(policies.list(caller, dc, Headers.page(request)), Views::policy));
            case CREATE -> {
                BackupPolicy p = policies.create(caller, dc, () -> draft(request));
                yield HttpResponse.json(201, Views.policy(p)).withVersion(p.version())
                        .withHeader("location", "/datacenters/" + dc + "/backup-policies/" + p.id());
            }
            case GET -> {
                BackupPolicy p = policies.get(caller, dc, id);
                yield HttpResponse.json(200, Views.policy(p)).withVersion(p.version());
            }
            case PUT -> {
                BackupPolicy p = policies.update(caller, dc, id, () -> draft(request), Headers.ifMatch(request));
                yield HttpResponse.json(200, Views.policy(p)).withVersion(p.version());
            }
            default -> {
                policies.delete(caller, dc, id, Headers.ifMatch(request));
                yield HttpResponse.noContent();
            }
        };
    }

    private static PolicyDraft draft(HttpRequest request) {
        Body body = Body.parse(request.body());
        String name = body.string("name");
        String code = body.string("code");
        String description = body.string("description");
        List<JsonNode> entries = body.objects("backupConfigurations");
        List<PolicyDraft.ConfigurationDraft> configurations = null;
        if (entries != null) {
            configurations = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                JsonNode entry = entries.get(i);
                String path = "backupConfigurations[" + i + "]";
                Map<String, Object> fields = new LinkedHashMap<>();
                for (Iterator<String> names = entry.fieldNames(); names.hasNext(); ) {
                    String field = names.next();
                    if (!field.equals("type") && !field.equals("subtype")) {
                        fields.put(field, body.scheduleValue(entry.get(field), path + "." + field));
                    }
                }
                configurations.add(new PolicyDraft.ConfigurationDraft(
                        body.string(entry, "type", path + ".type"), body.string(entry, "subtype", path + ".subtype"), fields));
            }
        }
        body.requireWellFormed();
        return new PolicyDraft(name, code, description, configurations);
    }
}
