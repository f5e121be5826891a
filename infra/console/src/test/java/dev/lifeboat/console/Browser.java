package dev.lifeboat.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** Every control has a label (its own, aria-label or aria-labelledby), and every text has enough contrast. */
    void assertAccessible(String page) {
        @SuppressWarnings("unchecked")
        List<String> unlabelled = (List<String>) js("""
                return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
                  .filter(e => e.offsetParent !== null)
                  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
                               && !(e.tagName === 'BUTTON' && e.textContent.trim()))
                  .map(e => e.outerHTML.slice(0, 120));""");
        assertEquals(List.of(), unlabelled, page + ": controls without a label");
        assertContrast(page);
    }

    /**
     * WCAG AA contrast of every visible text against the background it is drawn on (4.5:1, 3:1 for large text);
     * disabled controls are exempt, as WCAG exempts inactive components.
     */
    void assertContrast(String page) {
        @SuppressWarnings("unchecked")
        List<String> low = (List<String>) js("""
                const rgba = (s) => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
                const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
                const background = (e) => { for (; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
                const low = [];
                for (const e of document.querySelectorAll('body *')) {
                  if (e.offsetParent === null || e.closest('.sr-only, fieldset[disabled], :disabled')) continue;
                  if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
                  const st = getComputedStyle(e);
                  if (st.visibility === 'hidden') continue;
                  const a = lum(rgba(st.color)), b = lum(background(e));
                  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                  const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
                  const large = size >= 24 || (size >= 18.66 && bold);
                  if (ratio < (large ? 3 : 4.5)) low.push(e.tagName + '.' + e.className + ' "' + e.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
                }
                return low.slice(0, 10);""");
        assertEquals(List.of(), low, page + ": text below WCAG AA contrast");
    }

    /** The focused element shows where it is: an outline of at least 2 px that is not the page's background. */
    void assertFocusVisible(String what) {
        @SuppressWarnings("unchecked")
        Map<String, Object> focus = (Map<String, Object>) js("""
                const e = document.activeElement, st = getComputedStyle(e);
                return { tag: e.tagName + ' ' + (e.id || e.textContent.trim().slice(0, 30)), style: st.outlineStyle, width: parseFloat(st.outlineWidth) };""");
        assertTrue(!"none".equals(focus.get("style")) && ((Number) focus.get("width")).doubleValue() >= 2,
                what + ": the focused element has no visible focus: " + focus);
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
