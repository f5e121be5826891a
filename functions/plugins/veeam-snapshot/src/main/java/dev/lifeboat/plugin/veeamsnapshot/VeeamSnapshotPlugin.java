package dev.lifeboat.plugin.veeamsnapshot;

import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.plugin.BackupPlugin;
import dev.lifeboat.plugin.Capabilities;
import dev.lifeboat.plugin.PluginError;
import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.veeam.VeeamPlugin;
import dev.lifeboat.plugin.vmware.VmwareSnapshotPlugin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VEEAM_SNAPSHOT: Veeam keeps the policies and runs their schedules; a backup now is a vCenter snapshot, and so are
 * the restores of such backups. The manager's endpoint is Veeam's; its user and password hold the Veeam part and the
 * vCenter part joined by the separator. vCenter is the VM's own ({@code Refs.Vm.vcenter}, at {@code https://<it>/sdk}),
 * so job and restore point references carry it: {@code <vcenter>|<VMware plugin's reference>}.
 */
public final class VeeamSnapshotPlugin implements BackupPlugin {
    static final String VCENTER_SEPARATOR = "|";

    private final VeeamPlugin veeam;
    private final VmwareSnapshotPlugin vmware;
    private final String separator;

    public VeeamSnapshotPlugin(VeeamPlugin veeam, VmwareSnapshotPlugin vmware, String separator) {
        this.veeam = veeam;
        this.vmware = vmware;
        this.separator = separator;
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.of(ManagerType.VEEAM_SNAPSHOT);
    }

    @Override
    public Results.Connection checkConnection(Session session) {
        Results.Connection c = veeam.checkConnection(veeamSession(session));
        return new Results.Connection(c.reachable(), c.authenticated(), c.latencyMs(),
                "Veeam: " + c.details() + "; vCenter is reached per VM, at the vCenter each VM names");
    }

    @Override
    public List<Results.ExternalPolicy> listPolicies(Session session) {
        return veeam.listPolicies(veeamSession(session));
    }

    @Override
    public Results.Schedule applySchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        return veeam.applySchedule(veeamSession(session), vm, policy);
    }

    @Override
    public Results.Schedule removeSchedule(Session session, Refs.Vm vm, Refs.Policy policy) {
        return veeam.removeSchedule(veeamSession(session), vm, policy);
    }

    @Override
    public Refs.Job startBackup(Session session, Refs.Vm vm, Refs.Policy policy) {
        String vcenter = vcenterOf(vm);
        return wrap(vcenter, vmware.startBackup(vcenterSession(session, vcenter), vm, policy));
    }

    @Override
    public Refs.Job startRestore(Session session, Refs.Vm vm, Refs.RestorePoint point, Refs.RestoreMode mode) {
        String[] parts = split(point.ref(), TerminalError.UNKNOWN_RESTORE_POINT);
        Refs.RestorePoint inner = new Refs.RestorePoint(parts[1], point.createdAt(), point.sizeBytes());
        return wrap(parts[0], vmware.startRestore(vcenterSession(session, parts[0]), vm, inner, mode));
    }

    @Override
    public Results.JobStatus pollJob(Session session, Refs.Job job) {
        String[] parts = split(job.ref(), TerminalError.UNKNOWN_JOB);
        Results.JobStatus s = vmware.pollJob(vcenterSession(session, parts[0]), new Refs.Job(job.kind(), parts[1], job.startedAt()));
        Refs.RestorePoint point = s.restorePoint() == null ? null
                : new Refs.RestorePoint(parts[0] + VCENTER_SEPARATOR + s.restorePoint().ref(), s.restorePoint().createdAt(), s.restorePoint().sizeBytes());
        return new Results.JobStatus(job, s.state(), s.progress(), point, s.error());
    }

    /** Snapshots of each vCenter's VMs; a vCenter that fails as a whole reports each of its VMs, the others still come back. */
    @Override
    public Results.ResultList listResults(Session session, List<Refs.Vm> vms, Instant since) {
        Map<String, List<Refs.Vm>> byVcenter = new LinkedHashMap<>();
        List<Results.VmFailure> failures = new ArrayList<>();
        for (Refs.Vm vm : vms) {
            if (vm.vcenter() == null || vm.vcenter().isBlank()) {
                failures.add(new Results.VmFailure(vm.id(), TerminalError.UNKNOWN_VM, "the VM names no vCenter"));
            } else {
                byVcenter.computeIfAbsent(vm.vcenter(), k -> new ArrayList<>()).add(vm);
            }
        }
        List<Results.BackupResult> results = new ArrayList<>();
        byVcenter.forEach((vcenter, group) -> {
            try {
                Results.ResultList r = vmware.listResults(vcenterSession(session, vcenter), group, since);
                r.results().forEach(b -> results.add(new Results.BackupResult(b.vmId(), vcenter + VCENTER_SEPARATOR + b.ref(), b.status(),
                        b.startedAt(), b.finishedAt(), b.sizeBytes())));
                failures.addAll(r.failures());
            } catch (PluginError e) {
                group.forEach(vm -> failures.add(new Results.VmFailure(vm.id(), e.code(), "vCenter " + vcenter + ": " + e.detail())));
            }
        });
        return new Results.ResultList(results, failures);
    }

    // ---- the two halves -------------------------------------------------------------------------------------------

    private Session veeamSession(Session session) {
        Refs.Manager m = session.manager();
        Refs.Manager veeamManager = new Refs.Manager(m.datacenter(), ManagerType.VEEAM, m.endpoint(), session.backupUser(separator),
                m.secretRef(), m.caBundlePem(), m.insecureTls());
        return new Session(veeamManager, new Secret(session.backupPassword(separator)), session.deadline(), session.run());
    }

    private Session vcenterSession(Session session, String vcenter) {
        Refs.Manager m = session.manager();
        String user = session.vcenterUser(separator);
        String password = session.vcenterPassword(separator);
        if (user == null || password == null) {
            throw new TerminalError(TerminalError.BAD_CREDENTIALS, "the manager's user and password need a vCenter part after '" + separator + "'");
        }
        Refs.Manager vc = new Refs.Manager(m.datacenter(), ManagerType.VMWARE_SNAPSHOT, "https://" + vcenter + "/sdk", user,
                m.secretRef(), m.caBundlePem(), m.insecureTls());
        return new Session(vc, new Secret(password), session.deadline(), session.run());
    }

    private static String vcenterOf(Refs.Vm vm) {
        if (vm.vcenter() == null || vm.vcenter().isBlank() || vm.vcenter().contains(VCENTER_SEPARATOR) || vm.vcenter().contains("/")) {
            throw new TerminalError(TerminalError.UNKNOWN_VM, "VM " + vm.id() + " names no usable vCenter host (hypervisor.vcenter)");
        }
        return vm.vcenter();
    }

    private static Refs.Job wrap(String vcenter, Refs.Job job) {
        return new Refs.Job(job.kind(), vcenter + VCENTER_SEPARATOR + job.ref(), job.startedAt());
    }

    private static String[] split(String ref, String unknownCode) {
        int at = ref.indexOf(VCENTER_SEPARATOR);
        if (at <= 0 || at == ref.length() - 1) {
            throw new TerminalError(unknownCode, "'" + ref + "' is not a Veeam+Snapshot reference (<vcenter>|<snapshot reference>)");
        }
        return new String[] {ref.substring(0, at), ref.substring(at + 1)};
    }
}
