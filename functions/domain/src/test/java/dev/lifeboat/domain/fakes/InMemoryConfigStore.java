package dev.lifeboat.domain.fakes;

import dev.lifeboat.domain.allowance.Allowance;
import dev.lifeboat.domain.allowance.AllowanceRepository;
import dev.lifeboat.domain.common.DatacenterUsage;
import dev.lifeboat.domain.common.Page;
import dev.lifeboat.domain.common.PageRequest;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.common.StoreConflict.Reason;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.ManagerRepository;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.policy.BackupPolicy;
import dev.lifeboat.domain.policy.PolicyRepository;
import dev.lifeboat.domain.properties.BackupProperties;
import dev.lifeboat.domain.properties.PropertiesRepository;
import dev.lifeboat.domain.vm.VirtualMachine;
import dev.lifeboat.domain.vm.VmRepository;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** An in-memory store with the same conditions as the DynamoDB adapter, for fast domain tests only. */
public final class InMemoryConfigStore implements ManagerRepository, PolicyRepository, PropertiesRepository, AllowanceRepository, VmRepository {
    private final Map<String, BackupManager> managers = new HashMap<>();
    private final Map<String, TreeMap<String, BackupPolicy>> policies = new HashMap<>();
    private final Map<String, BackupProperties> properties = new HashMap<>();
    private final Map<String, Allowance> allowances = new HashMap<>();
    private final Map<String, Long> configuredVms = new HashMap<>();
    private final Map<String, Long> vmsPerPolicy = new HashMap<>();
    private final Map<String, VirtualMachine> vms = new HashMap<>();
    public int writes;

    /** What the VM registry will maintain: how many VMs select a policy. */
    public synchronized void setVmsSelecting(String datacenter, String policyId, long count) {
        vmsPerPolicy.put(datacenter + "/" + policyId, count);
        configuredVms.put(datacenter, count);
    }

    @Override
    public synchronized Optional<BackupManager> findManager(String datacenter) {
        return Optional.ofNullable(managers.get(datacenter));
    }

    @Override
    public synchronized List<String> managedDatacenters() {
        return managers.keySet().stream().sorted().toList();
    }

    @Override
    public synchronized DatacenterUsage findUsage(String datacenter) {
        long definedHour = dcPolicies(datacenter).values().stream().filter(BackupPolicy::hasDefinedHour).count();
        return new DatacenterUsage(definedHour, configuredVms.getOrDefault(datacenter, 0L));
    }

    @Override
    public synchronized void createManager(BackupManager manager) {
        if (managers.containsKey(manager.datacenter())) throw new StoreConflict(Reason.ALREADY_EXISTS);
        refuseVeeamWithDefinedHour(manager);
        managers.put(manager.datacenter(), manager);
        writes++;
    }

    @Override
    public synchronized void replaceManager(BackupManager manager, long expectedVersion) {
        BackupManager current = managers.get(manager.datacenter());
        if (current == null) throw new StoreConflict(Reason.NOT_FOUND);
        if (current.version() != expectedVersion) throw new StoreConflict(Reason.VERSION_MISMATCH);
        refuseVeeamWithDefinedHour(manager);
        managers.put(manager.datacenter(), manager);
        writes++;
    }

    private void refuseVeeamWithDefinedHour(BackupManager manager) {
        if (manager.type() == ManagerType.VEEAM && findUsage(manager.datacenter()).definedHourPolicies() > 0) {
            throw new StoreConflict(Reason.DEFINED_HOUR_POLICIES_EXIST);
        }
    }

    @Override
    public synchronized void deleteManager(String datacenter, long expectedVersion) {
        BackupManager current = managers.get(datacenter);
        if (current == null) throw new StoreConflict(Reason.NOT_FOUND);
        if (findUsage(datacenter).configuredVms() > 0) throw new StoreConflict(Reason.VMS_CONFIGURED);
        if (current.version() != expectedVersion) throw new StoreConflict(Reason.VERSION_MISMATCH);
        managers.remove(datacenter);
        writes++;
    }

