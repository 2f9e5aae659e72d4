package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.store.Delivery;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * {@link RedisStoreBuilder#followerPause(Duration)}: while an instance's own commits flow, its
 * stream follower sends no {@code XREAD} (counted by Redis's own command statistics), and still
 * nothing committed elsewhere is missed: the next own commit installs it first, a conflict wakes
 * the follower, and once the own commits stop the follower reads again after the pause.
 */
final class RedisFollowerPauseTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  /** A pause no test outlives: what arrives meanwhile was not brought by the follower. */
  private static final Duration FOREVER = Duration.ofHours(1);

  private final TestResources resources = new TestResources();
  private final String name = "pause-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisStore<Integer> instance(RedisServerProcess server, Duration pause) {
    RedisStore<Integer> store = RedisStore.builder(name, 0).uri(io.lettuce.core.RedisURI.create(server.uri()))
        .type(Integer.class).followerPause(pause)
        // One XREAD stays blocked for the whole test unless a commit answers it.
        .pollTimeout(Duration.ofSeconds(60))
        .build();
    resources.add(store);
    return store;
  }

  private List<Long> versionsSeenBy(RedisStore<Integer> store) {
    List<Long> seen = new CopyOnWriteArrayList<>();
    Disposable d = store.changes(Delivery.lossless(10_000)).map(Snapshot::version)
        .subscribe(seen::add);
    resources.add(d::dispose);
    return seen;
  }

  /** Redis's count of XREAD calls since its statistics were last reset. */
  private static long xreadCalls(StatefulRedisConnection<String, String> admin) {
    return RedisServerProcess.commandCalls(admin, "xread");
  }

  private StatefulRedisConnection<String, String> admin(RedisServerProcess server) {
    RedisClient client = RedisClient.create(server.uri());
    resources.add(client::shutdown);
    return client.connect();
  }

  @Test
  void ownCommitsInARow_sendNoXreadWhileTheyFlow_andEveryOneWithoutThePause() throws IOException {
    RedisServerProcess server = resources.server();
    StatefulRedisConnection<String, String> admin = admin(server);
    RedisStore<Integer> paused = instance(server, FOREVER);

    admin.sync().configResetstat();
    for (int i = 0; i < 100; i++) {
      paused.update(n -> n + 1);
    }
    // The XREAD blocked before the first commit returns it; after that the follower waits.
    assertThat(xreadCalls(admin)).as("XREADs during 100 own commits, paused").isLessThanOrEqualTo(2);
    paused.close();

    RedisStore<Integer> following = instance(server, Duration.ZERO);
    admin.sync().configResetstat();
    for (int i = 0; i < 100; i++) {
      following.update(n -> n + 1);
    }
    // Each commit answers the blocked XREAD and the follower sends the next one (a slow thread
    // may take several entries in one read): the figure that the pause removes.
    assertThat(xreadCalls(admin)).as("XREADs during 100 own commits, no pause").isGreaterThan(10);
    assertThat(following.snapshot().state()).isEqualTo(200);
  }

  @Test
  void foreignCommit_whileTheFollowerPauses_isInstalledInOrderBeforeTheNextOwnCommit()
      throws IOException {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> writer = instance(server, FOREVER);
    RedisStore<Integer> other = instance(server, Duration.ZERO);
    List<Long> seen = versionsSeenBy(writer);
    writer.update(n -> n + 1);
    writer.update(n -> n + 1); // whichever XREAD was blocked has returned: the follower pauses

    other.update(n -> n + 1000);

    Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(writer.snapshot().version())
            .as("the paused follower does not read the other instance's commit").isEqualTo(2));

    Snapshot<Integer> own = writer.update(n -> n + 1);

    assertThat(own.version()).isEqualTo(4);
    assertThat(own.state()).isEqualTo(1003);
    Awaitility.await().atMost(TIMEOUT).until(() -> seen.size() == 5);
    assertThat(seen).containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void conflictReply_wakesThePausedFollower() throws IOException {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> writer = instance(server, FOREVER);
    RedisStore<Integer> other = instance(server, Duration.ZERO);
    writer.update(n -> n + 1);
    writer.update(n -> n + 1);
    other.update(n -> n + 1000);

    Outcome<Integer> outcome = writer.updateIfVersion(2, null, n -> n + 1);

    assertThat(outcome.applied()).isFalse();
    // Nothing of the writer's own committed: only the woken follower can bring version 3.
    Awaitility.await().atMost(TIMEOUT).until(() -> writer.snapshot().version() == 3);
    assertThat(writer.snapshot().state()).isEqualTo(1002);
  }

  @Test
  void afterTheOwnCommitsStop_theFollowerReadsAgainWithinThePause() throws IOException {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> writer = instance(server, Duration.ofMillis(100));
    RedisStore<Integer> other = instance(server, Duration.ZERO);
    List<Long> seen = versionsSeenBy(writer);
    for (int i = 0; i < 20; i++) {
      writer.update(n -> n + 1);
    }

    for (int i = 0; i < 5; i++) {
      other.update(n -> n + 1000);
    }

    Awaitility.await().atMost(TIMEOUT).until(() -> writer.snapshot().version() == 25);
    assertThat(writer.snapshot().state()).isEqualTo(5020);
    Awaitility.await().atMost(TIMEOUT).until(() -> seen.size() == 26);
    assertThat(seen).isEqualTo(LongStream.rangeClosed(0, 25).boxed().toList());
  }

  @Test
  void anInstanceThatDoesNotWrite_followsEveryCommitAtOnce() throws IOException {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> reader = instance(server, FOREVER);
    RedisStore<Integer> other = instance(server, Duration.ZERO);

    for (int i = 1; i <= 5; i++) {
      other.update(n -> n + 1);
      int version = i;
      Awaitility.await().atMost(TIMEOUT).until(() -> reader.snapshot().version() == version);
    }
  }

  @Test
  void followerPause_negative_isRefusedNamingIt() {
    RedisStoreBuilder<Integer> builder = RedisStore.builder(name, 0);

    assertThatThrownBy(() -> builder.followerPause(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("followerPause").hasMessageContaining("PT-0.001S");
    assertThatThrownBy(() -> builder.followerPause(null))
        .isInstanceOf(NullPointerException.class);
  }
}
