package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.snapflux.store.StateCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisStore#redisStats()}: each counter moves when its event happens (driven against a
 * test-owned Redis, faults from a {@link TcpProxy}) and not otherwise. Write timeouts and
 * unknown outcomes are counted in {@link RedisWriteOutcomeTest}, where they are provoked.
 */
final class RedisStatsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestResources resources = new TestResources();
  private final String name = "stats-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisStore<Integer> instance(String uri, Duration writeTimeout) {
    return instance(RedisStore.builder(name, 0).type(Integer.class), uri, writeTimeout);
  }

  private RedisStore<Integer> instance(
      RedisStoreBuilder<Integer> builder, String uri, Duration writeTimeout) {
    RedisStore<Integer> store = builder.uri(RedisURI.create(uri)).writeTimeout(writeTimeout).build();
    resources.add(store);
    return store;
  }

  @Test
  void redisStats_uncontendedUpdates_countOneRoundTripEachAndNothingElse() throws IOException {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> store = instance(server.uri(), Duration.ofSeconds(5));

    assertThat(store.redisStats()).as("after start-up: its SYNC only")
        .isEqualTo(new RedisStats(1, 0, 0, 0, 0, 0, 0, 0, 0));

    store.update(n -> n + 1);
    store.update(n -> n + 1);
    store.update(n -> n); // no change: nothing is sent

    assertThat(store.redisStats()).isEqualTo(new RedisStats(3, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void update_anotherInstanceCommittedFirst_countsOneRetryOnTheLoserOnly() throws IOException {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> loser = instance(server.uri(), Duration.ofSeconds(5));
    RedisStore<Integer> winner = instance(server.uri(), Duration.ofSeconds(5));
    AtomicBoolean first = new AtomicBoolean(true);

    // The first attempt runs on this thread: the other instance commits before it reaches Redis.
    int committed = loser.update(n -> {
      if (first.getAndSet(false)) {
        winner.update(m -> m + 10);
      }
      return n + 1;
    }).state();

    assertThat(committed).isEqualTo(11);
    assertThat(loser.redisStats().retries()).isEqualTo(1);
    assertThat(winner.redisStats().retries()).isZero();
    assertThat(loser.stats().casRetries()).isEqualTo(1);

    // A version-checked write reports its conflict instead of retrying: no retry counted.
    assertThat(winner.compareAndSet(0, 5)).isFalse();
    assertThat(winner.redisStats().retries()).isZero();
    assertThat(loser.redisStats().writeTimeouts()).isZero();
    assertThat(loser.redisStats().resends()).isZero();
  }

  @Test
  void update_connectionResetAfterCommit_countsResendReconnectAndResync() throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy proxy = resources.proxy(server);
    RedisStore<Integer> store = instance(proxy.uri(), Duration.ofSeconds(10));
    store.update(n -> n + 1); // loads the script: the next COMMIT is an EVALSHA
    assertThat(store.redisStats().resends()).isZero();

    proxy.arm(TcpProxy.Fault.RESET_AFTER_FORWARD, LuaScripts.COMMIT_SHA, Duration.ZERO);
    assertThat(store.update(n -> n + 1).version()).isEqualTo(2);

    assertThat(proxy.awaitFired(TIMEOUT)).isTrue();
    RedisStats stats = store.redisStats();
    assertThat(stats.resends()).as("the COMMIT was resent").isPositive();
    // At least SYNC, two COMMITs and every resend; the follower's resync may add its own.
    assertThat(stats.roundTrips()).isGreaterThanOrEqualTo(3 + stats.resends());
    assertThat(stats.writeTimeouts()).isZero();
    assertThat(stats.outcomesUnknown()).isZero();
    assertThat(stats.retries()).isZero();
    // The writers' connection came back: counted, and the follower resyncs after it.
    Awaitility.await().atMost(TIMEOUT).until(() -> store.redisStats().reconnects() >= 1
        && store.redisStats().resyncs() >= 1 && store.isConnected());
  }

  @Test
  void redisRestarted_countsReconnectsOfBothConnectionsAndAResync() throws Exception {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> store = instance(server.uri(), Duration.ofSeconds(5));
    store.update(n -> n + 1);
    assertThat(store.redisStats().reconnects()).isZero();
    assertThat(store.redisStats().resyncs()).isZero();

    server.restart(); // empty: the resync re-seeds Redis from the replica

    Awaitility.await().atMost(TIMEOUT).until(() -> store.redisStats().reconnects() >= 2
        && store.redisStats().resyncs() >= 1 && store.isConnected());
    assertThat(store.update(n -> n + 1).version()).isEqualTo(2);
    assertThat(store.redisStats().streamLagVersions()).isZero();
  }

  @Test
  void follower_stalledOnAnEntry_lagCountsItUntilTheReplicaHasIt() throws Exception {
    RedisServerProcess server = resources.server();
    CountDownLatch decoding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    resources.add(release::countDown); // never leave the follower parked
    StateCodec<Integer> json = TestCodecs.jsonFor(0);
    StateCodec<Integer> stalling = new StateCodec<>() {
      @Override
      public byte[] encode(Integer state) throws IOException {
        return json.encode(state);
      }

      @Override
      public Integer decode(byte[] bytes) throws IOException {
        Integer state = json.decode(bytes);
        if (state == 42 && Thread.currentThread().getName().startsWith("snapflux-redis-follower")) {
          decoding.countDown();
          try {
            release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return state;
      }
    };
    RedisStore<Integer> follower =
        instance(RedisStore.builder(name, 0).codec(stalling), server.uri(), Duration.ofSeconds(5));
    RedisStore<Integer> writer = instance(server.uri(), Duration.ofSeconds(5));
    assertThat(follower.redisStats().streamLagVersions()).isZero();

    writer.update(n -> 42);

    assertThat(decoding.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(follower.snapshot().version()).isZero();
    assertThat(follower.redisStats().streamLagVersions()).isEqualTo(1);
    assertThat(writer.redisStats().streamLagVersions()).isZero();

    release.countDown();
    Awaitility.await().atMost(TIMEOUT).until(() -> follower.snapshot().version() == 1);
    assertThat(follower.redisStats().streamLagVersions()).isZero();
  }
}
