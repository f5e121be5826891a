package dev.lifeboat.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver (no download of a browser or driver), with the flags that
 * work on this machine's closed network, a fresh profile, the browser console collected, and screenshots under target/.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    final ChromeDriver driver;
    final WebDriverWait wait;
    private final Path profile;
    private final List<String> consoleErrors = new ArrayList<>();

    Browser() throws IOException {
        profile = Files.createTempDirectory("lifeboat-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1280,800", "--lang=en-GB");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("chromedriver", "/usr/bin/chromedriver")).toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 800));
        wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100));
        Files.createDirectories(SCREENSHOTS);
    }

    void go(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    void click(String css) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    }

    void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    void clickText(String text) {
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//*[self::button or self::a][normalize-space()='" + text + "']"))).click();
    }

    void waitText(String css, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Every control has a label (its own, aria-label or aria-labelledby), and focus sits on the page's heading. */
    void assertAccessible(String page) {
        @SuppressWarnings("unchecked")
        List<String> unlabelled = (List<String>) js("""
                return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
                  .filter(e => e.offsetParent !== null)
                  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
                               && !(e.tagName === 'BUTTON' && e.textContent.trim()))
                  .map(e => e.outerHTML.slice(0, 120));""");
        assertEquals(List.of(), unlabelled, page + ": controls without a label");
    }

    /** At a phone's width nothing but a table's own scroll box may be wider than the screen. */
    void assertFitsWidth(String page) {
        long overflow = ((Number) js("return document.documentElement.scrollWidth - window.innerWidth")).longValue();
        Object wide = js("""
                return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                  && !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));""");
        assertTrue(overflow <= 0, page + " is " + overflow + " px wider than the screen: " + wide);
    }

    /**
     * The browser console since the last call: JavaScript errors fail the test; the browser's own line about an HTTP
     * error answer is kept apart (the API's refusals are part of what the tests provoke).
     */
    List<String> drainConsole() {
        List<String> network = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() < Level.WARNING.intValue()) continue;
            if (e.getMessage().contains("Failed to load resource: the server responded with a status of")) {
                network.add(e.getMessage());
            } else {
                consoleErrors.add(e.getLevel() + " " + e.getMessage());
            }
        }
        assertEquals(List.of(), consoleErrors, "errors in the browser console");
        return network;
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
