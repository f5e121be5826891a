package dev.lifeboat.api.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.api.ApiHandler;
import dev.lifeboat.api.Services;
import dev.lifeboat.api.http.Body;
import dev.lifeboat.api.http.Headers;
import dev.lifeboat.api.http.HttpRequest;
import dev.lifeboat.api.http.HttpResponse;
import dev.lifeboat.api.http.Views;
import dev.lifeboat.domain.common.Saved;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.vm.Hypervisor;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VirtualMachineService;
import dev.lifeboat.domain.vm.VmDraft;
import java.util.Map;
import java.util.Set;

/** The VM registry: what the cloud platform says about its VMs. */
public final class VirtualMachinesHandler extends ApiHandler {
    static final String LIST = "GET /virtual-machines";
    static final String GET = "GET /virtual-machines/{vm}";
    static final String PUT = "PUT /virtual-machines/{vm}";

    private final Services services;
    private final VirtualMachineService vms;

    public VirtualMachinesHandler() {
        this(Services.forEnvironment(System.getenv()), true);
    }

    public VirtualMachinesHandler(Map<String, String> env) {
        this(Services.forEnvironment(env), false);
    }

    public VirtualMachinesHandler(Services services, boolean snapStart) {
        super(snapStart, services);
        this.vms = services.vms;
        this.services = services;
    }

    @Override
    public Set<String> routes() {
        return Set.of(LIST, GET, PUT);
    }

    @Override
    protected HttpResponse route(HttpRequest request, Caller caller) {
        String id = request.path("vm");
        return switch (request.routeKey()) {
            case LIST -> HttpResponse.json(200, Views.page(
                    vms.list(caller, request.query("enterprise"), request.query("datacenter"), Headers.page(request)), Views::vm));
            case GET -> {
                VirtualMachine vm = vms.get(caller, id);
                yield HttpResponse.json(200, Views.vm(vm)).withVersion(vm.version());
            }
            default -> {
                Saved<VirtualMachine> saved = vms.register(caller, id, () -> draft(Body.parse(request.body())), Headers.ifMatch(request));
                HttpResponse r = HttpResponse.json(saved.created() ? 201 : 200, Views.vm(saved.value())).withVersion(saved.value().version());
                yield saved.created() ? r.withHeader("location", "/virtual-machines/" + id) : r;
            }
        };
    }

    /** The registry body; the EventBridge registry function reads the same shape from an event's detail. */
    public static VmDraft draft(Body body) {
        JsonNode root = body.root();
        String enterprise = body.string("enterprise");
        String datacenter = body.string("datacenter");
        String name = body.string("name");
        String state = body.string("state");
        JsonNode h = body.object(root, "hypervisor", "hypervisor");
        Hypervisor hypervisor = h == null ? null : new Hypervisor(
                body.string(h, "vcenter", "hypervisor.vcenter"), body.string(h, "moref", "hypervisor.moref"), body.string(h, "uuid", "hypervisor.uuid"));
        body.requireWellFormed();
        return new VmDraft(enterprise, datacenter, name, state, hypervisor);
    }

    /** This function starts workflows: the Step Functions client go into the snapshot too. */
    @Override
    protected void primeMore() {
        services.primeWorkflows(false);
    }
}
