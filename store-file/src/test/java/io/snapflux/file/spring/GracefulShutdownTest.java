package io.snapflux.file.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.file.FileStore;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.vavr.collection.List;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Shutdown order with the file backend: open event streams end as soon as shutdown begins, while
 * a write in flight is still let through graceful shutdown, committed and made durable before the
 * stores close.
 */
final class GracefulShutdownTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  record Log(List<String> lines) {}

  /** Entered by the slow write's handler; released by the test once shutdown has begun. */
  static final CountDownLatch entered = new CountDownLatch(1);
  static final CountDownLatch release = new CountDownLatch(1);

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    Store<Log> log(StoreFactory stores) {
      return stores.create("log", new Log(List.empty()));
    }

    @Bean
    LogController logController(Store<Log> log) {
      return new LogController(log);
    }
  }

  @RestController
  static final class LogController {
    private final Store<Log> store;

    LogController(Store<Log> store) {
      this.store = store;
    }

    @PostMapping("/slow")
    Mono<Long> slowWrite() {
      return Mono.fromCallable(() -> {
        entered.countDown();
        if (!release.await(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
        return store.update("slow", l -> new Log(l.lines().append("written during shutdown")))
            .version();
      }).subscribeOn(Schedulers.boundedElastic());
    }

    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> stream() {
      return StoreSse.stream(store, null);
    }
  }

  @Test
  void writeInFlightDuringShutdown_completesAndIsDurable(@TempDir Path dir) throws Exception {
    ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
        .properties("server.port=0", "spring.main.banner-mode=off", "server.shutdown=graceful",
            "spring.lifecycle.timeout-per-shutdown-phase=20s",
            "snapflux.backend=file", "snapflux.file.directory=" + dir)
        .run();
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    WebTestClient client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(TIMEOUT).build();
    Flux<ServerSentEvent<String>> stream = client.get().uri("/stream")
        .accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
        .getResponseBody();
    CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> client.post().uri("/slow")
        .exchange().expectStatus().isOk().returnResult(Long.class).getResponseBody().blockFirst());
    assertThat(entered.await(20, TimeUnit.SECONDS)).as("the write is in flight").isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
    // Shutdown has begun once the event stream ends; the write is still waiting then.
    StepVerifier.create(stream)
        .assertNext(e -> assertThat(e.event()).isEqualTo(StoreSse.SNAPSHOT))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(write).isNotDone();
    release.countDown();

    assertThat(write.get(20, TimeUnit.SECONDS)).isEqualTo(1L);
    closing.get(20, TimeUnit.SECONDS);
    Awaitility.await().atMost(TIMEOUT).until(() -> !context.isActive());
    try (FileStore<Log> reopened = FileStore.builder(new Log(List.empty()), Log.class)
        .directory(dir.resolve("log")).build()) {
      Snapshot<Log> recovered = reopened.snapshot();
      assertThat(recovered.version()).isEqualTo(1);
      assertThat(recovered.state().lines()).containsExactly("written during shutdown");
    }
  }
}
