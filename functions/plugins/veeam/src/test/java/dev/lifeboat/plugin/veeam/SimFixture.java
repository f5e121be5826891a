package dev.lifeboat.plugin.veeam;

import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.sim.veeam.VeeamSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A Veeam simulator with Lifeboat's test world, and a plugin wired to it with short timeouts.
 *
 * <p>World: vCenter {@code vcenter.local} with {@code web-01} (vm-101), {@code db-01} (vm-102) and {@code app-01}
 * (vm-103); job {@code GOLD} processes web-01 and db-01 (two objects, so one can be removed: Veeam keeps a job's only
 * object), job {@code SILVER} processes db-01 only; app-01 is in no job.
 */
public final class SimFixture implements AutoCloseable {
    public static final String VCENTER = "vcenter.local";
    public static final String PASSWORD = "lifeboat";
    public static final VeeamClient.Options OPTIONS = VeeamClient.Options.defaults()
            .withRequestTimeout(Duration.ofSeconds(1)).withTaskDeadline(Duration.ofSeconds(5)).withTaskPollInterval(Duration.ofMillis(50));

    public final VeeamSimulator sim;
    public final SteeringHttpClient http;
    public final VeeamPlugin plugin;

    private SimFixture(VeeamSimulator sim, VeeamClient.Options options, boolean warmSessions) {
        this.sim = sim;
        this.http = new SteeringHttpClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.requestTimeout()).build(), sim);
        this.plugin = new VeeamPlugin(options, m -> http, java.time.Clock.systemUTC(), warmSessions);
    }

    public static SimFixture start(Consumer<VeeamSimulator.Builder> config) {
        return start(config, OPTIONS);
    }

    static SimFixture start(Consumer<VeeamSimulator.Builder> config, VeeamClient.Options options) {
        return start(config, options, true);
    }

    static SimFixture start(Consumer<VeeamSimulator.Builder> config, VeeamClient.Options options, boolean warmSessions) {
        VeeamSimulator.Builder b = VeeamSimulator.builder().seed(SimFixture::world);
        config.accept(b);
        try {
            return new SimFixture(b.start(), options, warmSessions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void world(VeeamSimulator sim) {
        sim.addDemoData();
        sim.addVm(VCENTER, "app-01", "vm-103", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a03");
        sim.includeVm("GOLD", "web-01");
        sim.includeVm("GOLD", "db-01");
        sim.includeVm("SILVER", "db-01");
    }

    Session session() {
        return session(sim.baseUri().toString(), PASSWORD);
    }

    Session session(String endpoint, String password) {
        return new Session(new Refs.Manager("dc1", ManagerType.VEEAM, endpoint, "lifeboat", new SecretRef("veeam/dc1", "v1"), null, false),
                new Secret(password));
    }

    /** A session whose command must answer within {@code budget}. */
    Session session(Duration budget) {
        Session s = session();
        return new Session(s.manager(), s.password(), java.time.Instant.now().plus(budget), null);
    }

    /** A start command's session: the run (a backup or restore id) began at {@code since}. */
    Session session(Refs.Run run) {
        Session s = session();
        return new Session(s.manager(), s.password(), java.time.Instant.now().plus(Session.DEFAULT_BUDGET), run);
    }

    /** The same manager with another version of its secret (the password was changed). */
    Session sessionWithSecretVersion(String version) {
        Session s = session();
        Refs.Manager m = s.manager();
        return new Session(new Refs.Manager(m.datacenter(), m.type(), m.endpoint(), m.user(), new SecretRef("veeam/dc1", version), null, false),
                s.password());
    }

    static Refs.Vm web01() {
        return new Refs.Vm("vm-id-web", "web-01", VCENTER, "vm-101", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a01", true);
    }

    static Refs.Vm db01() {
        return new Refs.Vm("vm-id-db", "db-01", VCENTER, "vm-102", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a02", true);
    }

    static Refs.Vm app01() {
        return new Refs.Vm("vm-id-app", "app-01", VCENTER, "vm-103", "50123a4b-1c2d-4e5f-8a9b-0c1d2e3f4a03", true);
    }

    public static Refs.Policy gold() {
        return new Refs.Policy("p-gold", "gold");
    }

    static Refs.Policy silver() {
        return new Refs.Policy("p-silver", "SILVER");
    }

    /** Requests whose path ends with (or contains) this text, ignoring case. */
    List<VeeamSimulator.RecordedRequest> requests(String method, String pathPart) {
        return sim.requests().stream().filter(r -> r.method().equals(method)
                && r.path().toLowerCase(Locale.ROOT).contains(pathPart.toLowerCase(Locale.ROOT))).toList();
    }

    int logons() {
        return requests("POST", "/api/sessionMngr").size();
    }

    @Override
    public void close() {
        sim.close();
    }
}
