package dev.lifeboat.plugin.networker;

import dev.lifeboat.plugin.TerminalError;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The handles this plugin gives Lifeboat, and reads back.
 *
 * <ul>
 *   <li><b>Job ref</b>: the job URL exactly as NetWorker gave it in {@code Location} (§2.5: the client works from
 *       {@code Location} alone, whatever host and base it names). A backup job's ref carries the VM it backs up in the
 *       URL fragment, {@code #vc=<vCenter>&uuid=<uuid>}: a fragment is never sent over HTTP, and {@code pollJob} needs
 *       the VM to find the backup the job made (NetWorker's job does not name it, §2.5–2.6). A bare job id is also
 *       accepted and read as {@code <base>/jobs/<id>}.</li>
 *   <li><b>Restore point ref</b>: {@code vmware/vcenters/<vc>/protectedvms/<uuid>/backups/<backupId>}, the backup's path
 *       relative to the manager's base (§2.3), with encoded segments. Relative, so a ref stays valid when the manager's
 *       endpoint is renamed; self-describing, so a restore needs no lookup to find the VM and the vCenter. An absolute
 *       URL with that path is accepted too.</li>
 * </ul>
 */
final class NetworkerRefs {
    private NetworkerRefs() {}

    /** A backup, as named by a restore point ref. */
    record BackupRef(String vCenter, String vmUuid, String backupId) {
        String path() {
            return vmPath(vCenter, vmUuid) + "/backups/" + NetworkerClient.seg(backupId);
        }
    }

    /** A job: the URL to GET, and for backups the VM it backs up (null otherwise). */
    record JobRef(URI url, String vCenter, String vmUuid) {}

    static String vmPath(String vCenter, String uuid) {
        return "vmware/vcenters/" + NetworkerClient.seg(vCenter) + "/protectedvms/" + NetworkerClient.seg(uuid);
    }

    static String restorePoint(String vCenter, String uuid, String backupId) {
        return new BackupRef(vCenter, uuid, backupId).path();
    }

    static BackupRef backup(String ref) {
        String marker = "vmware/vcenters/";
        int at = ref == null ? -1 : ref.indexOf(marker);
        if (at >= 0) {
            String[] parts = ref.substring(at + marker.length()).split("/");
            // <vc>/protectedvms/<uuid>/backups/<id>[/...]
            if (parts.length >= 5 && parts[1].equals("protectedvms") && parts[3].equals("backups")) {
                return new BackupRef(decode(parts[0]), decode(parts[2]), decode(parts[4]));
            }
        }
        throw new TerminalError(TerminalError.UNKNOWN_RESTORE_POINT, "'" + ref + "' is not a NetWorker restore point of this plugin "
                + "(expected vmware/vcenters/<vCenter>/protectedvms/<uuid>/backups/<id>)");
    }

    static String backupJob(URI location, String vCenter, String uuid) {
        return NetworkerClient.withoutFragment(location) + "#vc=" + NetworkerClient.query(vCenter) + "&uuid=" + NetworkerClient.query(uuid);
    }

    static JobRef job(String ref, NetworkerClient client) {
        if (ref == null || ref.isBlank()) {
            throw new TerminalError(TerminalError.UNKNOWN_JOB, "the job has no reference");
        }
        String r = ref.strip();
        if (r.chars().allMatch(Character::isDigit)) {
            return new JobRef(client.resolve("jobs/" + r), null, null);
        }
        URI uri;
        try {
            uri = URI.create(r);
        } catch (IllegalArgumentException e) {
            throw new TerminalError(TerminalError.UNKNOWN_JOB, "'" + ref + "' is not a NetWorker job URL");
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new TerminalError(TerminalError.UNKNOWN_JOB, "'" + ref + "' is not a NetWorker job URL");
        }
        Map<String, String> f = fragment(uri.getRawFragment());
        return new JobRef(NetworkerClient.withoutFragment(uri), f.get("vc"), f.get("uuid"));
    }

    /** The id at the end of a job URL ({@code .../jobs/162187}), for messages and the log URL. */
    static String jobId(URI url) {
        String p = url.getPath();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static Map<String, String> fragment(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
