package io.snapflux.file.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Store;
import io.vavr.collection.List;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The inspector on the file backend (SYNC): restore and revert commit through {@code
 * store.async()}, so they work from an event loop (the synchronous write refuses non-blocking
 * threads), and what they commit is durable: it is there after a restart.
 */
final class FileBackendInspectorTest {

  private static final String API = "/snapflux/inspector/api/stores";

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Store<List<String>> items(StoreFactory stores) {
      // The declared type List<String> comes from this method: the revert decodes with it.
      return stores.create("items", List.of("a"));
    }
  }

  private static ConfigurableApplicationContext start(Path dir) {
    return new SpringApplicationBuilder(App.class)
        .properties("server.port=0", "spring.main.banner-mode=off",
            "snapflux.backend=file", "snapflux.file.directory=" + dir,
            "snapflux.stores.items.history-size=10", "snapflux.inspector.enabled=true")
        .run();
  }

  private static WebTestClient client(ConfigurableApplicationContext context) {
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    return WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(Duration.ofSeconds(20)).build();
  }

  @Test
  void revertAndRestore_fromTheEventLoop_commitDurably(@TempDir Path dir) {
    List<String> expected;
    try (ConfigurableApplicationContext context = start(dir)) {
      WebTestClient client = client(context);
      Store<List<String>> store = context.getBean(StoreFactory.class).get("items");
      store.update(l -> l.append("b"));          // v1
      store.update(l -> l.prepend("first"));     // v2: inserts at /0, shifting the array
      store.update(l -> l.update(1, "A"));       // v3
      String epoch = store.snapshot().epoch();

      client.get().uri(API + "/items").exchange()
          .expectStatus().isOk()
          .expectBody().jsonPath("$.backend").isEqualTo("file")
          .jsonPath("$.history").isEqualTo(true);

      // v3 is the newest: nothing later touched its path, so revert it.
      client.post().uri(API + "/items/revert")
          .header(HttpHeaders.IF_MATCH, new VersionToken(epoch, 3).eTag())
          .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":3}").exchange()
          .expectStatus().isOk()
          .expectBody().jsonPath("$.version").isEqualTo(4);
      assertThat(store.snapshot().state()).containsExactly("first", "a", "b");
      // v1 appended to the array v2 then inserted into: a conflict, nothing committed.
      client.post().uri(API + "/items/revert")
          .header(HttpHeaders.IF_MATCH, new VersionToken(epoch, 4).eTag())
          .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
          .expectStatus().isEqualTo(409);
      client.post().uri(API + "/items/restore")
          .header(HttpHeaders.IF_MATCH, new VersionToken(epoch, 4).eTag())
          .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
          .expectStatus().isOk()
          .expectHeader().valueEquals(HttpHeaders.ETAG, new VersionToken(epoch, 5).eTag());
      @SuppressWarnings("unchecked")
      Map<String, Object> cause = (Map<String, Object>) store.snapshot().cause();
      assertThat(cause).containsEntry("inspector", "restore").containsEntry("version", 1L)
          .containsEntry("by", null);
      expected = store.snapshot().state();
      assertThat(expected).containsExactly("a", "b");
    }
    try (ConfigurableApplicationContext context = start(dir)) {
      Store<List<String>> store = context.getBean(StoreFactory.class).get("items");
      assertThat(store.snapshot().version()).isEqualTo(5);
      assertThat(store.snapshot().state()).isEqualTo(expected);
    }
  }
}
