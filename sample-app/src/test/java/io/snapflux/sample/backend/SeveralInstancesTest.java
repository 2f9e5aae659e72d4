package io.snapflux.sample.backend;

import static io.snapflux.sample.Api.admin;
import static io.snapflux.sample.backend.TwoInstances.TIMEOUT;
import static io.snapflux.sample.backend.TwoInstances.eTagOf;
import static io.snapflux.sample.backend.TwoInstances.flagsOf;
import static io.snapflux.sample.backend.TwoInstances.next;
import static io.snapflux.sample.backend.TwoInstances.patch;
import static io.snapflux.sample.backend.TwoInstances.put;
import static io.snapflux.sample.backend.TwoInstances.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.redis.RedisServerProcess;
import io.snapflux.sample.Api;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

/**
 * Two instances of the sample app (two application contexts on random ports, profile {@code
 * redis}) sharing one test-owned {@code redis-server} on a free loopback port: a change made
 * through A appears on B's event stream, and an {@code If-Match} made stale by a write on A gets
 * 412 on B. History, undo and {@code Last-Event-ID} replay work across the instances: the
 * Redis store's history capability derives them from the shared stream.
 */
final class SeveralInstancesTest {

  private static RedisServerProcess redis;
  private static TwoInstances two;
  private static WebTestClient a;
  private static WebTestClient b;

  @BeforeAll
  static void startRedisAndTwoInstances() throws IOException {
    redis = RedisServerProcess.start();
    two = TwoInstances.start("--spring.data.redis.host=127.0.0.1",
        "--spring.data.redis.port=" + redis.port());
    a = two.a();
    b = two.b();
  }

  @AfterAll
  static void stopAll() {
    if (two != null) {
      two.close();
    }
    if (redis != null) {
      redis.stop();
    }
  }

  /** The version in Redis, where every instance's writes are checked. */
  private static long redisVersion() {
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      return Long.parseLong(Objects.requireNonNull(c.sync().get("snapflux:{flags}:version")));
    }
  }

  @Test
  void putThroughA_appearsOnBsEventStream_withIdEqualToTheVersion() throws InterruptedException {
    BlockingQueue<ServerSentEvent<Map<String, Object>>> onB = new LinkedBlockingQueue<>();
    Disposable stream = subscribe(b, onB);
    try {
      ServerSentEvent<Map<String, Object>> first = next(onB);
      assertThat(first).isNotNull();
      assertThat(first.event()).isEqualTo("snapshot");

      String written = put(a, "shared.stream",
          "{\"enabled\":true,\"rollout\":33,\"description\":\"written on A\"}")
          .exchange()
          .expectStatus().isCreated()
          .returnResult(String.class).getResponseHeaders().getETag();
      long v = two.version(written);

      ServerSentEvent<Map<String, Object>> change = next(onB);
      assertThat(change).as("B's stream delivers A's change").isNotNull();
      assertThat(change.event()).isEqualTo("change");
      assertThat(change.id()).isEqualTo(two.token(v));
      assertThat(change.data()).containsEntry("epoch", two.epoch());
      assertThat(change.data()).containsEntry("version", (int) v);
      Map<String, Object> flags = flagsOf(change);
      assertThat(flags).containsKey("shared.stream");
      assertThat(flags.get("shared.stream")).isEqualTo(
          Map.of("enabled", true, "rollout", 33, "allow", java.util.List.of(),
              "description", "written on A"));
    } finally {
      stream.dispose();
    }
  }

  @Test
  void ifMatchMadeStaleByAWriteOnA_gets412OnB_andNothingChanges() {
    put(a, "shared.stale", "{\"enabled\":true,\"rollout\":10}")
        .exchange().expectStatus().isCreated();
    // B has A's write once its GET shows it; that ETag is what a client of B holds.
    Awaitility.await().atMost(TIMEOUT).until(() -> b.get().uri("/api/flags/shared.stale")
        .exchange().returnResult(String.class).getStatus().is2xxSuccessful());
    String seenOnB = eTagOf(b, "shared.stale");

    String afterA = patch(a, "shared.stale", "{\"rollout\":20}")
        .exchange()
        .expectStatus().isOk()
        .returnResult(String.class).getResponseHeaders().getETag();
    long current = two.version(afterA);
    assertThat(current).isGreaterThan(two.version(seenOnB));

    patch(b, "shared.stale", "{\"rollout\":99}")
        .header("If-Match", seenOnB)
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectHeader().valueEquals("ETag", two.etag(current))
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.currentVersion").isEqualTo((int) current);

    assertThat(redisVersion()).as("nothing was committed").isEqualTo(current);
    for (WebTestClient instance : new WebTestClient[] {a, b}) {
      Awaitility.await().atMost(TIMEOUT)
          .until(() -> eTagOf(instance, "shared.stale").equals(two.etag(current)));
      instance.get().uri("/api/flags/shared.stale").exchange()
          .expectStatus().isOk()
          .expectBody().jsonPath("$.rollout").isEqualTo(20);
    }
  }

  @Test
  void undoThroughB_revertsAChangeMadeThroughA_onBothInstances_andAStaleIfMatchGets412() {
    put(a, "shared.undo", "{\"enabled\":true}")
        .exchange().expectStatus().isCreated();
    long created = redisVersion();
    two.awaitOnB("shared.undo", created);

    String undone = two.undoThroughB(created);

    assertThat(two.version(undone)).isEqualTo(created + 1);
    assertThat(redisVersion()).isEqualTo(created + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> a.get().uri("/api/flags/shared.undo")
        .exchange().returnResult(String.class).getStatus().value() == 404);
    a.get().uri("/api/history").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.entries[0].version").isEqualTo((int) created + 1)
        .jsonPath("$.entries[0].cause.action").isEqualTo("undo")
        .jsonPath("$.entries[0].cause.undoneVersion").isEqualTo((int) created)
        .jsonPath("$.entries[0].cause.by").isEqualTo(Api.USER);
    // A client of A that still holds the version before the undo is refused.
    a.post().uri("/api/undo").headers(admin()).header("If-Match", two.etag(created)).exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED);
    assertThat(redisVersion()).isEqualTo(created + 1);
  }

  @Test
  void historyOnRedis_isTheSameOnBothInstances() {
    two.putRolloutsThroughA("shared.history", 3);
    long current = redisVersion();
    two.awaitOnB("shared.history", current);

    String onA = a.get().uri("/api/history?limit=3").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    b.get().uri("/api/history?limit=3").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.version").isEqualTo((int) current)
        .jsonPath("$.entries.length()").isEqualTo(3)
        .jsonPath("$.entries[2].version").isEqualTo((int) current - 2)
        .json(Objects.requireNonNull(onA));
  }

  @Test
  void lastEventIdOnB_replaysTheVersionsWrittenThroughA() {
    put(a, "shared.resume", "{\"enabled\":true}")
        .exchange().expectStatus().is2xxSuccessful();
    long seen = redisVersion();
    two.putRolloutsThroughA("shared.resume", 2);
    two.awaitOnB("shared.resume", seen + 2);

    reactor.test.StepVerifier.create(two.idsAfter(b, seen))
        .expectNext(two.token(seen + 1), two.token(seen + 2))
        .thenCancel()
        .verify(TIMEOUT);
  }
}
