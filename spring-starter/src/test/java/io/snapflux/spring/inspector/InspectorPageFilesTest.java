package io.snapflux.spring.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Store;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The inspector's page as the starter's jar serves it: every file the page loads, followed
 * through its ES-module imports (the JS client included, which the build copies from clients/js),
 * is served with its content type; and the page's own code keeps to its safety rules (no inline
 * script, no HTML built from strings).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class InspectorPageFilesTest {

  private static final Pattern PAGE_REFERENCE = Pattern.compile("(?:src|href)=\"(static/[^\"]+)\"");
  private static final Pattern IMPORT = Pattern.compile(
      "(?m)^\\s*(?:import|export)\\s[^;]*?from\\s+'([^']+)'");

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Store<Integer> counter(StoreFactory stores) {
      return stores.create("counter", 0);
    }
  }

  private ConfigurableApplicationContext context;
  private WebTestClient client;

  @BeforeAll
  void start() {
    context = new SpringApplicationBuilder(App.class)
        .properties("server.port=0", "spring.main.banner-mode=off",
            "snapflux.inspector.enabled=true")
        .run();
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  void stop() {
    context.close();
  }

  private String get(String path, MediaType type) {
    return client.get().uri(path).exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(type)
        .expectBody(String.class).returnResult().getResponseBody();
  }

  @Test
  void everyFileThePageLoads_isServed_includingTheJsClientsModules() {
    String base = "/snapflux/inspector/";
    String page = get(base, MediaType.TEXT_HTML);
    Set<String> loaded = new LinkedHashSet<>();
    Deque<String> modules = new ArrayDeque<>();
    Matcher reference = PAGE_REFERENCE.matcher(page);
    while (reference.find()) {
      String path = URI.create(base).resolve(reference.group(1)).getPath();
      loaded.add(path);
      if (path.endsWith(".css")) {
        get(path, MediaType.valueOf("text/css"));
      } else {
        modules.add(path);
      }
    }
    while (!modules.isEmpty()) {
      String module = modules.removeFirst();
      String code = get(module, MediaType.valueOf("text/javascript"));
      Matcher imports = IMPORT.matcher(code);
      while (imports.find()) {
        String path = URI.create(module).resolve(imports.group(1)).getPath();
        if (loaded.add(path)) {
          modules.add(path);
        }
      }
    }
    assertThat(loaded).contains(
        "/snapflux/inspector/static/inspector.js",
        "/snapflux/inspector/static/inspector.css",
        "/snapflux/inspector/static/client/index.js",
        "/snapflux/inspector/static/client/patch.js",
        "/snapflux/inspector/static/client/sse.js");
  }

  @Test
  void thePageHasNoInlineScript_andItsCodeNeverBuildsHtmlFromStrings() {
    String page = get("/snapflux/inspector/", MediaType.TEXT_HTML);
    assertThat(page).doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>");
    assertThat(page).doesNotContainPattern("\\son[a-z]+=");
    String code = get("/snapflux/inspector/static/inspector.js", MediaType.valueOf("text/javascript"));
    assertThat(code).doesNotContain("innerHTML").doesNotContain("outerHTML")
        .doesNotContain("insertAdjacentHTML").doesNotContain("document.write")
        .doesNotContain("eval(").doesNotContain("new Function");
  }
}
