package dev.lifeboat.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.http.Claims;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.api.http.Log;
import dev.lifeboat.api.http.Problems;
import dev.lifeboat.api.http.SyntheticEvents;
import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.identity.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crac.Core;
import org.crac.Resource;

/**
 * What every API function does around its routes: read the payload 2.0 event, find the caller (401), check path ids,
 * turn refusals into problem documents and unexpected failures into a 500 without details, log one line per request.
 * With SnapStart, a priming request runs before the snapshot so that the restored function starts warm.
 */
public abstract class ApiHandler implements RequestStreamHandler, Resource {
    private static final List<String> PATH_IDS = List.of("dc", "ent", "vm");

    private final Idempotency idempotency;
    private final RequestAudit audit;

    protected ApiHandler(boolean registerForSnapStart) {
        this(registerForSnapStart, null);
    }

    /** With the services: change requests are audited, and routes that start work honour {@code Idempotency-Key}. */
    protected ApiHandler(boolean registerForSnapStart, Services services) {
        this.idempotency = services == null ? null : services.idempotency;
        this.audit = services == null ? null : services.requestAudit;
        if (registerForSnapStart) {
            Core.getGlobalContext().register(this);
        }
    }

    /** Routes whose answer is kept for {@code Idempotency-Key} (POSTs that start work). */
    protected Set<String> idempotentRoutes() {
        return Set.of();
    }

    /** The route keys ({@code METHOD /path}) this handler serves; template.yaml must route exactly these to it. */
    public abstract Set<String> routes();

    protected abstract HttpResponse route(HttpRequest request, Caller caller);

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = Json.read(input);
        output.write(Json.bytes(handle(event).toEvent()));
    }

    public HttpResponse handle(JsonNode event) {
        long started = System.nanoTime();
        HttpRequest request = HttpRequest.fromEvent(event);
        HttpResponse response;
        Caller caller = null;
        try {
            caller = Claims.caller(request.claims());
            for (String name : PATH_IDS) {
                String id = request.path(name);
                if (id != null && !Text.isPathId(id)) {
                    throw DomainException.badRequest(name, "must have 1 to 128 characters of A-Z a-z 0-9 . _ : -");
                }
            }
            if (!routes().contains(request.routeKey())) {
                throw DomainException.notFound("No route " + request.routeKey() + ".");
            }
            Caller who = caller;
            response = idempotency != null && idempotentRoutes().contains(request.routeKey())
                    ? idempotency.around(request, who, () -> route(request, who))
                    : route(request, who);
        } catch (DomainException e) {
            response = Problems.of(e, request.rawPath());
        } catch (RuntimeException e) {
            ObjectNode entry = Log.entry("ERROR", "request failed");
            entry.put("routeKey", request.routeKey());
            entry.put("requestId", request.requestId());
            entry.put("error", e.getClass().getName());
            Log.write(entry);
            response = Problems.internalError(request.rawPath(), request.requestId());
        }
        if (audit != null) {
            audit.record(request, caller, response);
        }
        ApiMetrics.request(request.routeKey(), response.status(), (System.nanoTime() - started) / 1_000_000, request.requestId());
        return response;
    }

    /** A read of a datacenter that cannot exist warms Jackson, the SDK and the HTTP client without side effects. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        String key = routes().stream().filter(r -> r.startsWith("GET ")).findFirst().orElse(null);
        if (key == null) {
            return;
        }
        ObjectNode event = SyntheticEvents.of(key, "/priming",
                Map.of("dc", "snapstart-priming", "ent", "snapstart-priming", "vm", "snapstart-priming", "policyId", "00000000000000000000000000",
                        "backupId", "00000000000000000000000000", "id", "00000000000000000000000000"),
                Map.of("sub", "snapstart-priming", "priv", "[PHYS_DC_RETRIEVE_DETAILS]"), null);
        handle(event);
        primeMore();
    }

    /** More priming before the SnapStart snapshot, for a handler whose routes use more than the table. */
    protected void primeMore() {
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: SDK clients re-resolve credentials from the restored environment themselves.
    }
}
