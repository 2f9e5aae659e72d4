package io.snapflux.sample.backend;

import static io.snapflux.sample.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.SampleApplication;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Two instances of the sample app, A and B: two application contexts with profile {@code redis}
 * on random ports, started with the same command-line arguments (which name the shared Redis, so
 * they win over application-redis.yml's localhost:6379), each with a {@link WebTestClient} on its
 * port. The helpers read entity-tags as tokens of the history epoch both instances must share.
 * Used by {@link SeveralInstancesTest} (one Redis server) and {@link ClusterInstancesTest} (a
 * Redis Cluster).
 */
final class TwoInstances implements AutoCloseable {

  /** A server-sent event of the sample's stream, its data as JSON. */
  private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT =
      new ParameterizedTypeReference<>() {};
  /** How long a request or a wait for the other instance may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>(2);
  private @Nullable WebTestClient a;
  private @Nullable WebTestClient b;

  private TwoInstances() {}

  /**
   * Starts A and then B with {@code --server.port=0} and {@code args}; if B does not start, A is
   * closed again.
   */
  static TwoInstances start(String... args) {
    TwoInstances two = new TwoInstances();
    try {
      for (int i = 0; i < 2; i++) {
        two.contexts.add(new SpringApplicationBuilder(SampleApplication.class)
            .profiles("redis")
            .run(withRandomPort(args)));
      }
      two.a = client(two.contextA());
      two.b = client(two.contextB());
      return two;
    } catch (RuntimeException e) {
      two.close();
      throw e;
    }
  }

  private static String[] withRandomPort(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--server.port=0";
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }

  /** Instance A's application context. */
  ConfigurableApplicationContext contextA() {
    return contexts.get(0);
  }

  /** Instance B's application context. */
  ConfigurableApplicationContext contextB() {
    return contexts.get(1);
  }

  /** A client of instance A. */
  WebTestClient a() {
    return Objects.requireNonNull(a);
  }

  /** A client of instance B. */
  WebTestClient b() {
    return Objects.requireNonNull(b);
  }

  private static WebTestClient client(ConfigurableApplicationContext context) {
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    return WebTestClient.bindToServer()
        .baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(TIMEOUT)
        .build();
  }

  /** A PUT of the flag {@code flag} (JSON {@code json}) as the admin, through {@code instance}. */
  static WebTestClient.RequestHeadersSpec<?> put(WebTestClient instance, String flag, String json) {
    return instance.put().uri("/api/flags/" + flag).headers(admin())
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(json);
  }

  /** A merge-patch of the flag {@code flag} as the admin, through {@code instance}. */
  static WebTestClient.RequestHeadersSpec<?> patch(
      WebTestClient instance, String flag, String json) {
    return instance.patch().uri("/api/flags/" + flag).headers(admin())
        .contentType(Api.MERGE_PATCH)
        .bodyValue(json);
  }

  /** PUTs the flag {@code flag} through A {@code times} times, with rollout 1, 2, ...; each 2xx. */
  void putRolloutsThroughA(String flag, int times) {
    for (int rollout = 1; rollout <= times; rollout++) {
      put(a(), flag, "{\"enabled\":true,\"rollout\":" + rollout + "}")
          .exchange().expectStatus().is2xxSuccessful();
    }
  }

  /** Waits until B serves the flag {@code flag} with the entity-tag of {@code version}. */
  void awaitOnB(String flag, long version) {
    Awaitility.await().atMost(TIMEOUT).until(() -> eTagOf(b(), flag).equals(etag(version)));
  }

  /**
   * Undoes through B with {@code If-Match} of {@code created}, the newest version: 200 and version
   * {@code created + 1} in the body.
   *
   * @return the entity-tag B answered
   */
  @Nullable String undoThroughB(long created) {
    return b().post().uri("/api/undo").headers(admin()).header("If-Match", etag(created))
        .exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.version").isEqualTo((int) created + 1)
        .returnResult().getResponseHeaders().getETag();
  }

  /**
   * Subscribes to {@code instance}'s event stream (200); its events, not the heartbeat comments,
   * go to {@code events}.
   */
  static Disposable subscribe(WebTestClient instance,
      BlockingQueue<ServerSentEvent<Map<String, Object>>> events) {
    return instance.get().uri("/api/stream").accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .expectStatus().isOk()
        .returnResult(EVENT).getResponseBody()
        .filter(e -> e.event() != null)
        .subscribe(events::add);
  }

  /** The next of {@code events} within {@link #TIMEOUT}, or {@code null}. */
  static @Nullable ServerSentEvent<Map<String, Object>> next(
      BlockingQueue<ServerSentEvent<Map<String, Object>>> events) throws InterruptedException {
    return events.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The flags in the state a change event carries. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> flagsOf(ServerSentEvent<Map<String, Object>> change) {
    return (Map<String, Object>)
        ((Map<String, Object>) Objects.requireNonNull(change.data()).get("state")).get("flags");
  }

  /**
   * The ids of the events that carry one on {@code instance}'s event stream, asked to resume after
   * version {@code seen} ({@code Last-Event-ID}).
   */
  Flux<String> idsAfter(WebTestClient instance, long seen) {
    return instance.get().uri("/api/stream")
        .header("Last-Event-ID", token(seen))
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isOk()
        .returnResult(EVENT).getResponseBody()
        .filter(e -> e.id() != null)
        .map(ServerSentEvent::id);
  }

  /** The token of {@code version} in the shared history (an event's id). */
  String token(long version) {
    return new VersionToken(epoch(), version).toString();
  }

  /** The version an entity-tag names; it must be a token of the history epoch shared via Redis. */
  long version(@Nullable String eTag) {
    assertThat(eTag).startsWith("\"" + epoch() + ".").endsWith("\"");
    String token = Objects.requireNonNull(eTag).substring(1, eTag.length() - 1);
    return Objects.requireNonNull(VersionToken.parse(token)).version();
  }

  /** The epoch both instances use: Redis's history epoch. */
  String epoch() {
    String onA = epochOf(contextA());
    assertThat(epochOf(contextB())).as("both instances share Redis's history epoch")
        .isEqualTo(onA);
    return onA;
  }

  private static String epochOf(ConfigurableApplicationContext instance) {
    Store<?> store = instance.getBean(Store.class);
    return VersionToken.of(store.snapshot(), store).epoch();
  }

  /** The entity-tag of {@code version} in the shared history. */
  String etag(long version) {
    return new VersionToken(epoch(), version).eTag();
  }

  /** The entity-tag {@code instance} gives the flag {@code flag} (which must exist). */
  static String eTagOf(WebTestClient instance, String flag) {
    return Objects.requireNonNull(instance.get().uri("/api/flags/" + flag).exchange()
        .expectStatus().isOk()
        .returnResult(String.class).getResponseHeaders().getETag());
  }

  /** Closes both instances (those that started). */
  @Override
  public void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
  }
}
