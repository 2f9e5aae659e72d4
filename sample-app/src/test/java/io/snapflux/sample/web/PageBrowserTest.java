package io.snapflux.sample.web;

import static io.snapflux.sample.web.HeadlessChromium.PATIENCE;
import static io.snapflux.sample.web.HeadlessChromium.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The page in two real browsers (Debian's headless Chromium, driven by Selenium through Debian's
 * chromedriver; nothing is downloaded): a change made in one appears in the other within two
 * seconds, and an edit started before someone else's change is refused with the conflict notice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class PageBrowserTest {

  @Autowired Store<AppState> store;
  @LocalServerPort int port;
  @TempDir static Path profiles;

  private final List<WebDriver> drivers = new ArrayList<>();
  private WebDriver alice;
  private WebDriver bob;

  @BeforeAll
  void openTwoBrowsers() throws IOException {
    HeadlessChromium.assumeInstalled();
    alice = browser("alice");
    bob = browser("bob");
  }

  private WebDriver browser(String profile) throws IOException {
    WebDriver driver = HeadlessChromium.open(profiles.resolve(profile), Map.of());
    drivers.add(driver);
    driver.get("http://localhost:" + port + "/");
    waitUntil(driver, PATIENCE, d -> "live".equals(
        d.findElement(By.id("connection")).getDomAttribute("data-state")));
    return driver;
  }

  @AfterAll
  void closeBrowsers() {
    drivers.forEach(WebDriver::quit);
  }

  @Test
  void toggleInOneBrowser_appearsInTheOtherWithinTwoSeconds() {
    Api.put(store, "browser.live", Flag.of(false, 40, "watched by two browsers"));
    awaitRow(alice, "browser.live");
    awaitRow(bob, "browser.live");
    signIn(alice);
    assertThat(toggle(bob, "browser.live").isSelected()).isFalse();

    row(alice, "browser.live").findElement(By.cssSelector("label.switch")).click();

    waitUntil(bob, Duration.ofSeconds(2), d -> toggle(d, "browser.live").isSelected()
        && row(d, "browser.live").getText().contains("ON"));
    assertThat(store.snapshot().state().flag("browser.live").get().enabled()).isTrue();
    assertThat(text(bob, "version")).isEqualTo(Long.toString(store.snapshot().version()));
  }

  @Test
  void staleEdit_isRefusedWithTheConflictMessage_andThePageRefreshes() throws IOException {
    Api.put(store, "browser.conflict", Flag.of(true, 10, "original"));
    awaitRow(alice, "browser.conflict");
    awaitRow(bob, "browser.conflict");
    signIn(alice);
    signIn(bob);

    // Bob starts editing; meanwhile Alice changes the flags.
    row(bob, "browser.conflict").findElement(By.cssSelector("button.edit")).click();
    waitUntil(bob, PATIENCE, d -> d.findElement(By.id("editor")).isDisplayed());
    long before = store.snapshot().version();
    row(alice, "browser.conflict").findElement(By.cssSelector("label.switch")).click();
    waitUntil(bob, PATIENCE, d -> text(d, "version").equals(Long.toString(before + 1)));

    WebElement description = bob.findElement(By.id("edit-description"));
    description.clear();
    description.sendKeys("bob's stale edit");
    bob.findElement(By.id("edit-save")).click();

    waitUntil(bob, PATIENCE, d -> d.findElement(By.id("notice")).isDisplayed());
    WebElement notice = bob.findElement(By.id("notice"));
    assertThat(notice.getDomAttribute("data-kind")).isEqualTo("conflict");
    assertThat(notice.getText()).contains("someone else changed the flags first")
        .contains("not saved");
    assertThat(store.snapshot().state().flag("browser.conflict").get())
        .isEqualTo(Flag.of(false, 10, "original"));
    assertThat(store.snapshot().version()).isEqualTo(before + 1);
    waitUntil(bob, PATIENCE, d -> !toggle(d, "browser.conflict").isSelected());
    HeadlessChromium.screenshot(bob, "page");
  }

  // ---- page helpers -----------------------------------------------------------------------------

  private static void signIn(WebDriver driver) {
    if (driver.findElement(By.id("whoami")).isDisplayed()) {
      return;
    }
    driver.findElement(By.id("signin")).click();
    waitUntil(driver, PATIENCE, d -> d.findElement(By.id("login-user")).isDisplayed());
    driver.findElement(By.id("login-user")).sendKeys(Api.USER);
    driver.findElement(By.id("login-password")).sendKeys(Api.PASSWORD);
    driver.findElement(By.id("login-submit")).click();
    waitUntil(driver, PATIENCE, d -> d.findElement(By.id("whoami")).isDisplayed());
  }

  private static WebElement row(WebDriver driver, String flag) {
    return driver.findElement(By.cssSelector("li.flag[data-flag='" + flag + "']"));
  }

  private static WebElement toggle(WebDriver driver, String flag) {
    return row(driver, flag).findElement(By.cssSelector("input.switch-input"));
  }

  private static void awaitRow(WebDriver driver, String flag) {
    waitUntil(driver, PATIENCE,
        d -> !d.findElements(By.cssSelector("li.flag[data-flag='" + flag + "']")).isEmpty());
  }

  private static String text(WebDriver driver, String id) {
    return driver.findElement(By.id(id)).getText();
  }
}