    private TreeMap<String, BackupPolicy> dcPolicies(String datacenter) {
        return policies.computeIfAbsent(datacenter, k -> new TreeMap<>());
    }

    private BackupPolicy withUse(BackupPolicy p) {
        boolean inUse = vmsPerPolicy.getOrDefault(p.datacenter() + "/" + p.id(), 0L) > 0;
        return new BackupPolicy(p.datacenter(), p.id(), p.name(), p.code(), p.description(), p.configurations(), inUse,
                p.version(), p.createdAt(), p.updatedAt());
    }

    @Override
    public synchronized Optional<BackupPolicy> findPolicy(String datacenter, String policyId) {
        return Optional.ofNullable(dcPolicies(datacenter).get(policyId)).map(this::withUse);
    }

    @Override
    public synchronized Optional<String> findPolicyIdByCode(String datacenter, String code) {
        return dcPolicies(datacenter).values().stream()
                .filter(p -> BackupPolicy.codeKey(p.code()).equals(BackupPolicy.codeKey(code)))
                .map(BackupPolicy::id).findFirst();
    }

    @Override
    public synchronized Page<BackupPolicy> listPolicies(String datacenter, PageRequest page) {
        List<BackupPolicy> all = new ArrayList<>(dcPolicies(datacenter).values());
        int from = page.cursor() == null ? 0 : Integer.parseInt(page.cursor());
        int to = Math.min(all.size(), from + page.limit());
        String next = to < all.size() ? Integer.toString(to) : null;
        return new Page<>(all.subList(from, to).stream().map(this::withUse).toList(), next);
    }

    @Override
    public synchronized List<BackupPolicy> findPolicies(String datacenter, Collection<String> policyIds) {
        return policyIds.stream().distinct().map(id -> dcPolicies(datacenter).get(id)).filter(java.util.Objects::nonNull)
                .map(this::withUse).toList();
    }

    @Override
    public synchronized Set<String> existingPolicyIds(String datacenter, Collection<String> policyIds) {
        Set<String> out = new HashSet<>(policyIds);
        out.retainAll(dcPolicies(datacenter).keySet());
        return out;
    }

    @Override
    public synchronized void createPolicy(BackupPolicy policy, String allowEnterprise) {
        if (findPolicyIdByCode(policy.datacenter(), policy.code()).isPresent()) throw new StoreConflict(Reason.CODE_TAKEN);
        refuseDefinedHourOnVeeam(policy);
        dcPolicies(policy.datacenter()).put(policy.id(), policy);
        if (allowEnterprise != null) {
            Allowance a = findAllowance(allowEnterprise, policy.datacenter());
            List<String> ids = new ArrayList<>(a.policyIds());
            ids.add(policy.id());
            allowances.put(allowEnterprise + "/" + policy.datacenter(), new Allowance(allowEnterprise, policy.datacenter(), ids, a.version() + 1));
        }
        writes++;
    }

    private void refuseDefinedHourOnVeeam(BackupPolicy policy) {
        BackupManager m = managers.get(policy.datacenter());
        if (policy.hasDefinedHour() && m != null && m.type() == ManagerType.VEEAM) throw new StoreConflict(Reason.MANAGER_IS_VEEAM);
    }

    @Override
    public synchronized void updatePolicy(BackupPolicy previous, BackupPolicy next) {
        BackupPolicy current = findPolicy(previous.datacenter(), previous.id()).orElseThrow(() -> new StoreConflict(Reason.NOT_FOUND));
        if (current.version() != previous.version()) throw new StoreConflict(Reason.VERSION_MISMATCH);
        Optional<String> holder = findPolicyIdByCode(next.datacenter(), next.code());
        if (holder.isPresent() && !holder.get().equals(next.id())) throw new StoreConflict(Reason.CODE_TAKEN);
        if (current.inUse() && !current.configurations().equals(next.configurations())) throw new StoreConflict(Reason.POLICY_IN_USE);
        refuseDefinedHourOnVeeam(next);
        dcPolicies(next.datacenter()).put(next.id(), next);
        writes++;
    }

