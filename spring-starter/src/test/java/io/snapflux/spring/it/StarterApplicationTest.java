package io.snapflux.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.PreconditionFailedException;
import io.snapflux.spring.web.SseOptions;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.vavr.collection.List;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The starter in a running WebFlux application: Boot's JSON codecs write snapshots with the
 * Vavr module, SSE resumes over HTTP, the Actuator endpoint and health answer over HTTP, and
 * closing the application completes open SSE streams.
 */
final class StarterApplicationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
      new ParameterizedTypeReference<>() {};

  record Todo(String title, boolean done) {}

  record Todos(List<Todo> items) {
    Todos add(String title) {
      return new Todos(items.append(new Todo(title, false)));
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    Store<Todos> todos(StoreFactory stores) {
      return stores.create("todos", new Todos(List.empty()));
    }

    @Bean
    TodoController todoController(Store<Todos> todos) {
      return new TodoController(todos);
    }
  }

  @RestController
  static final class TodoController {
    private final Store<Todos> store;

    TodoController(Store<Todos> store) {
      this.store = store;
    }

    @GetMapping("/todos")
    Mono<ResponseEntity<Snapshot<Todos>>> todos(@RequestHeader HttpHeaders headers) {
      return ConditionalRequests.read(headers, store, store.snapshot(), s -> s);
    }

    @PostMapping("/todos")
    Mono<ResponseEntity<Todos>> add(@RequestHeader HttpHeaders headers, @RequestParam String title) {
      return ConditionalRequests.write(headers, store, "add " + title, t -> t.add(title), t -> t);
    }

    @GetMapping(path = "/todos/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> stream(
        @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
      return StoreSse.stream(store, lastEventId,
          SseOptions.defaults().withHeartbeat(Duration.ofMillis(200)));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> onPreconditionFailed(PreconditionFailedException e) {
      return e.toResponseEntity();
    }
  }

  private ConfigurableApplicationContext context;
  private WebTestClient client;
  private Store<Todos> store;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void start() {
    context = new SpringApplicationBuilder(App.class)
        .properties(
            "server.port=0",
            "spring.main.banner-mode=off",
            "server.shutdown=graceful",
            "management.endpoints.web.exposure.include=snapflux,health,metrics",
            "management.endpoint.snapflux.show-values=always",
            "management.endpoint.health.show-details=always",
            "snapflux.stores.todos.history-size=5")
        .run();
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(TIMEOUT).build();
    store = context.getBean(Store.class);
  }

  /** The SSE id of {@code version}: its version token. */
  private String id(long version) {
    return new VersionToken(VersionToken.of(store.snapshot(), store).epoch(), version).toString();
  }

  /** The entity-tag of {@code version}. */
  private String t(long version) {
    return "\"" + id(version) + "\"";
  }

  @AfterEach
  void stop() {
    context.close();
  }

  @Test
  void snapshotJson_andConditionalRequests_overHttp() {
    store.update(t -> t.add("write docs"));
    client.get().uri("/todos").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, t(1))
        .expectBody()
        .jsonPath("$.version").isEqualTo(1)
        .jsonPath("$.state.items[0].title").isEqualTo("write docs");
    client.get().uri("/todos").header(HttpHeaders.IF_NONE_MATCH, t(1)).exchange()
        .expectStatus().isNotModified();
    client.post().uri("/todos?title=ship").header(HttpHeaders.IF_MATCH, t(0)).exchange()
        .expectStatus().isEqualTo(412)
        .expectBody().jsonPath("$.currentVersion").isEqualTo(1);
    client.post().uri("/todos?title=ship").header(HttpHeaders.IF_MATCH, t(1)).exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, t(2));
  }

  @Test
  void sse_resumesFromLastEventId_andSendsHeartbeats() {
    Flux<ServerSentEvent<String>> fresh = client.get().uri("/todos/stream")
        .accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .expectStatus().isOk()
        .returnResult(SSE).getResponseBody();
    StepVerifier.create(fresh)
        .assertNext(e -> {
          assertThat(e.event()).isEqualTo(StoreSse.SNAPSHOT);
          assertThat(e.id()).isEqualTo(id(0));
          assertThat(e.data()).contains("\"version\":0").contains("\"state\":{\"items\":[]}");
        })
        .then(() -> store.update(t -> t.add("a")))
        .assertNext(e -> {
          assertThat(e.event()).isEqualTo(StoreSse.CHANGE);
          assertThat(e.id()).isEqualTo(id(1));
        })
        .thenCancel()
        .verify(TIMEOUT);

    store.update(t -> t.add("b"));
    store.update(t -> t.add("c"));
    Flux<ServerSentEvent<String>> resumed = client.get().uri("/todos/stream")
        .header("Last-Event-ID", id(1))
        .accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .returnResult(SSE).getResponseBody();
    StepVerifier.create(resumed)
        .assertNext(e -> assertThat(e.id() + " " + e.event()).isEqualTo(id(2) + " change"))
        .assertNext(e -> {
          assertThat(e.id() + " " + e.event()).isEqualTo(id(3) + " change");
          assertThat(e.data()).contains("\"title\":\"c\"");
        })
        .assertNext(e -> assertThat(e.comment()).isEqualTo(StoreSse.HEARTBEAT))
        .thenCancel()
        .verify(TIMEOUT);

    Flux<ServerSentEvent<String>> tooOld = client.get().uri("/todos/stream")
        .header("Last-Event-ID", "-1")
        .accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .returnResult(SSE).getResponseBody();
    StepVerifier.create(tooOld)
        .assertNext(e -> assertThat(e.id() + " " + e.event()).isEqualTo(id(3) + " resync"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void actuatorEndpointHealthAndMetrics_overHttp() {
    store.update(t -> t.add("a"));
    client.get().uri("/actuator/snapflux").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.backend").isEqualTo("memory")
        .jsonPath("$.stores[0].name").isEqualTo("todos")
        .jsonPath("$.stores[0].version").isEqualTo(1)
        .jsonPath("$.stores[0].historySize").isEqualTo(5)
        .jsonPath("$.stores[0].subscribers").isEqualTo(0)
        .jsonPath("$.stores[0].state").doesNotExist();
    client.get().uri("/actuator/snapflux/todos").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.state.items[0].title").isEqualTo("a")
        .jsonPath("$.stats.version").isEqualTo(1);
    client.get().uri("/actuator/snapflux/nope").exchange().expectStatus().isNotFound();
    client.get().uri("/actuator/health").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.components.snapflux.status").isEqualTo("UP")
        .jsonPath("$.components.snapflux.components.todos.details.version").isEqualTo(1);
    client.get().uri("/actuator/metrics/snapflux.store.commits?tag=store:todos").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.measurements[0].value").isEqualTo(1.0);
  }

  @Test
  void closingTheApplication_completesOpenSseStreams() {
    Flux<ServerSentEvent<String>> stream = client.get().uri("/todos/stream")
        .accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .returnResult(SSE).getResponseBody();
    StepVerifier.create(stream)
        .assertNext(e -> assertThat(e.event()).isEqualTo(StoreSse.SNAPSHOT))
        .then(() -> new Thread(context::close).start())
        .thenConsumeWhile(e -> true)
        .expectComplete()
        .verify(TIMEOUT);
    // The stream ends when shutdown begins; the store closes later, once the context is destroyed.
    Awaitility.await().atMost(TIMEOUT).until(store::isClosed);
  }
}
