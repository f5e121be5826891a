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
 * Lifeboat policy code names them (api.md revision 2, "code"), each step ignoring case:
 *
 * <ol>
 *   <li>the name of a protection group that a workflow backs up: that group receives the VM's work item, and backups
 *       now run through the (first) workflow backing up that group;</li>
 *   <li>otherwise the name of a workflow (in exactly one policy): the workflow's first protection group receives the
 *       work item, and backups now run through that workflow;</li>
 *   <li>otherwise the name of a protection policy, then a protection policy's {@code comment} (CloudStack's NetWorker
 *       plugin finds policies by {@code q=comment:<code>}, backup-systems.md §2.3 [C, CS-N]): the policy's workflows,
 *       which must back up one protection group between them, since that group is where the VM goes;</li>
 *   <li>otherwise the code is unknown ({@link TerminalError#UNKNOWN_POLICY}).</li>
 * </ol>
 * Several objects of the same rank (workflows in two policies, two policies with the comment) are refused
 * ({@link TerminalError#REFUSED}) with the candidates named.
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
    record Target(String policy, String workflow, String group, String policyComment) {
        Target(String policy, String workflow, String group) {
            this(policy, workflow, group, null);
        }
    }

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
            String comment = Wire.text(p, "comment");
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
                    targets.add(new Target(policy, workflow, null, comment));
                }
                groups.forEach(g -> targets.add(new Target(policy, workflow, g, comment)));
            }
        }
        return new PolicyCatalog(targets);
    }

    /** Everything a code can name, in {@link #match}'s order: groups, workflows, policies, then policies' comments. */
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
        for (Target t : targets) {
            String path = "protectionpolicies/" + NetworkerClient.seg(t.policy());
            out.putIfAbsent(key(t.policy()), new Results.ExternalPolicy(t.policy(), "protection policy " + t.policy(), path));
            if (t.policyComment() != null && !t.policyComment().isBlank()) {
                out.putIfAbsent(key(t.policyComment().strip()), new Results.ExternalPolicy(t.policyComment().strip(),
                        "comment of protection policy " + t.policy(), path));
            }
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
        List<Target> byPolicy = targets.stream().filter(t -> t.policy().equalsIgnoreCase(code)).toList();
        if (!byPolicy.isEmpty()) {
            return policyMatch(code, byPolicy, "name");
        }
        List<Target> byComment = targets.stream().filter(t -> t.policyComment() != null && t.policyComment().strip().equalsIgnoreCase(code)).toList();
        if (!byComment.isEmpty()) {
            List<String> policies = byComment.stream().map(Target::policy).distinct().toList();
            if (policies.size() > 1) {
                throw new TerminalError(TerminalError.REFUSED, "policy code '" + code + "' is the comment of " + policies.size()
                        + " NetWorker protection policies (" + String.join(", ", policies) + "); keep it on one of them");
            }
            return policyMatch(code, byComment, "comment");
        }
        throw new TerminalError(TerminalError.UNKNOWN_POLICY, "no NetWorker protection group, workflow or protection policy is named '"
                + code + "', and no protection policy has it as its comment (ignoring case)");
    }

    /** A protection policy named by the code: its workflows, which must back up a single group between them. */
    private static Match policyMatch(String code, List<Target> ofPolicy, String by) {
        List<Target> withGroup = ofPolicy.stream().filter(t -> t.group() != null).toList();
        List<String> groups = withGroup.stream().map(Target::group).distinct().toList();
        String policy = ofPolicy.get(0).policy();
        if (groups.size() > 1) {
            throw new TerminalError(TerminalError.REFUSED, "policy code '" + code + "' is the " + by + " of NetWorker protection policy '"
                    + policy + "', whose workflows back up " + groups.size() + " protection groups (" + String.join(", ", groups)
                    + "); name one of them as the code");
        }
        List<Target> run = withGroup.isEmpty() ? ofPolicy : withGroup;
        return new Match(code, groups.isEmpty() ? null : groups.get(0), run);
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