    @Override
    public synchronized void deletePolicy(BackupPolicy policy) {
        BackupPolicy current = findPolicy(policy.datacenter(), policy.id()).orElseThrow(() -> new StoreConflict(Reason.NOT_FOUND));
        if (current.version() != policy.version()) throw new StoreConflict(Reason.VERSION_MISMATCH);
        if (current.inUse()) throw new StoreConflict(Reason.POLICY_IN_USE);
        dcPolicies(policy.datacenter()).remove(policy.id());
        writes++;
    }

    @Override
    public synchronized BackupProperties findProperties(String datacenter) {
        return properties.getOrDefault(datacenter, BackupProperties.defaults(datacenter));
    }

    @Override
    public synchronized void saveProperties(BackupProperties next, long expectedVersion) {
        if (findProperties(next.datacenter()).version() != expectedVersion) throw new StoreConflict(Reason.VERSION_MISMATCH);
        properties.put(next.datacenter(), next);
        writes++;
    }

    @Override
    public synchronized Allowance findAllowance(String enterprise, String datacenter) {
        Allowance a = allowances.getOrDefault(enterprise + "/" + datacenter, new Allowance(enterprise, datacenter, List.of(), 0));
        return new Allowance(enterprise, datacenter,
                a.policyIds().stream().filter(dcPolicies(datacenter)::containsKey).toList(), a.version());
    }

    @Override
    public synchronized void saveAllowance(Allowance next, long expectedVersion) {
        if (findAllowance(next.enterprise(), next.datacenter()).version() != expectedVersion) throw new StoreConflict(Reason.VERSION_MISMATCH);
        allowances.put(next.enterprise() + "/" + next.datacenter(), next);
        writes++;
    }

    @Override
    public synchronized Optional<VirtualMachine> findVm(String id) {
        return Optional.ofNullable(vms.get(id));
    }

    @Override
    public synchronized Page<VirtualMachine> listVms(String enterprise, String datacenter, PageRequest page) {
        List<VirtualMachine> all = vms.values().stream()
                .filter(vm -> enterprise == null || vm.enterprise().equals(enterprise))
                .filter(vm -> datacenter == null || vm.datacenter().equals(datacenter))
                .sorted(Comparator.comparing(VirtualMachine::datacenter).thenComparing(VirtualMachine::id))
                .toList();
        int from = page.cursor() == null ? 0 : Integer.parseInt(page.cursor());
        int to = Math.min(all.size(), from + page.limit());
        return new Page<>(all.subList(from, to), to < all.size() ? Integer.toString(to) : null);
    }

    @Override
    public synchronized void saveVm(VirtualMachine previous, VirtualMachine next, Map<String, Long> policyVersions) {
        VirtualMachine current = vms.get(next.id());
        if (previous == null && current != null) throw new StoreConflict(Reason.ALREADY_EXISTS);
        if (previous != null && current == null) throw new StoreConflict(Reason.NOT_FOUND);
        if (previous != null && (current.version() != previous.version() || current.backup().version() != previous.backup().version())) {
            throw new StoreConflict(Reason.VERSION_MISMATCH);
        }
        Set<String> before = previous == null ? Set.of() : previous.backup().policiesInUse();
        Set<String> after = next.backup().policiesInUse();
        for (String id : after) {
            if (!before.contains(id)) {
                BackupPolicy p = dcPolicies(next.datacenter()).get(id);
                if (p == null || (policyVersions.containsKey(id) && p.version() != policyVersions.get(id))) {
                    throw new StoreConflict(Reason.VERSION_MISMATCH);
                }
            }
        }
        for (String id : before) if (!after.contains(id)) vmsPerPolicy.merge(next.datacenter() + "/" + id, -1L, Long::sum);
        for (String id : after) if (!before.contains(id)) vmsPerPolicy.merge(next.datacenter() + "/" + id, 1L, Long::sum);
        long delta = (after.isEmpty() ? 0 : 1) - (before.isEmpty() ? 0 : 1);
        configuredVms.merge(next.datacenter(), delta, Long::sum);
        vms.put(next.id(), next);
        writes++;
    }
}
