package dev.lifeboat.plugin.networker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.TerminalError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * NetWorker's protection policies, workflows and the protection groups they back up, and <b>the one rule</b> by which a
 * Lifeboat policy code names them:
 *
 * <ol>
 *   <li>the code equals, ignoring case, the name of a protection group that a workflow backs up: that group receives
 *       the VM's work item, and backups now run through the (first) workflow backing up that group;</li>
 *   <li>otherwise the code equals, ignoring case, the name of a workflow (in exactly one policy): the workflow's first
 *       protection group receives the work item, and backups now run through that workflow;</li>
 *   <li>otherwise the code is unknown ({@link TerminalError#UNKNOWN_POLICY}).</li>
 * </ol>
 *
 * Groups come first because a group is what a VM is put into (§2.4) and group names are unique on a server, while a
 * workflow name is unique only within its policy. In the common layout (workflow GOLD backing up group GOLD) both rules
 * agree. Only groups that some workflow backs up count: a group no workflow runs would never be backed up.
 *
 * <p>Read with one {@code GET /protectionpolicies} (workflows embedded, §2.3); when a policy item does not embed its
 * workflows [U], {@code GET /protectionpolicies/{p}/workflows} is asked for that policy.
 */
final class PolicyCatalog {

    /** One (policy, workflow, group) triple; {@code group} is null for a workflow that backs up no group. */
    record Target(String policy, String workflow, String group) {}

    /** What a code names: the group for work items (null if the workflow has none) and the workflows that run it. */
    record Match(String code, String group, List<Target> workflows) {
        Target firstWorkflow() {
            return workflows.get(0);
        }
    }

    private final List<Target> targets;

    private PolicyCatalog(List<Target> targets) {
        this.targets = List.copyOf(targets);
    }

    static PolicyCatalog read(NetworkerClient client) {
        JsonNode list = client.get("protectionpolicies", new NetworkerClient.Lookup(TerminalError.REFUSED, "the protection policies"));
        List<Target> targets = new ArrayList<>();
        for (JsonNode p : Wire.items(list, "protectionPolicies")) {
            String policy = Wire.text(p, "name");
            if (policy == null) {
                continue;
            }
            JsonNode workflows = p.get("workflows");
            List<JsonNode> wfs;
            if (workflows != null && workflows.isArray() && allNamed(workflows)) {
                wfs = new ArrayList<>();
                workflows.forEach(wfs::add);
            } else {
                wfs = Wire.items(client.get("protectionpolicies/" + NetworkerClient.seg(policy) + "/workflows",
                        new NetworkerClient.Lookup(TerminalError.REFUSED, "the workflows of protection policy '" + policy + "'")), "workflows");
            }
            for (JsonNode w : wfs) {
                String workflow = Wire.text(w, "name");
                if (workflow == null) {
                    continue;
                }
                List<String> groups = groupNames(w.get("protectionGroups"));
                if (groups.isEmpty()) {
                    targets.add(new Target(policy, workflow, null));
                }
                groups.forEach(g -> targets.add(new Target(policy, workflow, g)));
            }
        }
        return new PolicyCatalog(targets);
    }

    /** Everything a code can name, as {@link #match} reads it: groups first, then workflows no group name covers. */
    List<Results.ExternalPolicy> external() {
        Map<String, Results.ExternalPolicy> out = new LinkedHashMap<>();
        Map<String, List<Target>> byGroup = new LinkedHashMap<>();
        for (Target t : targets) {
            if (t.group() != null) {
                byGroup.computeIfAbsent(t.group(), k -> new ArrayList<>()).add(t);
            }
        }
        byGroup.forEach((group, ts) -> out.putIfAbsent(key(group), new Results.ExternalPolicy(group,
                "protection group " + group + " (" + describe(ts) + ")", "protectiongroups/" + NetworkerClient.seg(group))));
        for (Target t : targets) {
            out.putIfAbsent(key(t.workflow()), new Results.ExternalPolicy(t.workflow(),
                    "workflow " + t.workflow() + " of policy " + t.policy(),
                    "protectionpolicies/" + NetworkerClient.seg(t.policy()) + "/workflows/" + NetworkerClient.seg(t.workflow())));
        }
        return List.copyOf(out.values());
    }

    /** The rule of the class comment. */
    Match match(String code) {
        if (code == null || code.isBlank()) {
            throw new TerminalError(TerminalError.UNKNOWN_POLICY, "the policy has no code to match a NetWorker protection group or workflow");
        }
        List<Target> byGroup = targets.stream().filter(t -> t.group() != null && t.group().equalsIgnoreCase(code)).toList();
        if (!byGroup.isEmpty()) {
            return new Match(code, byGroup.get(0).group(), byGroup);
        }
        List<Target> byWorkflow = targets.stream().filter(t -> t.workflow().equalsIgnoreCase(code)).toList();
        if (!byWorkflow.isEmpty()) {
            long policies = byWorkflow.stream().map(Target::policy).distinct().count();
            if (policies > 1) {
                throw new TerminalError(TerminalError.REFUSED, "policy code '" + code + "' names workflows in " + policies
                        + " NetWorker protection policies (" + describe(byWorkflow) + "); name a protection group instead");
            }
            return new Match(code, byWorkflow.get(0).group(), List.of(byWorkflow.get(0)));
        }
        throw new TerminalError(TerminalError.UNKNOWN_POLICY, "no NetWorker protection group or workflow is named '" + code
                + "' (ignoring case)");
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String describe(List<Target> ts) {
        return String.join(", ", ts.stream().map(t -> "policy " + t.policy() + ", workflow " + t.workflow()).distinct().toList());
    }

    private static boolean allNamed(JsonNode workflows) {
        for (JsonNode w : workflows) {
            if (!w.isObject() || Wire.text(w, "name") == null) {
                return false;
            }
        }
        return true;
    }

    /** {@code protectionGroups}: names, or objects with a {@code name} [U]. */
    private static List<String> groupNames(JsonNode groups) {
        List<String> out = new ArrayList<>();
        if (groups == null || !groups.isArray()) {
            return out;
        }
        for (JsonNode g : groups) {
            String name = g.isTextual() ? g.asText() : Wire.text(g, "name");
            if (name != null && !name.isBlank()) {
                out.add(name);
            }
        }
        return out;
    }
}
