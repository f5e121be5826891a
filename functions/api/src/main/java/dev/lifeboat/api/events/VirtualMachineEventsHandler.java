package dev.lifeboat.api.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.handlers.VirtualMachinesHandler;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Json;
import dev.lifeboat.api.http.Log;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Saved;
import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VirtualMachineService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.stream.Collectors;
import org.crac.Core;
import org.crac.Resource;

/**
 * The VM registry fed by the cloud platform's EventBridge events (detail-type {@code VirtualMachineStateChanged}):
 * the detail is the body of {@code PUT /virtual-machines/{vm}} plus the VM id in {@code vm}, and goes through the
 * same domain call. The event rule is the trust boundary, so the event acts as an administrator of all enterprises.
 *
 * <p>An event that cannot be applied fails the invocation: Lambda retries asynchronous invocations and then hands
 * the event to the function's dead-letter queue, where an operator finds it with the reason in the log. Nothing the
 * platform reported is dropped silently.
 */
public final class VirtualMachineEventsHandler implements RequestStreamHandler, Resource {
    public static final String DETAIL_TYPE = "VirtualMachineStateChanged";
    static final Caller PLATFORM = new Caller("eventbridge:" + DETAIL_TYPE, null,
            EnumSet.of(Privilege.ENTERPRISE_ADMINISTER_ALL, Privilege.VAPP_MANAGE_BACKUP));

    private final VirtualMachineService vms;
    private final Services services;

    public VirtualMachineEventsHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public VirtualMachineEventsHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public VirtualMachineEventsHandler(Services services, boolean snapStart) {
        this.vms = services.vms;
        this.services = services;
        if (snapStart) {
            Core.getGlobalContext().register(this);
        }
    }

    /** Why an event was not applied; the message is safe to log (VM events carry no secrets). */
    public static final class RefusedEvent extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedEvent(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        VirtualMachine vm = handle(Json.read(input));
        ObjectNode answer = Json.NODES.objectNode().put("vm", vm.id()).put("version", vm.version());
        output.write(Json.bytes(answer));
    }

    public VirtualMachine handle(JsonNode event) {
        String id = event.path("id").asText("");
        try {
            if (!DETAIL_TYPE.equals(event.path("detail-type").asText())) {
                throw new RefusedEvent("detail-type is '" + event.path("detail-type").asText() + "', not " + DETAIL_TYPE);
            }
            JsonNode detail = event.path("detail");
            if (!detail.isObject()) {
                throw new RefusedEvent("the event has no detail object");
            }
            String vm = detail.path("vm").asText(null);
            if (!detail.path("vm").isTextual() || !Text.isPathId(vm)) {
                throw new RefusedEvent("detail.vm must be the VM id: 1 to 128 characters of A-Z a-z 0-9 . _ : -");
            }
            Saved<VirtualMachine> saved = vms.register(PLATFORM, vm,
                    () -> VirtualMachinesHandler.draft(Body.parse(Json.bytes(detail))), ExpectedVersion.ANY);
            ObjectNode entry = Log.entry("INFO", "VM event applied");
            entry.put("eventId", id);
            entry.put("vm", vm);
            entry.put("created", saved.created());
            entry.put("version", saved.value().version());
            entry.put("state", saved.value().state().name());
            Log.write(entry);
            return saved.value();
        } catch (DomainException e) {
            String fields = e.errors().stream().map(f -> f.field() + " " + f.message()).collect(Collectors.joining("; "));
            throw refused(id, e.problem() + ": " + e.getMessage() + (fields.isEmpty() ? "" : " (" + fields + ")"));
        } catch (RefusedEvent e) {
            throw refused(id, e.getMessage());
        }
    }

    private static RefusedEvent refused(String eventId, String reason) {
        ObjectNode entry = Log.entry("ERROR", "VM event refused");
        entry.put("eventId", eventId);
        entry.put("reason", reason);
        Log.write(entry);
        return new RefusedEvent(reason);
    }

    /** A read of a VM that cannot exist warms Jackson, the SDK and the HTTP client without side effects. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        // An event may deploy or undeploy a configured VM, which starts the apply-schedule workflow.
        services.primeWorkflows(false);
        try {
            vms.get(PLATFORM, "snapstart-priming");
        } catch (DomainException expected) {
            // 404: the point was the round trip.
        }
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: SDK clients re-resolve credentials from the restored environment themselves.
    }
}
