package dev.lifeboat.plugin.vmware;

import dev.lifeboat.plugin.ResultPageBudget;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.plugin.vmware.SnapshotRefs.PointRef;
import dev.lifeboat.plugin.vmware.VimClient.Moref;
import dev.lifeboat.plugin.vmware.VimClient.SnapshotInfo;
import dev.lifeboat.plugin.vmware.Xml.Node;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * LIST_RESULTS over a whole vCenter: Lifeboat's snapshots created since a time, by one PropertyCollector retrieval of
 * the snapshot trees of every VM, a page of VMs per command.
 *
 * <p>The first page makes a ContainerView of every VirtualMachine (ViewManager.CreateContainerView, recursive from
 * the root folder) and asks RetrievePropertiesEx for {@code name}, {@code config.instanceUuid} and {@code snapshot}
 * of its VMs with {@code maxObjects}; the next pages are ContinueRetrievePropertiesEx with the token of the previous
 * answer (vSphere API reference, PropertyCollector: the token is valid until the retrieval ends or the session does).
 * Snapshots are filtered here: created since {@code since} and named by Lifeboat ({@link VmwareSnapshotPlugin#NAME_PREFIX}).
 *
 * <p>Each snapshot names its VM by moref with the vCenter as the host of the manager's endpoint (a VMWARE_SNAPSHOT
 * manager is one vCenter, and its VMs name it so), and by instance uuid, which Lifeboat matches when the names differ.
 * The ref is the same as a VM's own listing gives, so results sync records a snapshot once.
 *
 * <p>Cursor {@code <restarts>;<view>;<token>;<rest>}: the view to destroy at the end, vCenter's token, and the VMs of
 * the last answer whose snapshots did not fit in a page ({@code moref:skip}, at most {@link #MAX_OBJECTS}): bounded
 * whatever the inventory. A token vCenter no longer takes (the Lambda that answered next logged in anew) restarts the
 * retrieval from the first VM, at most {@link #MAX_RESTARTS} times; pages read twice are recorded once.
 */
final class SnapshotResultPages {
    /** VMs per answer: about 330 bytes per snapshot in the page, and most VMs have none or one new. */
    static final int MAX_OBJECTS = 50;
    static final int MAX_RESTARTS = 3;
    private static final List<String> PATHS = List.of("name", "config.instanceUuid", "snapshot");

    private SnapshotResultPages() {}

    private record Cursor(int restarts, Moref view, String token, List<String> rest) {
        String format() {
            return restarts + ";" + view.value() + ";" + (token == null ? "" : token) + ";" + String.join(",", rest);
        }

        static Cursor parse(String s) {
            String[] parts = s.split(";", -1);
            try {
                if (parts.length == 4 && !parts[1].isBlank()) {
                    return new Cursor(Integer.parseInt(parts[0]), new Moref("ContainerView", parts[1]), parts[2].isEmpty() ? null : parts[2],
                            parts[3].isEmpty() ? List.of() : List.of(parts[3].split(",")));
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new TerminalError(TerminalError.BAD_COMMAND, "'cursor' is not a page of vCenter's snapshots: " + s);
        }
    }

    static Results.ResultPage page(VimClient.Session s, Instant since, String cursorText) {
        String vcenter = s.sdk().getHost();
        Cursor cursor = cursorText == null ? null : Cursor.parse(cursorText);
        int restarts = cursor == null ? 0 : cursor.restarts();
        Moref view;
        VimClient.Session.ObjectPage answer;
        int skipFirst = 0;
        if (cursor == null) {
            view = s.createContainerView("VirtualMachine");
            answer = s.retrieveFromView(view, "VirtualMachine", PATHS, MAX_OBJECTS);
        } else if (!cursor.rest().isEmpty()) {
            view = cursor.view();
            List<Moref> vms = new ArrayList<>();
            for (String r : cursor.rest()) {
                vms.add(new Moref("VirtualMachine", r.substring(0, r.indexOf(':') < 0 ? r.length() : r.indexOf(':'))));
            }
            String first = cursor.rest().get(0);
            skipFirst = first.indexOf(':') < 0 ? 0 : Integer.parseInt(first.substring(first.indexOf(':') + 1));
            answer = new VimClient.Session.ObjectPage(s.nodes(vms, PATHS), cursor.token());
        } else {
            view = cursor.view();
            try {
                answer = s.continueRetrieve(cursor.token());
            } catch (TerminalError e) {
                // The token (or its view) went with the login that made it: start again from the first VM.
                if (restarts >= MAX_RESTARTS) {
                    throw new TerminalError(TerminalError.REFUSED, "vCenter refused the paging token " + (restarts + 1)
                            + " times in one results sync (" + e.getMessage() + ")");
                }
                restarts++;
                view = s.createContainerView("VirtualMachine");
                answer = s.retrieveFromView(view, "VirtualMachine", PATHS, MAX_OBJECTS);
            }
        }
        List<Results.FoundBackup> found = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        ResultPageBudget budget = new ResultPageBudget(200);
        for (Map.Entry<Moref, Map<String, Node>> vm : answer.objects().entrySet()) {
            if (!rest.isEmpty()) {
                rest.add(vm.getKey().value());
                continue;
            }
            List<Results.FoundBackup> mine = found(vcenter, vm.getKey(), vm.getValue(), since);
            for (int i = skipFirst; i < mine.size(); i++) {
                if (!budget.take(mine.get(i))) {
                    rest.add(vm.getKey().value() + ":" + i);
                    break;
                }
                found.add(mine.get(i));
            }
            skipFirst = 0;
        }
        if (rest.size() > MAX_OBJECTS) {
            throw new TerminalError(TerminalError.REFUSED, "vCenter answered " + answer.objects().size() + " VMs where "
                    + MAX_OBJECTS + " were asked (maxObjects), too many new snapshots to carry to the next page");
        }
        if (rest.isEmpty() && answer.token() == null) {
            s.destroyView(view);
            return new Results.ResultPage(found, null);
        }
        return new Results.ResultPage(found, new Cursor(restarts, view, answer.token(), rest).format());
    }

    /** The VM's snapshots Lifeboat made since {@code since}, oldest first, naming the VM by vCenter, moref and instance uuid. */
    private static List<Results.FoundBackup> found(String vcenter, Moref vm, Map<String, Node> vals, Instant since) {
        Node uuidNode = vals.get("config.instanceUuid");
        Node nameNode = vals.get("name");
        String uuid = uuidNode == null || uuidNode.text().isBlank() ? null : uuidNode.text().strip();
        List<SnapshotInfo> snaps = new ArrayList<>(VimClient.snapshots(vals.get("snapshot")));
        snaps.removeIf(x -> x.name() == null || !x.name().startsWith(VmwareSnapshotPlugin.NAME_PREFIX)
                || x.createTime() == null || x.createTime().isBefore(since));
        snaps.sort(Comparator.comparing(SnapshotInfo::createTime));
        List<Results.FoundBackup> out = new ArrayList<>();
        for (SnapshotInfo x : snaps) {
            out.add(new Results.FoundBackup(vcenter, vm.value(), uuid, nameNode == null ? null : nameNode.text(),
                    new PointRef(vm.value(), x.snapshot().value()).format(), Results.BackupResult.Status.SUCCESS,
                    x.createTime(), x.createTime(), null));
        }
        return out;
    }
}
