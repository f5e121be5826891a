package dev.lifeboat.plugin.networker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.vmware.VimClient;
import dev.lifeboat.plugin.vmware.VimClient.Moref;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The placement of a VM recovered as new, asked of vCenter itself (backup-systems.md §2.7: the morefs "come from
 * vCenter"), over vim25 SOAP with the VMware plugin's {@link VimClient}. It logs on to {@code https://<vCenter>/sdk}
 * (the vCenter as NetWorker names it, host[:port]) with the vCenter half of the manager's credentials
 * ({@link Session#vcenterUser}/{@link Session#vcenterPassword}) and the manager's TLS trust ({@code caBundlePem},
 * {@code insecureTls}), then:
 * <ul>
 *   <li><b>the VM is still in vCenter</b> (SearchIndex.FindByUuid with its instance uuid; a copy beside the original):
 *       the copy goes where the original is: its host ({@code runtime.host}), that host's cluster or standalone compute
 *       resource ({@code parent}), its resource pool, its folder ({@code parent}), the datacenter above them; the
 *       datastore is the backup's when that host still mounts it, else the VM's first;</li>
 *   <li><b>the VM is gone</b>: the backup's datastore ({@code vmInformation.datastoreMoref}) decides. The first host
 *       that mounts it ({@code Datastore.host}, mounted and accessible) and is connected and out of maintenance mode,
 *       that host's cluster or compute resource and its root resource pool, the datacenter above, and that
 *       datacenter's VM folder.</li>
 * </ul>
 * Nothing is invented: when vCenter cannot give a required field, the answer is {@code TerminalError REFUSED} naming
 * it. vCenter's errors keep the VMware plugin's typing (TIMEOUT, UNREACHABLE, SERVER_ERROR, TLS refusals ...); a
 * refused login is {@code BAD_CREDENTIALS} saying that the vCenter part of the credentials was refused.
 */
final class VcenterPlacement implements Placement.Resolver {
    private final String separator;
    private final VimClient.Config config;
    /** Made on first use: only a New recover needs vCenter, so the other operations never load OkHttp. */
    private volatile VimClient vim;

    VcenterPlacement(String separator, VimClient.Config config) {
        this.separator = Objects.requireNonNull(separator);
        this.config = Objects.requireNonNull(config);
    }

    private VimClient vim() {
        VimClient v = vim;
        if (v == null) {
            synchronized (this) {
                if (vim == null) {
                    vim = new VimClient(config);
                }
                v = vim;
            }
        }
        return v;
    }

    @Override
    public Placement placementFor(Session session, String vCenter, String vmUuid, JsonNode backup) {
        String user = session.vcenterUser(separator);
        String password = session.vcenterPassword(separator);
        if (user == null || user.isBlank() || password == null || password.isEmpty()) {
            throw new TerminalError(TerminalError.BAD_CREDENTIALS, "the manager's credentials have no vCenter part: a NETWORKER"
                    + " manager's user and password are <NetWorker part>" + separator + "<vCenter part>, and Lifeboat logs on to"
                    + " vCenter " + vCenter + " with the vCenter part to place a VM recovered as new");
        }
        Refs.Manager m = session.manager();
        String backupDatastore = Wire.text(backup.path("vmInformation"), "datastoreMoref");
        try (VimClient.Session vc = vim().open(sdk(vCenter), m.caBundlePem(), m.insecureTls(), user, new Secret(password))) {
            vc.login();
            Moref vm = vmUuid == null ? null : vc.findVmByInstanceUuid(vmUuid);
            return vm != null ? ofVm(vc, vCenter, vm, backupDatastore) : ofDatastore(vc, vCenter, vmUuid, backupDatastore);
        } catch (TerminalError e) {
            throw vcenterError(e, vCenter, user);
        }
    }

    /** {@code https://<vCenter>/sdk}; NetWorker names a vCenter by host name (or host:port), never by URL. */
    static String sdk(String vCenter) {
        if (vCenter == null || vCenter.isBlank() || !vCenter.strip().matches("[A-Za-z0-9._\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?")) {
            throw new TerminalError(TerminalError.BAD_COMMAND, "the vCenter of the restore point, '" + vCenter
                    + "', is not a host name or host:port that Lifeboat can reach vCenter's /sdk at");
        }
        return "https://" + vCenter.strip() + "/sdk";
    }

    // ---- the VM is still there: the copy goes beside it ----------------------------------------------------------------

    private static Placement ofVm(VimClient.Session vc, String vCenter, Moref vm, String backupDatastore) {
        Map<String, Object> v = vc.properties(vm, List.of("runtime.host", "resourcePool", "parent", "datastore"));
        Moref host = VimClient.asMoref(v.get("runtime.host"));
        Map<String, Object> h = host == null ? Map.of() : vc.properties(host, List.of("parent", "datastore"));
        Moref compute = VimClient.asMoref(h.get("parent"));
        Moref pool = VimClient.asMoref(v.get("resourcePool"));
        if (pool == null && compute != null) {
            pool = VimClient.asMoref(vc.properties(compute, List.of("resourcePool")).get("resourcePool"));
        }
        Moref datacenter = vc.datacenterOf(compute != null ? compute : vm);
        Moref folder = VimClient.asMoref(v.get("parent"));
        if (folder == null || !folder.type().equals("Folder")) {
            // A VM in a vApp has no folder parent; the datacenter's VM folder is the place for a copy then.
            folder = vmFolder(vc, datacenter);
        }
        String datastore = null;
        if (backupDatastore != null && VimClient.asMorefs(h.get("datastore")).stream().anyMatch(d -> d.value().equals(backupDatastore))) {
            datastore = backupDatastore;
        } else {
            List<Moref> own = VimClient.asMorefs(v.get("datastore"));
            datastore = own.isEmpty() ? null : own.get(0).value();
        }
        return checked(placement(datacenter, compute, host, pool, folder, datastore), vCenter, "VM " + vm.value() + " (still in vCenter)");
    }

    // ---- the VM is gone: a host that mounts the backup's datastore -----------------------------------------------------

    private static Placement ofDatastore(VimClient.Session vc, String vCenter, String vmUuid, String backupDatastore) {
        String gone = "vCenter " + vCenter + " has no VM with instance uuid " + vmUuid;
        if (backupDatastore == null) {
            throw new TerminalError(TerminalError.REFUSED, "cannot place the VM to recover: " + gone + ", and the backup names no"
                    + " datastore (vmInformation.datastoreMoref) to find a host by; vCenter gives no datastoreMoref,"
                    + " clusterComputeResourceMoref, datacenterMoref or vmFolderMoref");
        }
        Moref datastore = new Moref("Datastore", backupDatastore);
        List<Moref> hosts;
        try {
            hosts = vc.hostsMounting(datastore);
        } catch (TerminalError e) {
            if (datastore.equals(VimClient.notFound(e))) {
                throw new TerminalError(TerminalError.REFUSED, "cannot place the VM to recover: " + gone + ", and it does not know"
                        + " the backup's datastore " + backupDatastore + " either, so it gives no datastoreMoref,"
                        + " clusterComputeResourceMoref, datacenterMoref or vmFolderMoref", e);
            }
            throw e;
        }
        if (hosts.isEmpty()) {
            throw new TerminalError(TerminalError.REFUSED, "cannot place the VM to recover: " + gone + ", and no host mounts the"
                    + " backup's datastore " + backupDatastore + " (or none can reach it), so vCenter gives no"
                    + " clusterComputeResourceMoref, datacenterMoref or vmFolderMoref");
        }
        Map<Moref, Map<String, Object>> state = vc.properties(hosts, List.of("parent", "runtime.connectionState", "runtime.inMaintenanceMode"));
        Moref host = null;
        for (Moref h : hosts) {
            Map<String, Object> s = state.getOrDefault(h, Map.of());
            Object connection = s.get("runtime.connectionState");
            if ((connection == null || "connected".equals(connection)) && !"true".equals(s.get("runtime.inMaintenanceMode"))) {
                host = h;
                break;
            }
        }
        if (host == null) {
            throw new TerminalError(TerminalError.REFUSED, "cannot place the VM to recover: " + gone + ", and none of the hosts that"
                    + " mount the backup's datastore " + backupDatastore + " (" + values(hosts) + ") is connected and out of"
                    + " maintenance mode, so vCenter gives no hostMoref or clusterComputeResourceMoref");
        }
        Moref compute = VimClient.asMoref(state.get(host).get("parent"));
        Moref pool = compute == null ? null : VimClient.asMoref(vc.properties(compute, List.of("resourcePool")).get("resourcePool"));
        Moref datacenter = vc.datacenterOf(compute != null ? compute : host);
        return checked(placement(datacenter, compute, host, pool, vmFolder(vc, datacenter), backupDatastore), vCenter,
                "host " + host.value() + " of datastore " + backupDatastore);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------------

    private static Moref vmFolder(VimClient.Session vc, Moref datacenter) {
        return datacenter == null ? null : VimClient.asMoref(vc.properties(datacenter, List.of("vmFolder")).get("vmFolder"));
    }

    /** A compute resource is a cluster ({@code ClusterComputeResource}) or a standalone host's {@code ComputeResource}. */
    static Placement placement(Moref datacenter, Moref compute, Moref host, Moref pool, Moref folder, String datastore) {
        boolean cluster = compute != null && compute.type().equals("ClusterComputeResource");
        return new Placement(value(datacenter), cluster ? compute.value() : null, cluster ? null : value(compute), value(host),
                value(pool), value(folder), datastore);
    }

    private static Placement checked(Placement p, String vCenter, String from) {
        List<String> missing = p.missing();
        if (!missing.isEmpty()) {
            throw new TerminalError(TerminalError.REFUSED, "cannot place the VM to recover: vCenter " + vCenter + " gives no "
                    + String.join(", ", missing) + " for " + from);
        }
        return p;
    }

    private static String value(Moref m) {
        return m == null ? null : m.value();
    }

    private static String values(List<Moref> refs) {
        List<String> out = new ArrayList<>();
        refs.forEach(r -> out.add(r.value()));
        return String.join(", ", out);
    }

    /** vCenter's errors, told as the vCenter half of a NetWorker manager's business. */
    private static TerminalError vcenterError(TerminalError e, String vCenter, String user) {
        return switch (e.code()) {
            case TerminalError.BAD_CREDENTIALS -> new TerminalError(TerminalError.BAD_CREDENTIALS, "vCenter " + vCenter
                    + " refused the vCenter part of the manager's credentials (user '" + user + "', the part after the separator),"
                    + " which Lifeboat logs on with to place a VM recovered as new: " + e.detail(), e);
            case TerminalError.FORBIDDEN -> new TerminalError(TerminalError.FORBIDDEN, "the vCenter part of the manager's"
                    + " credentials (user '" + user + "') may not read vCenter " + vCenter + "'s inventory (a read-only role on it"
                    + " is enough): " + e.detail(), e);
            // An object that vanished between two calls: the restore point is fine, the placement is not.
            case TerminalError.UNKNOWN_VM, TerminalError.UNKNOWN_JOB, TerminalError.UNKNOWN_RESTORE_POINT ->
                    new TerminalError(TerminalError.REFUSED, "cannot place the VM to recover: " + e.detail(), e);
            default -> e;
        };
    }
}
