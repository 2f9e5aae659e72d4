package io.snapflux.sample.web;

import static io.snapflux.sample.web.HeadlessChromium.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Snapflux Inspector of the sample app in a real browser (Debian's headless Chromium driven by
 * Selenium through Debian's chromedriver, nothing downloaded), signed in as the sample's admin: a
 * flag changed over REST appears in the live timeline, a version opens as a state tree, reverting
 * an old version gives the expected state and reverting one whose paths changed later shows the
 * conflict naming the path, a hostile flag description stays text, and the page fits 400 px.
 *
 * <p>Screenshots go to {@code target/inspector-*.png}; with {@code -Dsnapflux.docs.screenshots=true}
 * also to the repository's {@code docs/img/} (what docs/inspector.md shows).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"snapflux.inspector.enabled=true", "snapflux.stores.visits.history-size=0"})
@Import(InspectorBrowserTest.StoreWithoutHistory.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class InspectorBrowserTest {

  /** A second store, one that keeps no history: the inspector shows it live only. */
  @TestConfiguration(proxyBeanMethods = false)
  static class StoreWithoutHistory {
    @Bean
    Store<Integer> visits(StoreFactory stores) {
      return stores.create("visits", 0);
    }
  }

  static final String HOSTILE = "<img src=x onerror=window.__pwned=1>";

  @Autowired Store<AppState> store;
  @Autowired Store<Integer> visits;
  @LocalServerPort int port;
  @TempDir static Path profile;
  @TempDir static Path downloads;

  private WebDriver browser;

  @BeforeAll
  void openTheInspectorAndSignIn() throws IOException {
    HeadlessChromium.assumeInstalled();
    browser = HeadlessChromium.open(profile.resolve("inspector"), Map.of(
        "download.default_directory", downloads.toString(),
        "download.prompt_for_download", false));

    // The page itself is public; its API is the admin's, so the page asks to sign in.
    browser.get("http://localhost:" + port + "/snapflux/inspector/");
    waitUntil(PATIENCE, d -> d.findElement(By.id("login")).isDisplayed());
    browser.findElement(By.id("login-user")).sendKeys(Api.USER);
    browser.findElement(By.id("login-password")).sendKeys(Api.PASSWORD);
    browser.findElement(By.id("login-submit")).click();
    waitUntil(PATIENCE, d -> d.findElement(By.id("whoami")).getText().contains(Api.USER));
    waitUntil(PATIENCE, d -> "live".equals(
        d.findElement(By.id("connection")).getDomAttribute("data-state")));
    assertThat(browser.findElement(By.cssSelector("li.store[data-store='flags']")).getText())
        .contains("memory").contains("kept");
  }

  @AfterAll
  void closeTheBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @BeforeEach
  void flagsStoreInAWideWindow() {
    browser.manage().window().setSize(new Dimension(1400, 1000));
    selectStore("flags");
    js("document.querySelector('#notice').hidden = true;"
        + "const f = document.querySelector('#filter'); f.value = ''; f.dispatchEvent(new Event('input'));");
  }

  @Test
  void flagChangedOverRest_appearsInTheTimeline_andItsVersionOpensAsAStateTree() throws Exception {
    long before = store.snapshot().version();
    HttpResponse<String> put = restPut("inspector.live",
        "{\"enabled\":true,\"rollout\":30,\"allow\":[],\"description\":\"changed over REST\"}");
    assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
    long v = store.snapshot().version();
    assertThat(v).isGreaterThan(before);

    WebElement entry = awaitEntry(v);
    assertThat(entry.getText()).contains("/flags/inspector.live").contains("by " + Api.USER);

    click(v);
    awaitTree(v);
    assertThat(treeValue("/flags/inspector.live/rollout")).isEqualTo("30");
    assertThat(treeValue("/flags/inspector.live/description")).isEqualTo("\"changed over REST\"");
    assertThat(browser.findElement(By.id("detail-changes")).getText())
        .contains("/flags/inspector.live");

    // Keyboard: the timeline's entries are buttons; the arrow keys move between them.
    entry(v).sendKeys(Keys.ARROW_DOWN);
    assertThat(js("return document.activeElement.dataset.version")).isEqualTo(Long.toString(v - 1));

    screenshot("timeline");

    // The filter keeps only versions whose cause or paths match.
    WebElement filter = browser.findElement(By.id("filter"));
    filter.sendKeys("inspector.live");
    waitUntil(PATIENCE, d -> d.findElements(By.cssSelector("#entries button.entry")).stream()
        .allMatch(b -> b.getText().contains("inspector.live")));
  }

  @Test
  void revertOfAnOldVersion_undoesJustThatChange() throws Exception {
    put("revert.me", true, 10, "first");
    long changed = put("revert.me", true, 60, "first");
    long later = put("revert.other", false, 5, "committed after");

    awaitEntry(later);
    click(changed);
    awaitTree(changed);
    browser.findElement(By.id("revert")).click();
    waitUntil(PATIENCE, d -> d.findElement(By.id("confirm")).isDisplayed());
    assertThat(browser.findElement(By.id("confirm-token")).getText())
        .isEqualTo(Api.token(store, later).toString());
    browser.findElement(By.id("confirm-ok")).click();

    waitUntil(PATIENCE, d -> "ok".equals(notice().getDomAttribute("data-kind"))
        && notice().isDisplayed());
    assertThat(notice().getText()).contains("Revert of version " + changed + " committed");
    AppState state = store.snapshot().state();
    assertThat(state.flag("revert.me").get()).isEqualTo(Flag.of(true, 10, "first"));
    assertThat(state.flag("revert.other").get()).isEqualTo(Flag.of(false, 5, "committed after"));
    long reverted = store.snapshot().version();
    assertThat(reverted).isEqualTo(later + 1);
    assertThat(String.valueOf(store.snapshot().cause())).contains("revert").contains(Api.USER);
    // The page follows the commit it made and opens it.
    awaitTree(reverted);
    assertThat(treeValue("/flags/revert.me/rollout")).isEqualTo("10");
  }

  @Test
  void revertOfAVersionWhosePathChangedLater_showsTheConflictAndChangesNothing() throws Exception {
    put("conflict.me", true, 10, "base");
    long changed = put("conflict.me", true, 20, "base");
    long later = put("conflict.me", true, 30, "base");

    awaitEntry(later);
    click(changed);
    awaitTree(changed);
    browser.findElement(By.id("revert")).click();
    waitUntil(PATIENCE, d -> d.findElement(By.id("confirm")).isDisplayed());
    browser.findElement(By.id("confirm-ok")).click();

    waitUntil(PATIENCE, d -> "conflict".equals(notice().getDomAttribute("data-kind"))
        && notice().isDisplayed());
    assertThat(notice().getText()).contains("nothing was committed");
    List<String> paths = browser.findElements(By.cssSelector("#notice-paths li")).stream()
        .map(WebElement::getText).toList();
    assertThat(paths).anySatisfy(p -> assertThat(p).contains("/flags/conflict.me/rollout"));
    assertThat(store.snapshot().version()).isEqualTo(later);
    assertThat(store.snapshot().state().flag("conflict.me").get().rollout()).isEqualTo(30);
    screenshot("conflict");
  }

  @Test
  void restoreConfirmedAfterSomeoneElseCommitted_isRefusedWith412_andSucceedsOnceRetried()
      throws Exception {
    long old = put("restore.me", true, 15, "the good old days");
    put("restore.me", false, 90, "a bad idea");
    long latest = put("restore.bystander", true, 1, "unrelated");
    awaitEntry(latest);
    click(old);
    awaitTree(old);

    // The dialog is opened at the newest version; then someone else commits before it is confirmed.
    browser.findElement(By.id("restore")).click();
    waitUntil(PATIENCE, d -> d.findElement(By.id("confirm")).isDisplayed());
    assertThat(browser.findElement(By.id("confirm-token")).getText())
        .isEqualTo(Api.token(store, latest).toString());
    long meanwhile = put("restore.bystander", true, 2, "meanwhile");
    browser.findElement(By.id("confirm-ok")).click();

    waitUntil(PATIENCE, d -> "stale".equals(notice().getDomAttribute("data-kind"))
        && notice().isDisplayed());
    assertThat(notice().getText()).contains("changed since you looked")
        .contains("Nothing was committed").contains(Api.token(store, meanwhile).toString());
    assertThat(store.snapshot().version()).isEqualTo(meanwhile);

    // Once the page has seen the new version, the same restore goes through.
    awaitEntry(meanwhile);
    browser.findElement(By.id("restore")).click();
    waitUntil(PATIENCE, d -> d.findElement(By.id("confirm")).isDisplayed());
    assertThat(browser.findElement(By.id("confirm-token")).getText())
        .isEqualTo(Api.token(store, meanwhile).toString());
    browser.findElement(By.id("confirm-ok")).click();
    waitUntil(PATIENCE, d -> "ok".equals(notice().getDomAttribute("data-kind"))
        && notice().isDisplayed());
    assertThat(store.snapshot().version()).isEqualTo(meanwhile + 1);
    AppState state = store.snapshot().state();
    assertThat(state.flag("restore.me").get()).isEqualTo(Flag.of(true, 15, "the good old days"));
    assertThat(state.flag("restore.bystander")).isEmpty();
    assertThat(String.valueOf(store.snapshot().cause())).contains("restore").contains(Api.USER);
  }

  @Test
  void exportDownloadsTheHistorySlice() throws Exception {
    long from = put("export.me", true, 1, "one");
    long to = put("export.me", true, 2, "two");
    awaitEntry(to);
    browser.findElement(By.cssSelector("#export > summary")).click();
    WebElement fromField = browser.findElement(By.id("export-from"));
    WebElement toField = browser.findElement(By.id("export-to"));
    fromField.clear();
    fromField.sendKeys(Long.toString(from));
    toField.clear();
    toField.sendKeys(Long.toString(to));
    browser.findElement(By.id("export-submit")).click();

    waitUntil(PATIENCE, d -> "ok".equals(notice().getDomAttribute("data-kind"))
        && notice().isDisplayed());
    String name = "flags-" + from + "-" + to + ".json";
    assertThat(notice().getText()).contains(name);
    Path file = downloads.resolve(name);
    waitUntil(PATIENCE, d -> Files.isRegularFile(file));
    String json = Files.readString(file);
    assertThat(json).contains("\"format\":\"snapflux-history/1\"").contains("\"version\":" + to);
    browser.findElement(By.cssSelector("#export > summary")).click();
  }

  @Test
  void hostileFlagContent_isRenderedAsText() throws Exception {
    long v = Api.put(store, "hostile.text", Flag.of(true, 0, HOSTILE));

    awaitEntry(v);
    click(v);
    awaitTree(v);
    assertThat(treeValue("/flags/hostile.text/description")).isEqualTo("\"" + HOSTILE + "\"");
    assertThat(browser.findElement(By.id("detail-changes")).getText()).contains(HOSTILE);
    assertThat(js("return document.querySelectorAll('img, b').length")).isEqualTo(0L);
    assertThat(js("return typeof window.__pwned")).isEqualTo("undefined");
  }

  @Test
  void atFourHundredPixels_nothingOverflowsSideways() throws Exception {
    long v = Api.put(store, "narrow.screen", Flag.of(true, 50,
        "a long description without any space in it: " + "x".repeat(120)));
    awaitEntry(v);
    click(v);
    awaitTree(v);

    browser.manage().window().setSize(new Dimension(400, 900));
    waitUntil(PATIENCE, d -> ((Number) js("return window.innerWidth")).intValue() <= 400);
    Number scroll = (Number) js("return document.documentElement.scrollWidth");
    Number width = (Number) js("return document.documentElement.clientWidth");
    assertThat(scroll.intValue()).as("page width at 400 px").isLessThanOrEqualTo(width.intValue());
    screenshot("narrow");
  }

  @Test
  void storeWithoutHistory_showsItsCurrentStateAndLiveChanges_withoutHistoryActions() {
    selectStore("visits");
    assertThat(browser.findElement(By.id("no-history")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("export")).isDisplayed()).isFalse();
    long now = visits.snapshot().version();
    awaitTree(now);
    assertThat(treeValue("")).isEqualTo(Integer.toString(visits.snapshot().state()));
    assertThat(browser.findElement(By.id("detail-actions")).isDisplayed()).isFalse();

    long next = visits.update(n -> n + 41).version();
    WebElement entry = awaitEntry(next);
    assertThat(entry.getText()).contains("(whole state)").contains(" = ");
    click(next);
    awaitTree(next);
    assertThat(treeValue("")).isEqualTo(Integer.toString(visits.snapshot().state()));
    assertThat(browser.findElement(By.id("detail-actions")).isDisplayed()).isFalse();
    assertThat(browser.findElement(By.id("compare-form")).isDisplayed()).isFalse();
  }

  private void selectStore(String name) {
    By button = By.cssSelector("li.store[data-store='" + name + "'] button.store-select");
    waitUntil(PATIENCE, d -> {
      if (!"true".equals(d.findElement(button).getDomAttribute("aria-pressed"))) {
        d.findElement(button).click();
      }
      return true;
    });
    waitUntil(PATIENCE, d -> "true".equals(d.findElement(button).getDomAttribute("aria-pressed"))
        && "live".equals(d.findElement(By.id("connection")).getDomAttribute("data-state"))
        && d.findElement(By.id("tree")).getDomAttribute("data-version") != null);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** PUTs a flag over REST as the admin; returns the version the write made (its ETag). */
  private long put(String flag, boolean enabled, int rollout, String description) throws Exception {
    HttpResponse<String> response = restPut(flag, "{\"enabled\":" + enabled + ",\"rollout\":"
        + rollout + ",\"allow\":[],\"description\":\"" + description + "\"}");
    assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
    String etag = response.headers().firstValue("ETag").orElseThrow();
    return Long.parseLong(etag.substring(etag.lastIndexOf('.') + 1, etag.length() - 1));
  }

  private HttpResponse<String> restPut(String flag, String json) throws Exception {
    String basic = Base64.getEncoder().encodeToString(
        (Api.USER + ":" + Api.PASSWORD).getBytes(StandardCharsets.UTF_8));
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/flags/" + flag))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private WebElement entry(long version) {
    return browser.findElement(By.cssSelector("#entries button.entry[data-version='" + version + "']"));
  }

  private WebElement awaitEntry(long version) {
    waitUntil(PATIENCE, d -> entry(version).isDisplayed());
    return entry(version);
  }

  /** Clicks a timeline entry (entries re-render as versions arrive: retried when stale). */
  private void click(long version) {
    waitUntil(PATIENCE, d -> {
      entry(version).click();
      return true;
    });
  }

  private void awaitTree(long version) {
    waitUntil(PATIENCE, d -> Long.toString(version).equals(
        d.findElement(By.id("tree")).getDomAttribute("data-version")));
  }

  private String treeValue(String pointer) {
    return browser.findElement(By.cssSelector(
        "#tree li.node[data-path=\"" + pointer.replace("\"", "\\\"") + "\"] > .row > .value")).getText();
  }

  private WebElement notice() {
    return browser.findElement(By.id("notice"));
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private void waitUntil(Duration timeout, Function<WebDriver, Boolean> condition) {
    HeadlessChromium.waitUntil(browser, timeout, condition);
  }

  /**
   * Keeps what the page looked like: target/inspector-NAME.png, and docs/img/ (the screenshots
   * docs/inspector.md shows) when run with -Dsnapflux.docs.screenshots=true.
   */
  private void screenshot(String name) throws IOException {
    Path png = HeadlessChromium.screenshot(browser, "inspector-" + name);
    Path docs = Paths.get("..", "docs", "img");
    if (Boolean.getBoolean("snapflux.docs.screenshots") && Files.isDirectory(docs)) {
      Files.copy(png, docs.resolve(png.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
