package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.store.Interceptor;
import io.snapflux.store.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a write reports when its reply is lost, reset or late: applied iff Redis applied it (with
 * {@code afterCommit} once), not committed only when that is certain, otherwise {@link
 * CommitOutcomeUnknownException} with a write id that {@link RedisStore#commitStatus(String)}
 * settles. Faults come from a {@link TcpProxy} between the store and a test-owned Redis.
 */
final class RedisWriteOutcomeTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestResources resources = new TestResources();
  private final String name = "outcome-" + UUID.randomUUID();
  private final List<Long> afterCommits = new CopyOnWriteArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisStore<Integer> instance(String uri, Duration writeTimeout) {
    RedisStore<Integer> store = RedisStore.builder(name, 0)
        .uri(RedisURI.create(uri))
        .type(Integer.class)
        .writeTimeout(writeTimeout)
        .interceptor(new Interceptor<>() {
          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            afterCommits.add(committed.version());
          }
        })
        .build();
    resources.add(store);
    return store;
  }

  private String redisVersion(RedisServerProcess server) {
    try (RedisClient raw = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = raw.connect()) {
      return c.sync().get("snapflux:{" + name + "}:version");
    }
  }

  /**
   * Redis comes back older than the instances (a failover to a replica that lagged, an RDB
   * restore): the instance that carries its replica's state past Redis carries the ids of the
   * writes in it. A write Redis lost but the carried state holds is then "committed" to a status
   * check (and to a resend of it), never "not committed" while its effect is in the state: that
   * would let its writer apply it a second time. Fails if ADVANCE carries the state alone.
   */
  @Test
  void redisBackOlder_theCarriedStateBringsItsWriteIds_statusCommitted() throws Exception {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> a = instance(server.uri(), Duration.ofSeconds(5));
    RedisStore<Integer> b = instance(server.uri(), Duration.ofSeconds(5));
    a.update(n -> n + 1);
    java.nio.file.Path old = server.saveRdb();
    assertThat(a.update(n -> n + 10).version()).isEqualTo(2);
    String lostWrite;
    try (RedisClient raw = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = raw.connect()) {
      lostWrite = c.sync().zrangebyscore("snapflux:{" + name + "}:writes",
          io.lettuce.core.Range.create(2, 2)).get(0);
    }
    Awaitility.await().atMost(TIMEOUT).until(() -> b.snapshot().version() == 2);

    server.restartFrom(old); // Redis at version 1, without the second write or its id

    Awaitility.await("an instance carries its replica past Redis").atMost(TIMEOUT)
        .ignoreExceptions().until(() -> Long.parseLong(redisVersion(server)) >= 4);
    assertThat(a.commitStatus(lostWrite)).isEqualTo(new CommitStatus.Committed(2));
    Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().state() == 11
        && b.snapshot().state() == 11);
    assertThat(a.update(n -> n + 100).state()).isEqualTo(111);
  }

  @Test
  void update_connectionResetAfterCommitApplied_reportsAppliedOnceWithAfterCommitOnce()
      throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy proxy = resources.proxy(server);
    RedisStore<Integer> store = instance(proxy.uri(), Duration.ofSeconds(10));
    store.update(n -> n + 1); // loads the script: the next COMMIT is an EVALSHA

    proxy.arm(TcpProxy.Fault.RESET_AFTER_FORWARD, LuaScripts.COMMIT_SHA, Duration.ZERO);
    Snapshot<Integer> result = store.update(n -> n + 1);

    assertThat(proxy.awaitFired(TIMEOUT)).isTrue();
    assertThat(result.version()).isEqualTo(2);
    assertThat(result.state()).isEqualTo(2);
    assertThat(redisVersion(server)).isEqualTo("2");
    assertThat(store.snapshot().version()).isEqualTo(2);
    assertThat(afterCommits).containsExactly(1L, 2L);
  }

  @Test
  void update_replyLaterThanWriteTimeout_reportsAppliedWithAfterCommitOnce() throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy proxy = resources.proxy(server);
    RedisStore<Integer> store = instance(proxy.uri(), Duration.ofSeconds(1));
    store.update(n -> n + 1);

    proxy.arm(TcpProxy.Fault.DELAY_REPLY, LuaScripts.COMMIT_SHA, Duration.ofSeconds(3));
    Snapshot<Integer> result = store.update(n -> n + 1);

    assertThat(result.version()).isEqualTo(2);
    assertThat(store.snapshot().version()).isEqualTo(2);
    assertThat(proxy.awaitDone(TIMEOUT)).as("the late reply was delivered").isTrue();
    assertThat(store.update(n -> n + 1).version()).isEqualTo(3);
    assertThat(redisVersion(server)).isEqualTo("3");
    assertThat(afterCommits).containsExactly(1L, 2L, 3L);
  }

  @Test
  void update_replyDroppedOnAConnectionThatStaysOpen_reportsApplied() throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy proxy = resources.proxy(server);
    RedisStore<Integer> store = instance(proxy.uri(), Duration.ofSeconds(1));
    store.update(n -> n + 1);

    proxy.arm(TcpProxy.Fault.DROP_REPLY, LuaScripts.COMMIT_SHA, Duration.ofSeconds(3));
    Snapshot<Integer> result = store.update(n -> n + 1);

    assertThat(result.version()).isEqualTo(2);
    assertThat(afterCommits).containsExactly(1L, 2L);
    assertThat(proxy.awaitDone(TIMEOUT)).isTrue();
    // The black-holed connection is closed after the fault; the store reconnects and goes on.
    Awaitility.await().atMost(TIMEOUT).ignoreExceptions()
        .until(() -> store.update(n -> n + 1).version() == 3);
    assertThat(redisVersion(server)).isEqualTo("3");
  }

  @Test
  void update_requestLaterThanWriteTimeout_failsNotCommittedAndTheLateCopyNeverApplies()
      throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy proxy = resources.proxy(server);
    RedisStore<Integer> store = instance(proxy.uri(), Duration.ofSeconds(1));
    store.update(n -> n + 1);
    long roundTrips = store.redisStats().roundTrips();

    proxy.arm(TcpProxy.Fault.DELAY_REQUEST, LuaScripts.COMMIT_SHA, Duration.ofSeconds(4));
    assertThatThrownBy(() -> store.update(n -> n + 1))
        .isExactlyInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("did not commit");
    RedisStats stats = store.redisStats();
    assertThat(stats.writeTimeouts()).isEqualTo(1);
    assertThat(stats.outcomesUnknown()).isZero();
    assertThat(stats.roundTrips()).as("the COMMIT and the FENCE that settled it")
        .isEqualTo(roundTrips + 2);

    assertThat(proxy.awaitDone(TIMEOUT)).as("the late request reached Redis").isTrue();
    // A write on the same connection is answered after the late copy was run (and refused).
    assertThat(store.update(n -> n + 10).version()).isEqualTo(2);
    assertThat(store.snapshot().state()).isEqualTo(11);
    assertThat(redisVersion(server)).isEqualTo("2");
    assertThat(afterCommits).containsExactly(1L, 2L);
  }

  @Test
  void update_redisUnreachableBeforeTheOutcomeIsKnown_throwsOutcomeUnknown_commitStatusSettles()
      throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy proxy = resources.proxy(server);
    RedisStore<Integer> store = instance(proxy.uri(), Duration.ofSeconds(1));
    store.update(n -> n + 1);

    proxy.arm(TcpProxy.Fault.DROP_REPLY, LuaScripts.COMMIT_SHA, Duration.ofSeconds(60));
    Thread cutter = new Thread(() -> {
      try {
        if (proxy.awaitFired(TIMEOUT)) {
          Awaitility.await().atMost(TIMEOUT).until(() -> "2".equals(redisVersion(server)));
          proxy.cut(); // the commit was applied; now nothing can ask
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    cutter.start();
    CommitOutcomeUnknownException unknown = catchThrowableOfType(
        CommitOutcomeUnknownException.class, () -> store.update(n -> n + 1));
    cutter.join();

    assertThat(unknown).isNotNull();
    assertThat(unknown.storeName()).isEqualTo(name);
    assertThat(unknown.writeId()).isNotBlank();
    assertThat(unknown).hasMessageContaining(unknown.writeId());
    assertThat(store.redisStats().writeTimeouts()).isEqualTo(1);
    assertThat(store.redisStats().outcomesUnknown()).isEqualTo(1);
    assertThat(store.commitStatus(unknown.writeId())).isInstanceOf(CommitStatus.Unknown.class);
    assertThat(afterCommits).containsExactly(1L);

    proxy.restore();
    Awaitility.await().atMost(TIMEOUT).until(store::isConnected);
    assertThat(store.commitStatus(unknown.writeId())).isEqualTo(new CommitStatus.Committed(2));
    Awaitility.await().atMost(TIMEOUT).until(() -> store.snapshot().version() == 2);
    assertThat(store.commitStatus(unknown.writeId())).as("asked again: the same answer")
        .isEqualTo(new CommitStatus.Committed(2));
  }

  @Test
  void commitStatus_writeThatNeverReachedRedis_isNotCommittedAndFencedForever() throws Exception {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> store = instance(server.uri(), Duration.ofSeconds(5));
    store.update(n -> n + 1);
    String neverSent = "cafe:1:1";

    assertThat(store.commitStatus(neverSent)).isEqualTo(new CommitStatus.NotCommitted());
    assertThat(store.commitStatus(neverSent)).isEqualTo(new CommitStatus.NotCommitted());
    assertThatThrownBy(() -> store.commitStatus("not-a-write-id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not-a-write-id");
  }

  @Test
  void update_gapFillingReadResetByTheConnection_isRetriedNotSkipped() throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy proxy = resources.proxy(server);
    RedisStore<Integer> other = instance(server.uri(), Duration.ofSeconds(10));
    RedisStore<Integer> store = instance(proxy.uri(), Duration.ofSeconds(10));
    List<Long> seen = new CopyOnWriteArrayList<>();
    reactor.core.Disposable d = store.changes(io.snapflux.store.Delivery.lossless(100))
        .map(Snapshot::version).subscribe(seen::add);
    resources.add(d::dispose);
    other.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> store.snapshot().version() == 1);

    // Stall the follower, so that the next own commit must read versions 2..4 itself; then
    // reset the connection under that read.
    proxy.arm(TcpProxy.Fault.DELAY_REPLY, "XREAD", Duration.ofSeconds(3));
    assertThat(proxy.awaitFired(TIMEOUT)).isTrue();
    for (int i = 0; i < 3; i++) {
      other.update(n -> n + 1);
    }
    proxy.arm(TcpProxy.Fault.RESET_AFTER_FORWARD, "XRANGE", Duration.ZERO);
    Snapshot<Integer> own = store.update(n -> n + 1);

    assertThat(proxy.awaitFired(TIMEOUT)).as("the gap-filling read was reset").isTrue();
    assertThat(own.version()).isEqualTo(5);
    Awaitility.await().atMost(TIMEOUT).until(() -> seen.contains(5L));
    assertThat(seen).as("no needless gap").containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
  }
}
