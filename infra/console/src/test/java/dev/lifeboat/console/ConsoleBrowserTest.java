package dev.lifeboat.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.LocalApiMain;
import dev.lifeboat.local.LocalTokens;
import dev.lifeboat.processes.RepositoryRoot;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console in headless Chromium against a freshly started local runtime (free ports, its own data folder): the
 * administrator's and the tenant's whole story by clicking, then the refusals. Screenshots of every page go to
 * target/screenshots; the figures of the closing report (first render, interactive policies page, API calls per page
 * view) are printed, never asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    static final String ALL = "PHYS_DC_RETRIEVE_DETAILS,PHYS_DC_ALLOW_BACKUP_CONFIG,ENTERPRISE_ADMINISTER_ALL,VAPP_MANAGE_BACKUP,VAPP_DEFINE_BACKUP_INFO,VAPP_RESTORE_BACKUP";
    static final String TENANT = "VAPP_MANAGE_BACKUP,VAPP_DEFINE_BACKUP_INFO,VAPP_RESTORE_BACKUP";
    final HttpClient http = HttpClient.newHttpClient();
    final LocalTokens tokens = new LocalTokens(LocalTokens.DEFAULT_KEY);
    Path data;
    LocalApiMain.Running runtime;
    Browser browser;
    URI base;
    String console;

    @BeforeAll
    void start() throws Exception {
        Path root = RepositoryRoot.find();
        assertTrue(Files.isRegularFile(root.resolve("infra/console/dist/app.js")), "the console is built (infra/console/build.sh)");
        data = Files.createTempDirectory("lifeboat-console-test-");
        // The runtime's log, for when a step waits in vain.
        Files.createDirectories(Path.of("target"));
        PrintStream sink = new PrintStream(Files.newOutputStream(Path.of("target", "local-runtime.log")), true, StandardCharsets.UTF_8);
        runtime = LocalApiMain.start(new String[] {
                "--template", root.resolve("template.yaml").toString(), "--port", "0", "--lambda-port", "0", "--sfn-port", "0",
                "--veeam-port", "0", "--networker-port", "0", "--job-seconds", "1", "--wait-seconds", "0.2",
                "--data", data.resolve("dynamodb").toString(),
                "--param", "JwtIssuer=lifeboat-local", "--param", "SecretStore=file:" + data.resolve("secrets"),
                "--param", "PluginSecretStore=file:" + data.resolve("secrets"), "--param", "SecretsExtensionLayerArn=local-none"}, sink, sink);
        base = runtime.api().baseUri();
        console = base + "/console/";
        browser = new Browser();
        // The cloud platform registers the tenant's VMs (vcenter.local's web-01 and db-01 on the simulators).
        for (String[] vm : new String[][] {{"web-01", "vm-101"}, {"db-01", "vm-102"}}) {
            api("PUT", "/virtual-machines/" + vm[0], token("platform", "ent-1", ALL), "{\"enterprise\":\"ent-1\",\"datacenter\":\"dc1\",\"name\":\""
                    + vm[0] + "\",\"state\":\"DEPLOYED\",\"hypervisor\":{\"vcenter\":\"vcenter.local\",\"moref\":\"" + vm[1] + "\"}}");
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) browser.close();
        if (runtime != null) runtime.close();
    }

    String token(String sub, String ent, String privileges) {
        return tokens.create(sub, ent, List.of(privileges.split(",")), Duration.ofHours(1));
    }

    HttpResponse<String> api(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("authorization", "Bearer " + token)
                .header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r;
    }

    /** The development sign-in page, as a person uses it: user, enterprise, and only the privileges asked for. */
    void signIn(String sub, String ent, String privileges) throws Exception {
        browser.driver.manage().deleteAllCookies();
        browser.go(console + "dev-signin");
        browser.js("sessionStorage.clear()");
        browser.type("#sub", sub);
        browser.type("#ent", ent);
        Set<String> wanted = Set.of(privileges.split(","));
        for (WebElement box : browser.all("input[name=priv]")) {
            if (box.isSelected() != wanted.contains(box.getAttribute("value"))) box.click();
        }
        browser.click("#sign-in");
        browser.waitText("#who", sub);
    }

    /** Opens a console page as a fresh load, and returns how many API calls the page view made. */
    long view(String hash, String readyCss) {
        browser.go(console + "#" + hash);
        browser.driver.navigate().refresh();
        browser.find(readyCss);
        return ((Number) browser.js("return window.lifeboatApiCalls()")).longValue();
    }

    @Test
    @Order(1)
    void theWholeStoryByClicking() throws Exception {
        // An administrator of another enterprise, so that allowing the policy to ent-1 is done by hand.
        signIn("admin", "ent-admin", "PHYS_DC_RETRIEVE_DETAILS,PHYS_DC_ALLOW_BACKUP_CONFIG");
        browser.find("h1");
        browser.screenshot("01-datacenters-empty");
        browser.type("#open-dc", "dc1");
        browser.clickText("Open");

        // 1. The manager: Veeam on the simulator; the trailing slash is added for the user; the connection checks out.
        browser.type("#manager-name", "Veeam");
        String veeam = runtime.veeamEndpoint().toString().replaceAll("/$", "");
        browser.type("#manager-endpoint", veeam);
        browser.type("#manager-user", "lifeboat");
        assertEquals(veeam + "/", browser.find("#manager-endpoint").getAttribute("value"), "Veeam's trailing slash is added");
        browser.type("#manager-password", "lifeboat");
        browser.click("#manager-save");
        browser.waitText(".banner.ok", "Saved");
        assertFalse(browser.find("#manager-type").isEnabled(), "the type is fixed once saved");
        assertEquals("", browser.find("#manager-password").getAttribute("value"), "the password is not kept in the form");
        browser.click("#manager-check");
        browser.waitText("#check-result", "Latency");
        String check = browser.find("#check-result").getText();
        assertTrue(check.matches("(?s).*Reachable\\s+yes.*Authenticated\\s+yes.*"), check);
        browser.assertAccessible("manager");
        browser.screenshot("02-backup-manager");

        // 2. Properties on, a policy whose daily time each VM defines, allowed to ent-1.
        browser.clickText("Properties");
        for (String p : List.of("multipleRestore", "multipleBackupPolicies", "updateWhenDeployed", "backupNow")) {
            WebElement box = browser.find("#prop-" + p);
            if (!box.isSelected()) box.click();
        }
        browser.click("#properties-save");
        browser.waitText(".banner.ok", "Properties saved");
        browser.screenshot("03-properties");

        browser.clickText("Backup policies");
        browser.click("#add-policy");
        browser.type("#policy-name", "Gold");
        browser.type("#policy-code", "GOLD");
        assertTrue(browser.all("#subtype-DEFINED_HOUR").isEmpty(), "DEFINED_HOUR is hidden for Veeam");
        browser.click("#subtype-DAILY");
        browser.click("#policy-DAILY-time-DEFINE_IN_VM");
        browser.assertAccessible("policy editor");
        browser.screenshot("04-policy-editor");
        browser.click("#policy-save");
        browser.waitText("#policies", "GOLD");
        assertTrue(browser.find("#policies").getText().contains("defined by each VM"));
        browser.screenshot("05-policies");

        browser.clickText("Allowances");
        browser.type("#allow-ent", "ent-1");
        browser.click("#allow-show");
        browser.click("#allow-GOLD");
        browser.click("#allow-save");
        browser.waitText(".banner.ok", "ent-1 may now use 1 policy");
        browser.screenshot("06-allowances");
        browser.drainConsole();

        // The administrators' list now shows the datacenter with its counts.
        long datacenterCalls = view("/datacenters", "table");
        assertTrue(browser.find("table").getText().contains("dc1"));
        long policiesCalls = view("/datacenters/dc1/policies", "#policies");
        double firstRender = ((Number) browser.js("return performance.getEntriesByName('lifeboat:first-render')[0].startTime")).doubleValue();
        double interactive = ((Number) browser.js("return performance.getEntriesByName('lifeboat:policies-interactive')[0].startTime")).doubleValue();

        // 3. The tenant selects GOLD for both VMs with a value for the time, typed wrong first.
        signIn("alice", "ent-1", TENANT);
        browser.waitText("#vms", "web-01");
        browser.screenshot("07-virtual-machines");
        long vmsCalls = ((Number) browser.js("return window.lifeboatApiCalls()")).longValue();
        long backupTabCalls = 0;
        for (String vm : List.of("web-01", "db-01")) {
            backupTabCalls = view("/vms/" + vm + "/backup", "#select-GOLD");
            browser.click("#select-GOLD");
            browser.type("#value-GOLD-DAILY-time", "25:00");
            browser.waitText(".field-error", "HH:mm:ss");
            assertFalse(browser.find("#backup-save").isEnabled(), "a wrong value cannot be sent");
            browser.type("#value-GOLD-DAILY-time", "01:30:00 Europe/Madrid");
            browser.click("#backup-save");
            // A VM without configuration is APPLIED too: wait for the policy to be in force.
            try {
                browser.wait.until(d -> d.findElement(By.cssSelector("#backup-status")).getText().matches("(?s).*APPLIED.*Gold.*"));
            } catch (org.openqa.selenium.TimeoutException e) {
                browser.screenshot("failure-" + vm);
                throw new AssertionError("no APPLIED for " + vm + "; the page says: " + browser.find("main").getText(), e);
            }
            String status = browser.find("#backup-status").getText();
            assertTrue(status.contains("your time"), "when it runs, in the user's time zone: " + status);
        }
        browser.assertAccessible("VM backup");
        browser.screenshot("08-vm-backup");

        // 4. Backup now, SUCCESS, restore; then both VMs in one multi-restore.
        long backupsCalls = 0;
        for (String vm : List.of("web-01", "db-01")) {
            backupsCalls = view("/vms/" + vm + "/backups", "#backup-now");
            browser.click("#backup-now");
            browser.wait.until(d -> d.findElement(By.cssSelector("#backup-now")).isEnabled()
                    && d.findElement(By.cssSelector("#backups")).getText().contains("SUCCESS"));
        }
        browser.screenshot("09-backups");
        view("/vms/web-01/backups", "#backups");
        browser.clickText("Restore");
        String warning = browser.find("[role=alertdialog]").getText();
        assertTrue(warning.contains("web-01") && warning.contains("overwritten"), warning);
        browser.screenshot("10-restore-confirmation");
        browser.click("#confirm-restore");
        browser.wait.until(d -> d.findElement(By.cssSelector(".restore-status")).getText().contains("SUCCESS"));
        browser.find("input.select-multi").click();
        browser.clickText("Backups and restores");
        browser.go(console + "#/vms/db-01/backups");
        browser.find("input.select-multi").click();
        browser.click("header a[href='#/restores']");
        browser.waitText("#cart", "db-01");
        browser.click("#multi-restore");
        browser.click("#confirm-multi");
        browser.wait.until(d -> d.findElement(By.cssSelector("#current-request")).getText().matches("(?s).*Request \\S+: SUCCESS.*"));
        String request = browser.find("#current-request").getText();
        assertTrue(request.contains("web-01") && request.contains("db-01"), request);
        browser.waitText("#restores", "SUCCESS");
        browser.assertAccessible("restores");
        browser.screenshot("11-restores");
        long restoresCalls = view("/restores", "#restores");

        // The same pages at a phone's width.
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        for (String[] page : new String[][] {{"/vms", "#vms", "12-vms-phone"}, {"/vms/web-01/backups", "#backups", "13-backups-phone"},
                {"/restores", "#restores", "14-restores-phone"}, {"/datacenters/dc1/policies", "#policies", "15-policies-phone"}}) {
            if (page[0].startsWith("/datacenters")) signIn("admin", "ent-admin", "PHYS_DC_RETRIEVE_DETAILS,PHYS_DC_ALLOW_BACKUP_CONFIG");
            view(page[0], page[1]);
            browser.assertFitsWidth(page[0]);
            browser.assertAccessible(page[0]);
            browser.screenshot(page[2]);
        }
        browser.driver.manage().window().setSize(new Dimension(1280, 800));
        List<String> network = browser.drainConsole();
        assertTrue(network.stream().allMatch(m -> m.contains("status of 404")), "only the absent manager's 404: " + network);

        System.out.printf("console figures: first render %.0f ms, policies page interactive %.0f ms after navigation start%n", firstRender, interactive);
        System.out.printf("console figures: API calls per page view: datacenters %d, policies %d, VMs %d, VM backup tab %d, VM backups tab %d, restores %d%n",
                datacenterCalls, policiesCalls, vmsCalls, backupTabCalls, backupsCalls, restoresCalls);
    }

    @Test
    @Order(2)
    void refusalsAreShownWhereAPersonCanActOnThem() throws Exception {
        // A duplicate code: the API's field error sits under the code field, and what was typed stays.
        signIn("admin", "ent-admin", "PHYS_DC_RETRIEVE_DETAILS,PHYS_DC_ALLOW_BACKUP_CONFIG");
        browser.go(console + "#/datacenters/dc1/policies/new");
        browser.type("#policy-name", "Another gold");
        browser.type("#policy-code", "gold");
        browser.click("#subtype-HOURLY");
        browser.click("#policy-HOURLY-hours-FIXED");
        browser.type("#policy-HOURLY-hours-value", "6");
        browser.click("#policy-save");
        browser.waitText(".field.invalid .field-error", "already used");
        WebElement code = browser.find("#policy-code");
        assertEquals("gold", code.getAttribute("value"), "the form keeps what was typed");
        assertEquals("true", code.getAttribute("aria-invalid"));
        assertTrue(code.getAttribute("aria-describedby").contains(browser.find(".field.invalid .field-error").getAttribute("id")));
        browser.screenshot("16-duplicate-code");

        // A stale edit: someone else renames the policy meanwhile; saving offers a reload, which shows their change.
        String admin = token("other-admin", "ent-admin", "PHYS_DC_RETRIEVE_DETAILS,PHYS_DC_ALLOW_BACKUP_CONFIG");
        String policies = api("GET", "/datacenters/dc1/backup-policies", admin, null).body();
        String id = policies.replaceAll("(?s).*\"id\":\"([0-9A-Z]{26})\".*", "$1");
        browser.go(console + "#/datacenters/dc1/policies/" + id);
        browser.type("#policy-description", "typed here");
        api("PUT", "/datacenters/dc1/backup-policies/" + id, admin,
                "{\"name\":\"Gold (renamed)\",\"code\":\"GOLD\",\"backupConfigurations\":[{\"type\":\"COMPLETE\",\"subtype\":\"DAILY\",\"time\":\"DEFINE_IN_VM\"}]}");
        browser.click("#policy-save");
        browser.waitText(".banner.error", "Changed by someone else");
        assertEquals("typed here", browser.find("#policy-description").getAttribute("value"));
        assertTrue(browser.find("#in-use-note").getText().contains("only its name, code and description"), "a policy in use says why");
        browser.screenshot("17-stale-edit");
        browser.clickText("Reload");
        browser.wait.until(ExpectedConditions.attributeToBe(By.cssSelector("#policy-name"), "value", "Gold (renamed)"));

        // A tenant without the restore privilege sees no Restore and cannot pick backups to restore.
        signIn("bob", "ent-1", "VAPP_MANAGE_BACKUP");
        view("/vms/web-01/backups", "#backups");
        browser.waitText("#backups", "SUCCESS");
        assertTrue(browser.driver.findElements(By.xpath("//button[normalize-space()='Restore']")).isEmpty(), "no Restore without VAPP_RESTORE_BACKUP");
        assertTrue(browser.all("input.select-multi").isEmpty());
        browser.screenshot("18-no-restore-privilege");
        List<String> network = browser.drainConsole();
        assertTrue(network.stream().allMatch(m -> m.contains("status of 409") || m.contains("status of 412")), "only the refusals provoked: " + network);
    }

    static final String SWITCHES = "{\"multipleRestore\":%s,\"multipleBackupPolicies\":%s,\"updateWhenDeployed\":%s,\"backupNow\":%s}";

    @Test
    @Order(3)
    void whatTheDatacenterForbidsIsNotOffered() throws Exception {
        String admin = token("other-admin", "ent-admin", "PHYS_DC_RETRIEVE_DETAILS,PHYS_DC_ALLOW_BACKUP_CONFIG");
        signIn("alice", "ent-1", TENANT);

        // With every switch on, by keyboard alone: Tab reaches Restore with a visible focus, Enter opens the
        // confirmation with focus on its button, and its Cancel closes it.
        view("/vms/web-01/backups", "#backups");
        browser.waitText("#backups", "SUCCESS");
        browser.find("#backup-now");
        boolean reached = false;
        for (int i = 0; i < 40 && !reached; i++) {
            new Actions(browser.driver).sendKeys(Keys.TAB).perform();
            reached = "Restore".equals(browser.js("return document.activeElement.textContent.trim()"));
        }
        assertTrue(reached, "Restore is reachable with Tab");
        browser.assertFocusVisible("Restore");
        new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        browser.find("[role=alertdialog]");
        assertEquals("confirm-restore", browser.js("return document.activeElement.id"), "the confirmation takes the focus");
        browser.assertFocusVisible("the confirmation");
        new Actions(browser.driver).sendKeys(Keys.TAB).perform();
        assertEquals("Cancel", browser.js("return document.activeElement.textContent.trim()"));
        new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        browser.wait.until(d -> d.findElements(By.cssSelector("[role=alertdialog]")).isEmpty());
        view("/vms/web-01/backup", "#select-GOLD");
        assertEquals("checkbox", browser.find("#select-GOLD").getAttribute("type"), "several policies may be chosen");

        // The administrator switches everything off: a tenant, who cannot read backup-properties, is offered none of it.
        api("PUT", "/datacenters/dc1/backup-properties", admin, SWITCHES.formatted(false, false, false, false));
        try {
            view("/vms/web-01/backups", "#backups");
            browser.waitText("#backups", "SUCCESS");
            assertTrue(browser.all("#backup-now").isEmpty(), "no Backup now when the datacenter forbids it");
            assertTrue(browser.driver.findElements(By.xpath("//button[normalize-space()='Restore']")).isEmpty(),
                    "a backup restored once is not offered again without multipleRestore");
            browser.assertAccessible("backups, switches off");
            browser.screenshot("19-backups-switches-off");
            view("/vms/web-01/backup", "#select-GOLD");
            assertEquals("radio", browser.find("#select-GOLD").getAttribute("type"), "one policy only");
            assertFalse(browser.find("#backup-save").isEnabled(), "a deployed VM's policies stay as they are");
            assertTrue(browser.find("#frozen-note").getText().contains("does not allow"));
            browser.screenshot("20-vm-backup-switches-off");
        } finally {
            api("PUT", "/datacenters/dc1/backup-properties", admin, SWITCHES.formatted(true, true, true, true));
        }
        assertEquals(List.of(), browser.drainConsole(), "no refusal was provoked: nothing forbidden was offered");
    }
}
