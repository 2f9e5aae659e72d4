package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.store.Interceptor;
import io.snapflux.store.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Replica acknowledgement ({@link RedisStoreBuilder#replicaAcks(int, Duration)}) on a standalone
 * master, with and without a replica: WAIT after each COMMIT, and a write fewer replicas confirm
 * reported as committed-but-not-replicated.
 */
final class RedisReplicaAcksTest {

  private final TestResources resources = new TestResources();
  private final String name = "acks-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisStore<Integer> store(RedisServerProcess master, int acks,
      @Nullable Interceptor<Integer> interceptor) {
    return store(master, acks, Duration.ofMillis(200), interceptor);
  }

  private RedisStore<Integer> store(RedisServerProcess master, int acks, Duration ackTimeout,
      @Nullable Interceptor<Integer> interceptor) {
    RedisStoreBuilder<Integer> b = RedisStore.builder(name, 0)
        .uri(RedisURI.create(master.uri()))
        .type(Integer.class)
        .writeTimeout(Duration.ofSeconds(3))
        .replicaAcks(acks, ackTimeout);
    if (interceptor != null) {
      b.interceptor(interceptor);
    }
    RedisStore<Integer> store = b.build();
    resources.add(store);
    return store;
  }

  private static void replicate(RedisServerProcess replica, RedisServerProcess master) {
    try (RedisClient c = RedisClient.create(replica.uri());
        StatefulRedisConnection<String, String> conn = c.connect()) {
      try (RedisClient m = RedisClient.create(master.uri());
          StatefulRedisConnection<String, String> mc = m.connect()) {
        // The full sync starts at once, not after the default 5 s wait for other replicas.
        mc.sync().configSet("repl-diskless-sync-delay", "0");
      }
      conn.sync().replicaof("127.0.0.1", master.port());
      Awaitility.await("replica in sync").atMost(Duration.ofSeconds(20))
          .until(() -> conn.sync().info("replication").contains("master_link_status:up"));
      // WAIT counts a replica once the master has it online (its first ACK, up to 1 s later).
      try (RedisClient m = RedisClient.create(master.uri());
          StatefulRedisConnection<String, String> mc = m.connect()) {
        Awaitility.await("replica online on the master").atMost(Duration.ofSeconds(20))
            .until(() -> mc.sync().info("replication").contains("state=online"));
      }
    }
  }

  @Test
  void noReplica_writeCommitsThenFailsWithReplicaAcknowledgementExceptionCarryingTheVersion()
      throws Exception {
    RedisServerProcess master = resources.server();
    AtomicInteger afterCommit = new AtomicInteger();
    RedisStore<Integer> store = store(master, 1, new Interceptor<>() {
      @Override
      public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
        afterCommit.incrementAndGet();
      }
    });

    assertThatThrownBy(() -> store.update("inc", x -> x + 1))
        .isInstanceOfSatisfying(ReplicaAcknowledgementException.class, e -> {
          assertThat(e.storeName()).isEqualTo(name);
          assertThat(e.version()).isEqualTo(1);
          assertThat(e.acknowledged()).isZero();
          assertThat(e.required()).isEqualTo(1);
          assertThat(e).hasMessageContaining("do not resend");
        })
        .isNotInstanceOf(StoreUnavailableException.class);
    // Committed all the same: in Redis, in the replica, afterCommit ran once.
    assertThat(store.snapshot().version()).isEqualTo(1);
    assertThat(store.snapshot().state()).isEqualTo(1);
    assertThat(afterCommit).hasValue(1);
    try (RedisClient c = RedisClient.create(master.uri());
        StatefulRedisConnection<String, String> conn = c.connect()) {
      assertThat(conn.sync().get("snapflux:{" + name + "}:version")).isEqualTo("1");
    }
  }

  @Test
  void withAReplica_writesAreAcknowledged_andNotOnceItIsGone() throws Exception {
    RedisServerProcess master = resources.server();
    RedisServerProcess replica = resources.server();
    replicate(replica, master);
    RedisStore<Integer> store = store(master, 1, Duration.ofMillis(500), null);

    for (int i = 0; i < 20; i++) {
      store.update("inc", x -> x + 1);
    }
    assertThat(store.snapshot().version()).isEqualTo(20);
    assertThat(store.redisStats().underReplicated()).as("every write acknowledged").isZero();
    try (RedisClient c = RedisClient.create(replica.uri());
        StatefulRedisConnection<String, String> conn = c.connect()) {
      // WAIT returned only once the replica had the write.
      assertThat(conn.sync().get("snapflux:{" + name + "}:version")).isEqualTo("20");
    }

    replica.stop();
    assertThatThrownBy(() -> store.update("inc", x -> x + 1))
        .isInstanceOf(ReplicaAcknowledgementException.class);
    assertThat(store.snapshot().version()).isEqualTo(21);
    assertThat(store.redisStats().underReplicated()).isEqualTo(1);
  }

  @Test
  void underReplicated_countsEachWriteFewerReplicasConfirmed_onceWhetherSyncOrAsync()
      throws Exception {
    RedisServerProcess master = resources.server();
    RedisStore<Integer> store = store(master, 1, Duration.ofMillis(50), null);
    assertThat(store.redisStats().underReplicated()).isZero();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> store.update("inc", x -> x + 1))
          .isInstanceOf(ReplicaAcknowledgementException.class);
    }
    StepVerifier.create(store.async().update("inc", x -> x + 1))
        .expectError(ReplicaAcknowledgementException.class)
        .verify(Duration.ofSeconds(10));
    StepVerifier.create(store.async().updateIfVersion(4, "inc", x -> x + 1))
        .expectError(ReplicaAcknowledgementException.class)
        .verify(Duration.ofSeconds(10));
    // Neither a write that changes nothing nor a refused conditional write reaches Redis.
    assertThat(store.update("same", x -> x).version()).isEqualTo(5);
    assertThat(store.compareAndSet(2, 99)).isFalse();

    assertThat(store.snapshot().version()).isEqualTo(5);
    assertThat(store.redisStats().underReplicated()).isEqualTo(5);
    assertThat(store.redisStats().outcomesUnknown()).isZero();
  }

  @Test
  void underReplicated_staysZeroWithoutReplicaAcks() throws Exception {
    RedisServerProcess master = resources.server();
    RedisStore<Integer> store = store(master, 0, null);

    store.update("inc", x -> x + 1);
    store.update("inc", x -> x + 1);

    assertThat(store.redisStats().underReplicated()).isZero();
  }

  @Test
  void zeroAcks_isTheDefaultBehaviour() throws Exception {
    RedisServerProcess master = resources.server();
    RedisStore<Integer> store = store(master, 0, null);

    assertThat(store.update("inc", x -> x + 1).version()).isEqualTo(1);
  }

  @Test
  void badSettings_areRefusedNamingTheProblem() {
    RedisStoreBuilder<Integer> b = RedisStore.builder(name, 0);
    assertThatThrownBy(() -> b.replicaAcks(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicaAcks");
    assertThatThrownBy(() -> b.replicaAcks(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> b.cluster(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seed");
    assertThatThrownBy(() -> RedisStore.builder(name, 0).type(Integer.class).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cluster(...)");
  }
}
