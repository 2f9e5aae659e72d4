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
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.snapflux.redis.RedisClusterProcess;
import io.snapflux.sample.Api;
import io.snapflux.store.Store;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * The "done when": two instances of the sample app (profile {@code redis}) started as
 * {@code --snapflux.backend=redis --spring.data.redis.cluster.nodes=...} on a Redis Cluster of 3
 * masters and 3 replicas the test starts ({@link RedisClusterProcess}, one cluster for the
 * class). A change made through A shows on B's event stream; {@code /api/history} is the same on
 * both; undo through B reverts a change made through A on both; a stale {@code If-Match} gets
 * 412 and commits nothing; {@code Last-Event-ID} on B replays versions written through A. The
 * versions are read back from the cluster (through a cluster client: the slot's master), never
 * from one node by address.
 */
final class ClusterInstancesTest {

  private static final String VERSION_KEY = "snapflux:{flags}:version";

  private static RedisClusterProcess cluster;
  private static RedisClusterClient raw;
  private static StatefulRedisClusterConnection<String, String> rawConnection;
  private static TwoInstances two;
  private static WebTestClient a;
  private static WebTestClient b;

  /**
   * The instances are started with the command line the docs give (docs/redis.md, "The sample on
   * a Redis Cluster"): the cluster nodes win over application-redis.yml's localhost:6379.
   */
  @BeforeAll
  static void startClusterAndTwoInstances() throws IOException {
    cluster = RedisClusterProcess.start();
    raw = RedisClusterClient.create(cluster.uris());
    rawConnection = raw.connect();
    two = TwoInstances.start("--snapflux.backend=redis",
        "--spring.data.redis.cluster.nodes=" + cluster.nodesProperty());
    a = two.a();
    b = two.b();
  }

  @AfterAll
  static void stopAll() {
    if (two != null) {
      two.close();
    }
    if (rawConnection != null) {
      rawConnection.close();
    }
    if (raw != null) {
      raw.shutdown();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The version in the cluster (on the master of the flags' slot), where writes are checked. */
  private static long redisVersion() {
    return Long.parseLong(Objects.requireNonNull(rawConnection.sync().get(VERSION_KEY)));
  }

  @Test
  void bothInstancesShareTheStoreOnTheCluster() {
    put(a, "cluster.where", "{\"enabled\":true}")
        .exchange().expectStatus().isCreated();
    long v = redisVersion();
    assertThat(v).isPositive();
    // Both instances follow the history the cluster holds (its epoch, its newest version).
    assertThat(rawConnection.sync().hget("snapflux:{flags}:meta", "e")).isEqualTo(two.epoch());
    for (ConfigurableApplicationContext instance : new ConfigurableApplicationContext[] {
        two.contextA(), two.contextB()}) {
      Store<?> store = instance.getBean(Store.class);
      Awaitility.await().atMost(TIMEOUT)
          .untilAsserted(() -> assertThat(store.snapshot().version()).isEqualTo(v));
    }
    // The store's keys live on the master that owns the {flags} slot.
    int master = cluster.masterPortOf(VERSION_KEY);
    try (RedisClient node = RedisClient.create(
            RedisURI.create("127.0.0.1", master));
        StatefulRedisConnection<String, String> c = node.connect()) {
      assertThat(c.sync().get(VERSION_KEY)).isEqualTo(Long.toString(v));
    }
    // Health on the cluster: the store and Spring Boot's own Redis indicator (a cluster
    // connection of Spring Data Redis, from the same cluster nodes).
    for (WebTestClient instance : new WebTestClient[] {a, b}) {
      instance.get().uri("/actuator/health").headers(admin()).exchange()
          .expectStatus().isOk()
          .expectBody()
          .jsonPath("$.status").isEqualTo("UP")
          .jsonPath("$.components.snapflux.components.flags.status").isEqualTo("UP")
          .jsonPath("$.components.snapflux.components.flags.details.backend").isEqualTo("redis")
          .jsonPath("$.components.redis.status").isEqualTo("UP");
    }
  }

  @Test
  void putThroughA_appearsOnBsEventStream() throws InterruptedException {
    BlockingQueue<ServerSentEvent<Map<String, Object>>> onB = new LinkedBlockingQueue<>();
    Disposable stream = subscribe(b, onB);
    try {
      ServerSentEvent<Map<String, Object>> first = next(onB);
      assertThat(first).isNotNull();
      assertThat(first.event()).isEqualTo("snapshot");

      String written = put(a, "cluster.stream",
          "{\"enabled\":true,\"rollout\":33,\"description\":\"written on A\"}")
          .exchange()
          .expectStatus().isCreated()
          .returnResult(String.class).getResponseHeaders().getETag();
      long v = two.version(written);
      assertThat(redisVersion()).isEqualTo(v);

      // Other tests may write meanwhile; wait for the change event of our version.
      ServerSentEvent<Map<String, Object>> change;
      do {
        change = next(onB);
        assertThat(change).as("B's stream delivers A's change").isNotNull();
      } while (!two.token(v).equals(change.id()));
      assertThat(change.event()).isEqualTo("change");
      assertThat(change.data()).containsEntry("version", (int) v);
      Map<String, Object> flags = flagsOf(change);
      assertThat(flags.get("cluster.stream")).isEqualTo(
          Map.of("enabled", true, "rollout", 33, "allow", java.util.List.of(),
              "description", "written on A"));
    } finally {
      stream.dispose();
    }
  }

  @Test
  void historyIsTheSameOnBothInstances() {
    two.putRolloutsThroughA("cluster.history", 3);
    long current = redisVersion();
    two.awaitOnB("cluster.history", current);

    String onA = a.get().uri("/api/history?limit=3").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    b.get().uri("/api/history?limit=3").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.version").isEqualTo((int) current)
        .jsonPath("$.entries.length()").isEqualTo(3)
        .jsonPath("$.entries[0].version").isEqualTo((int) current)
        .jsonPath("$.entries[2].version").isEqualTo((int) current - 2)
        .json(Objects.requireNonNull(onA));
  }

  @Test
  void undoThroughB_revertsAChangeMadeThroughA_onBoth_andAStaleIfMatchGets412() {
    put(a, "cluster.undo", "{\"enabled\":true}")
        .exchange().expectStatus().isCreated();
    long created = redisVersion();
    two.awaitOnB("cluster.undo", created);

    String undone = two.undoThroughB(created);
    assertThat(two.version(undone)).isEqualTo(created + 1);
    assertThat(redisVersion()).isEqualTo(created + 1);

    for (WebTestClient instance : new WebTestClient[] {a, b}) {
      Awaitility.await().atMost(TIMEOUT).until(() -> instance.get().uri("/api/flags/cluster.undo")
          .exchange().returnResult(String.class).getStatus().value() == 404);
    }
    a.get().uri("/api/history?limit=1").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.entries[0].version").isEqualTo((int) created + 1)
        .jsonPath("$.entries[0].cause.action").isEqualTo("undo")
        .jsonPath("$.entries[0].cause.undoneVersion").isEqualTo((int) created)
        .jsonPath("$.entries[0].cause.by").isEqualTo(Api.USER);

    // A client of A that still holds the version before the undo is refused; nothing commits.
    a.post().uri("/api/undo").headers(admin()).header("If-Match", two.etag(created)).exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED);
    assertThat(redisVersion()).isEqualTo(created + 1);
  }

  @Test
  void ifMatchMadeStaleByAWriteOnA_gets412OnB_andNothingIsCommitted() {
    put(a, "cluster.stale", "{\"enabled\":true,\"rollout\":10}")
        .exchange().expectStatus().isCreated();
    Awaitility.await().atMost(TIMEOUT).until(() -> b.get().uri("/api/flags/cluster.stale")
        .exchange().returnResult(String.class).getStatus().is2xxSuccessful());
    String seenOnB = eTagOf(b, "cluster.stale");

    String afterA = patch(a, "cluster.stale", "{\"rollout\":20}")
        .exchange()
        .expectStatus().isOk()
        .returnResult(String.class).getResponseHeaders().getETag();
    long current = two.version(afterA);
    assertThat(current).isGreaterThan(two.version(seenOnB));

    patch(b, "cluster.stale", "{\"rollout\":99}")
        .header("If-Match", seenOnB)
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectBody().jsonPath("$.currentVersion").isEqualTo((int) current);

    assertThat(redisVersion()).as("nothing was committed").isEqualTo(current);
    for (WebTestClient instance : new WebTestClient[] {a, b}) {
      Awaitility.await().atMost(TIMEOUT)
          .until(() -> eTagOf(instance, "cluster.stale").equals(two.etag(current)));
      instance.get().uri("/api/flags/cluster.stale").exchange()
          .expectStatus().isOk()
          .expectBody().jsonPath("$.rollout").isEqualTo(20);
    }
  }

  @Test
  void lastEventIdOnB_replaysTheVersionsWrittenThroughA() {
    put(a, "cluster.resume", "{\"enabled\":true}")
        .exchange().expectStatus().is2xxSuccessful();
    long seen = redisVersion();
    two.putRolloutsThroughA("cluster.resume", 2);
    two.awaitOnB("cluster.resume", seen + 2);

    StepVerifier.create(two.idsAfter(b, seen))
        .expectNext(two.token(seen + 1), two.token(seen + 2))
        .thenCancel()
        .verify(TIMEOUT);
  }
}
