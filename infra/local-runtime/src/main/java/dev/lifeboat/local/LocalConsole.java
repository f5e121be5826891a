package dev.lifeboat.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The web console on the local runtime: the built files of {@code infra/console/dist} under {@code /console/}, and a
 * development sign-in page where a person picks a user, an enterprise and privileges and this runtime mints the HS256
 * token the API accepts. The sign-in answers loopback clients only: the signing key is public knowledge, so a token
 * minted for anyone else would be a token for anyone. In AWS the console signs in with OpenID Connect instead.
 */
public final class LocalConsole {
    public static final String PREFIX = "/console";
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "json", "application/json", "png", "image/png", "svg", "image/svg+xml", "map", "application/json");

    private final Path dist;
    private final LocalTokens tokens;

    public LocalConsole(Path dist, LocalTokens tokens) {
        this.dist = dist;
        this.tokens = tokens;
    }

    /** Where {@code ./lifeboat local} finds the console: built beside the template by {@code infra/console/build.sh}. */
    public static Path defaultDist(Path template) {
        Path directory = template.toAbsolutePath().normalize().getParent();
        return (directory == null ? Path.of(".") : directory).resolve("infra/console/dist");
    }

    public boolean serves(String rawPath) {
        return rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/");
    }

    HttpApiResponse handle(String method, String rawPath, byte[] body, InetAddress client) throws IOException {
        if (rawPath.equals(PREFIX)) {
            return redirect(PREFIX + "/");
        }
        String name = rawPath.substring(PREFIX.length() + 1);
        if (name.equals("dev-signin")) {
            if (!client.isLoopbackAddress()) {
                return text(403, "The development sign-in answers loopback clients only.");
            }
            return switch (method) {
                case "GET", "HEAD" -> html(200, signInPage(null));
                case "POST" -> signIn(new String(body, StandardCharsets.UTF_8));
                default -> text(405, "GET or POST");
            };
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return text(405, "The console's files are read with GET.");
        }
        if (name.isEmpty()) {
            name = "index.html";
        }
        Path file = dist.resolve(name);
        if (!FILE.matcher(name).matches() || !Files.isRegularFile(file)) {
            if (!Files.isDirectory(dist)) {
                return text(404, "The console is not built: run infra/console/build.sh (./lifeboat local and ./lifeboat package build it).");
            }
            return text(404, "No console file " + name + ".");
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(HttpApiResponse.header("content-type", TYPES.getOrDefault(extension, "application/octet-stream")));
        // Files keep their names between builds: the browser asks again each time, so a rebuild shows at once.
        headers.add(HttpApiResponse.header("cache-control", "no-cache"));
        headers.add(HttpApiResponse.header("x-content-type-options", "nosniff"));
        if (extension.equals("html")) {
            headers.add(HttpApiResponse.header("content-security-policy",
                    "default-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"));
        }
        return new HttpApiResponse(200, headers, Files.readAllBytes(file));
    }

    private HttpApiResponse signIn(String form) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value.trim());
        }
        String sub = first(fields, "sub");
        String ent = first(fields, "ent");
        List<String> privileges = fields.getOrDefault("priv", List.of()).stream().filter(LocalTokens.ALL_PRIVILEGES::contains).toList();
        if (!ID.matcher(sub).matches() || !ID.matcher(ent).matches()) {
            return html(400, signInPage("User and enterprise must have 1 to 128 characters of A-Z a-z 0-9 . _ : -."));
        }
        String token = tokens.create(sub, ent, privileges, LocalTokens.DEFAULT_TTL);
        // The token travels in the fragment, which the browser never sends to a server; the console moves it to
        // session storage and removes it from the address at once.
        return redirect(PREFIX + "/#token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    private static String first(Map<String, List<String>> fields, String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    private static final String[][] PRIVILEGE_HELP = {
            {"PHYS_DC_RETRIEVE_DETAILS", "read datacenters' backup managers, properties and policies"},
            {"PHYS_DC_ALLOW_BACKUP_CONFIG", "change backup managers, properties, policies and allowances"},
            {"ENTERPRISE_ADMINISTER_ALL", "act on the VMs of every enterprise"},
            {"VAPP_MANAGE_BACKUP", "choose a VM's policies and back it up now"},
            {"VAPP_DEFINE_BACKUP_INFO", "give the values a policy leaves to each VM"},
            {"VAPP_RESTORE_BACKUP", "restore backups"}};

    private static String signInPage(String error) {
        StringBuilder privileges = new StringBuilder();
        for (String[] p : PRIVILEGE_HELP) {
            privileges.append("<div><input type=\"checkbox\" name=\"priv\" value=\"").append(p[0]).append("\" id=\"priv-").append(p[0])
                    .append("\" checked> <label for=\"priv-").append(p[0]).append("\"><code>").append(p[0]).append("</code>: ")
                    .append(p[1]).append("</label></div>\n");
        }
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Development sign-in · Lifeboat</title><link rel="icon" href="data:,"><link rel="stylesheet" href="app.css"></head>
                <body><main id="main">
                <h1>Development sign-in</h1>
                <p>The local runtime signs a token for whoever you choose here. In AWS the console signs in with your identity provider.</p>
                %s
                <form method="post" action="dev-signin" class="card">
                <div class="field"><label for="sub">User</label><input id="sub" name="sub" value="local-user" required></div>
                <div class="field"><label for="ent">Enterprise</label><input id="ent" name="ent" value="ent-1" required></div>
                <fieldset><legend>Privileges</legend>
                %s</fieldset>
                <div class="actions"><button type="submit" id="sign-in">Sign in</button></div>
                </form></main></body></html>
                """.formatted(error == null ? "" : "<div class=\"banner error\" role=\"alert\">" + error + "</div>", privileges);
    }

    private static HttpApiResponse redirect(String location) {
        return new HttpApiResponse(303, List.of(HttpApiResponse.header("location", location)), new byte[0]);
    }

    private static HttpApiResponse html(int status, String page) {
        return new HttpApiResponse(status, List.of(HttpApiResponse.header("content-type", "text/html; charset=utf-8"),
                HttpApiResponse.header("cache-control", "no-store")), page.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpApiResponse text(int status, String message) {
        return new HttpApiResponse(status, List.of(HttpApiResponse.header("content-type", "text/plain; charset=utf-8")),
                message.getBytes(StandardCharsets.UTF_8));
    }
}
