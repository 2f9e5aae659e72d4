package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Redis coming back older (an RDB restore, a lagging replica promoted) or empty while instances
 * hold newer versions: no version ever names two states for an instance, nobody commits over
 * another history blindly, and subscribers see every switch as a visible jump.
 */
final class RedisHistoryTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestResources resources = new TestResources();
  private final String name = "history-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisStore<Integer> instance(String uri) {
    RedisStore<Integer> store = RedisStore.builder(name, 0)
        .uri(RedisURI.create(uri))
        .type(Integer.class)
        .writeTimeout(Duration.ofSeconds(5))
        .build();
    resources.add(store);
    return store;
  }

  private List<Snapshot<Integer>> record(RedisStore<Integer> store) {
    List<Snapshot<Integer>> seen = new CopyOnWriteArrayList<>();
    Disposable d = store.changes(Delivery.lossless(10_000)).subscribe(seen::add);
    resources.add(d::dispose);
    return seen;
  }

  private String raw(RedisServerProcess server, String command) {
    try (RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      return switch (command) {
        case "VERSION" -> c.sync().get("snapflux:{" + name + "}:version");
        case "STATE" -> c.sync().get("snapflux:{" + name + "}:state");
        default -> throw new IllegalArgumentException(command);
      };
    }
  }

  /** Versions strictly increasing, and the state each version names as the writer expected. */
  private static void assertIncreasing(List<Snapshot<Integer>> seen) {
    assertThat(seen).extracting(Snapshot::version).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void redisBackOlder_rdbRestored_updateAgreesWithSnapshotAndNoVersionNamesTwoStates()
      throws Exception {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> a = instance(server.uri());
    List<Snapshot<Integer>> seen = record(a);
    for (int i = 0; i < 5; i++) {
      a.update(n -> n + 1);
    }
    Path old = server.saveRdb();
    for (int i = 0; i < 4; i++) {
      a.update(n -> n + 1);
    }
    server.restartFrom(old); // Redis is back at version 5, A's replica holds version 9
    assertThat(raw(server, "VERSION")).isEqualTo("5");

    Snapshot<Integer> result = a.update(n -> n + 1);

    assertThat(result.version()).isGreaterThan(9);
    assertThat(a.snapshot().version()).isEqualTo(result.version());
    assertThat(result.state()).as("the replica kept the writes Redis lost").isEqualTo(10);
    assertThat(raw(server, "VERSION")).isEqualTo(Long.toString(result.version()));
    assertThat(raw(server, "STATE")).isEqualTo("10");
    Awaitility.await().atMost(TIMEOUT).until(() -> seen.get(seen.size() - 1).equals(result));
    assertIncreasing(seen);
    assertThat(seen).extracting(Snapshot::version).startsWith(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(seen.get(10).version()).as("a visible jump").isGreaterThan(10L);
    // A second instance started now agrees with A on every version both know.
    RedisStore<Integer> b = instance(server.uri());
    assertThat(b.snapshot()).extracting(Snapshot::version, Snapshot::state)
        .containsExactly(result.version(), 10);
  }

  @Test
  void redisBackEmpty_anotherInstanceWroteANewHistory_noSilentSwitchNorCommitOverIt()
      throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy link = resources.proxy(server);
    RedisStore<Integer> a = instance(link.uri());
    List<Snapshot<Integer>> seenByA = record(a);
    for (int i = 0; i < 5; i++) {
      a.update(n -> n + 1);
    }
    String epochBefore = a.epoch();
    link.cut();
    Awaitility.await().atMost(TIMEOUT).until(() -> !a.isConnected());
    server.restart(); // no persistence: Redis is back empty

    // C starts while A is away: it seeds a new history and writes its own versions 1..5.
    RedisStore<Integer> c = instance(server.uri());
    for (int i = 0; i < 5; i++) {
      c.update(n -> n + 100);
    }
    assertThat(c.snapshot().version()).isEqualTo(5);
    link.restore();

    Awaitility.await().atMost(TIMEOUT).until(() -> a.isConnected() && a.snapshot().state() == 500);
    assertThat(a.epoch()).isNotEqualTo(epochBefore).isEqualTo(c.epoch());
    Snapshot<Integer> next = a.update(n -> n + 1);
    assertThat(next.state()).as("A's update ran on C's history").isEqualTo(501);
    Awaitility.await().atMost(TIMEOUT).until(() -> c.snapshot().equals(next)
        || c.snapshot().version() == next.version() && c.snapshot().state() == 501);

    assertIncreasing(seenByA);
    List<Long> versionsA = seenByA.stream().map(Snapshot::version).toList();
    assertThat(versionsA).startsWith(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(versionsA.get(6)).as("A sees the switch as a jump, not version 6").isGreaterThan(6L);
    assertThat(seenByA.get(6).state()).isEqualTo(500);
    assertThat(c.snapshot().version()).isEqualTo(next.version());
  }

  @Test
  void redisBackEmpty_twoInstancesInSync_firstReseedsOthersFollowWithoutLosingAcknowledged()
      throws Exception {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> a = instance(server.uri());
    RedisStore<Integer> b = instance(server.uri());
    List<Snapshot<Integer>> seenByA = record(a);
    List<Snapshot<Integer>> seenByB = record(b);
    for (int i = 0; i < 3; i++) {
      a.update(n -> n + 1);
      b.update(n -> n + 1);
    }
    Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().version() == 6
        && b.snapshot().version() == 6);

    server.restart();

    Awaitility.await().atMost(TIMEOUT).until(() -> a.isConnected() && b.isConnected());
    Snapshot<Integer> fromA = a.update(n -> n + 1);
    Snapshot<Integer> fromB = b.update(n -> n + 1);
    assertThat(fromB.state()).as("no acknowledged increment lost").isEqualTo(8);
    assertThat(fromB.version()).isGreaterThan(fromA.version());
    Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().version() == fromB.version());
    assertIncreasing(seenByA);
    assertIncreasing(seenByB);
    java.util.Map<Long, Integer> states = new java.util.HashMap<>();
    for (Snapshot<Integer> s : seenByA) {
      states.put(s.version(), s.state());
    }
    for (Snapshot<Integer> s : seenByB) {
      Integer other = states.putIfAbsent(s.version(), s.state());
      assertThat(other == null || other.equals(s.state()))
          .as("version %d names one state (A: %s, B: %s)", s.version(), other, s.state())
          .isTrue();
    }
  }

  @Test
  void redisBackOlder_anotherInstanceCommittedOverTheLostVersions_partitionedInstanceJumpsVisibly()
      throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy link = resources.proxy(server);
    RedisStore<Integer> a = instance(server.uri());
    RedisStore<Integer> b = instance(link.uri());
    List<Snapshot<Integer>> seenByB = record(b);
    for (int i = 0; i < 3; i++) {
      a.update(n -> n + 1);
    }
    Path old = server.saveRdb();
    a.update(n -> n + 1);
    a.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> b.snapshot().version() == 5);
    link.cut();
    Awaitility.await().atMost(TIMEOUT).until(() -> !b.isConnected());
    a.close(); // the only other instance that saw versions 4 and 5 is gone
    server.restartFrom(old); // back at version 3

    // C cannot know versions 4 and 5 existed: it commits its own 4, 5, 6.
    RedisStore<Integer> c = instance(server.uri());
    for (int i = 0; i < 3; i++) {
      c.update(n -> n + 100);
    }
    link.restore();

    Awaitility.await().atMost(TIMEOUT).until(() -> b.isConnected() && b.snapshot().state() == 303);
    assertIncreasing(seenByB);
    List<Long> versions = seenByB.stream().map(Snapshot::version).toList();
    assertThat(versions).startsWith(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(versions.get(6)).as("no silent switch to C's version 6").isGreaterThan(6L);
    Snapshot<Integer> next = b.update(n -> n + 1);
    assertThat(next.state()).isEqualTo(304);
    Awaitility.await().atMost(TIMEOUT).until(() -> c.snapshot().state() == 304);
  }
}
