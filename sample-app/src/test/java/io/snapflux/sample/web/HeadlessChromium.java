package io.snapflux.sample.web;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven by Selenium through Debian's chromedriver; nothing is
 * downloaded (Selenium Manager is never asked: both paths are given). Shared by the browser tests
 * of the sample page ({@link PageBrowserTest}) and of the inspector ({@link InspectorBrowserTest}).
 */
final class HeadlessChromium {

  static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  /** How long the tests wait for the page to show something. */
  static final Duration PATIENCE = Duration.ofSeconds(20);

  private HeadlessChromium() {}

  /**
   * Skips the calling test class unless Debian's chromium and chromium-driver are installed; on
   * CI (environment variable {@code CI} set) fails instead, since CI must install them.
   */
  static void assumeInstalled() {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && System.getenv("CI") != null) {
      fail("CI must install Debian's chromium and chromium-driver (.ci/run does)");
    }
    assumeTrue(installed, "needs Debian's chromium and chromium-driver packages");
    // Selenium Manager must never fetch a driver or a browser: both paths are given.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
  }

  /**
   * Opens a headless browser, 1400 x 1000, with its profile in {@code userDataDir} (created if
   * missing) and the Chromium preferences {@code prefs} (none if empty); pages get 60 s to load.
   */
  static WebDriver open(Path userDataDir, Map<String, ?> prefs) throws IOException {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withTimeout(Duration.ofSeconds(60))
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1400,1000",
        "--user-data-dir=" + Files.createDirectories(userDataDir));
    if (!prefs.isEmpty()) {
      options.setExperimentalOption("prefs", prefs);
    }
    WebDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return driver;
  }

  /**
   * Waits until {@code condition} holds, re-reading the page every 50 ms (pages re-render as
   * versions arrive: a stale or missing element only means "not yet").
   */
  static void waitUntil(WebDriver driver, Duration timeout,
      Function<WebDriver, Boolean> condition) {
    new WebDriverWait(driver, timeout, Duration.ofMillis(50))
        .ignoring(StaleElementReferenceException.class)
        .ignoring(NoSuchElementException.class)
        .until(condition::apply);
  }

  /**
   * Keeps what the page looked like, for people reviewing the build: scrolls to the top and
   * saves {@code target/NAME.png}.
   *
   * @return the saved file
   */
  static Path screenshot(WebDriver driver, String name) throws IOException {
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
    File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path target = Paths.get("target", name + ".png");
    Files.createDirectories(target.getParent());
    return Files.copy(png.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
