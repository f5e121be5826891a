package dev.lifeboat.plugin.vmware;

import dev.lifeboat.plugin.TerminalError;
import java.util.ArrayList;
import java.util.List;

/**
 * The plugin's handles, as the strings Lifeboat stores in {@code Refs.Job.ref} and {@code Refs.RestorePoint.ref}.
 * Each carries the VM's moref beside the task's or snapshot's, so that a poll can fall back on the VM's snapshot tree
 * when vCenter has already forgotten a finished task, and a restore can check the snapshot belongs to the VM it is
 * asked to revert. Parts are separated by {@code /}; a part holding {@code /} or {@code %} has them percent-encoded
 * (VM, task and snapshot morefs never do, but the format does not depend on it).
 *
 * <pre>
 * job            backup/&lt;vm moref&gt;/&lt;task moref&gt;/&lt;snapshot name&gt;     backup/vm-57/task-68/lifeboat-20261127T100430.123Z
 *                restore/&lt;vm moref&gt;/&lt;task moref&gt;/&lt;snapshot moref&gt;   restore/vm-57/task-72/snapshot-69
 *                remove/&lt;vm moref&gt;/&lt;task moref&gt;/&lt;snapshot moref&gt;    remove/vm-57/task-73/snapshot-69
 * restore point  &lt;vm moref&gt;/&lt;snapshot moref&gt;                            vm-57/snapshot-69
 * </pre>
 */
final class SnapshotRefs {
    enum Action { BACKUP, RESTORE, REMOVE }

    /** A job: what it does, the VM, vCenter's task, and the snapshot's name (backup) or moref (restore, remove). */
    record JobRef(Action action, String vm, String task, String snapshot) {
        String format() {
            return join(action.name().toLowerCase(java.util.Locale.ROOT), vm, task, snapshot);
        }
    }

    record PointRef(String vm, String snapshot) {
        String format() {
            return join(vm, snapshot);
        }
    }

    private SnapshotRefs() {}

    static JobRef job(String ref) {
        List<String> parts = split(ref);
        if (parts.size() == 4) {
            for (Action a : Action.values()) {
                if (a.name().toLowerCase(java.util.Locale.ROOT).equals(parts.get(0)) && parts.stream().noneMatch(String::isEmpty)) {
                    return new JobRef(a, parts.get(1), parts.get(2), parts.get(3));
                }
            }
        }
        throw new TerminalError(TerminalError.UNKNOWN_JOB, "'" + ref + "' is not a VMware snapshot job of Lifeboat"
                + " (backup|restore|remove/<vm>/<task>/<snapshot>)");
    }

    static PointRef point(String ref) {
        List<String> parts = split(ref);
        if (parts.size() == 2 && parts.stream().noneMatch(String::isEmpty)) {
            return new PointRef(parts.get(0), parts.get(1));
        }
        throw new TerminalError(TerminalError.UNKNOWN_RESTORE_POINT, "'" + ref + "' is not a VMware snapshot of Lifeboat"
                + " (<vm moref>/<snapshot moref>)");
    }

    private static String join(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String p : parts) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(p.replace("%", "%25").replace("/", "%2F"));
        }
        return out.toString();
    }

    private static List<String> split(String ref) {
        List<String> parts = new ArrayList<>();
        if (ref == null) {
            return parts;
        }
        for (String p : ref.split("/", -1)) {
            parts.add(p.replace("%2F", "/").replace("%2f", "/").replace("%25", "%"));
        }
        return parts;
    }
}
