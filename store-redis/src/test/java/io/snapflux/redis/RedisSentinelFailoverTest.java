package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * A master failover through Redis Sentinel under writers: a master with two replicas and three
 * sentinels (quorum 2) started by the test ({@link RedisSentinelProcess}), two store instances
 * connected through the sentinels, one writer thread each incrementing in a loop; the master is
 * killed (SIGKILL) and the sentinels promote a replica. Reads keep serving, writes commit on the
 * promoted replica within a bound, and the instances converge on the new master's state. With
 * {@code replicaAcks} equal to the number of replicas no acknowledged increment is lost; with
 * {@code replicaAcks(0)} (asynchronous replication) the test claims nothing about loss, only
 * convergence, and prints what was lost.
 */
final class RedisSentinelFailoverTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestResources resources = new TestResources();
  private final String name = "failover-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisStore<Integer> instance(RedisSentinelProcess redis, int acks) {
    RedisStoreBuilder<Integer> b = RedisStore.builder(name, 0)
        .uri(redis.uri())
        .type(Integer.class)
        .writeTimeout(Duration.ofSeconds(3))
        .pollTimeout(Duration.ofMillis(500));
    if (acks > 0) {
      b.replicaAcks(acks, Duration.ofMillis(500));
    }
    RedisStore<Integer> store = b.build();
    resources.add(store);
    return store;
  }

  /** Writers on two instances, counting each outcome, until {@link #stop()}. */
  private static final class Writers {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong notReplicated = new AtomicLong();
    final AtomicLong unknown = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong lastAckNanos = new AtomicLong();
    final AtomicLong lastCommitNanos = new AtomicLong();
    final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new ArrayList<>();

    Writers(List<RedisStore<Integer>> stores) {
      for (RedisStore<Integer> store : stores) {
        Thread t = new Thread(() -> {
          while (!stop.get()) {
            try {
              store.update("inc", x -> x + 1);
              acknowledged.incrementAndGet();
              lastAckNanos.set(System.nanoTime());
              lastCommitNanos.set(System.nanoTime());
            } catch (ReplicaAcknowledgementException e) {
              notReplicated.incrementAndGet();
              lastCommitNanos.set(System.nanoTime());
            } catch (CommitOutcomeUnknownException e) {
              unknown.incrementAndGet();
            } catch (StoreUnavailableException e) {
              failed.incrementAndGet();
            } catch (RuntimeException e) {
              unexpected.add(e);
            }
          }
        }, "writer-" + stores.indexOf(store));
        t.start();
        threads.add(t);
      }
    }

    void stop() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(TIMEOUT.toMillis());
        assertThat(t.isAlive()).isFalse();
      }
    }
  }

  /** Reads on both instances while the master is down: they must answer, without Redis. */
  private static final class Readers {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong reads = new AtomicLong();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final Thread thread;

    Readers(RedisStore<Integer> a, RedisStore<Integer> b) {
      thread = new Thread(() -> {
        while (!stop.get()) {
          try {
            Objects.requireNonNull(a.snapshot().state());
            Objects.requireNonNull(b.snapshot().state());
            reads.incrementAndGet();
            Thread.onSpinWait();
          } catch (RuntimeException e) {
            errors.add(e);
          }
        }
      }, "reader");
      thread.start();
    }

    long stop() throws InterruptedException {
      stop.set(true);
      thread.join(TIMEOUT.toMillis());
      assertThat(errors).isEmpty();
      return reads.get();
    }
  }

  /** The state and version the master on {@code port} holds for the store. */
  private long[] onNode(RedisSentinelProcess redis, int port) {
    return redis.run(port, c -> new long[] {
        Long.parseLong(c.sync().get("snapflux:{" + name + "}:state")),
        Long.parseLong(c.sync().get("snapflux:{" + name + "}:version"))});
  }

  @Test
  void masterKilledUnderWriters_replicaAcksOfEveryReplica_noAcknowledgedIncrementLost()
      throws Exception {
    RedisSentinelProcess redis = RedisSentinelProcess.start(2);
    resources.add(redis);
    RedisStore<Integer> a = instance(redis, 2);
    RedisStore<Integer> b = instance(redis, 2);
    // A follower's lossless subscription on B: versions strictly increasing throughout.
    List<Snapshot<Integer>> seenByB = new CopyOnWriteArrayList<>();
    Disposable subscription = b.changes(Delivery.lossless(100_000)).subscribe(seenByB::add);
    resources.add(subscription::dispose);

    Writers writers = new Writers(List.of(a, b));
    Awaitility.await().atMost(TIMEOUT).until(() -> writers.acknowledged.get() >= 200);

    int oldMaster = redis.masterPort();
    long ackedAtKill = writers.acknowledged.get();
    Readers readers = new Readers(a, b);
    long killed = System.nanoTime();
    redis.kill(oldMaster);
    int newMaster = redis.awaitPromotion(oldMaster, TIMEOUT);
    long promoted = System.nanoTime();
    long readsDuringOutage = readers.stop();
    // Between them the instances serve every increment acknowledged before the kill (another
    // instance's last ones may not have reached a writing instance: its follower pauses).
    assertThat(Math.max(a.snapshot().state(), b.snapshot().state()))
        .isGreaterThanOrEqualTo((int) ackedAtKill);

    Awaitility.await("writes commit on the promoted replica").atMost(TIMEOUT)
        .until(() -> writers.lastCommitNanos.get() > promoted);
    long committedAgain = writers.lastCommitNanos.get();
    // The new master has one replica (the sentinels re-pointed the other): WAIT 2 fails until
    // the old master, restarted empty, is made a replica (as the sentinels would) and has synced.
    redis.restart(oldMaster);
    redis.awaitReplicasOnline(newMaster, 2);
    long healthy = System.nanoTime();
    Awaitility.await("writes acknowledged by two replicas again").atMost(TIMEOUT)
        .until(() -> writers.lastAckNanos.get() > healthy);
    long resumed = writers.lastAckNanos.get();
    long ackedAfter = writers.acknowledged.get();
    Awaitility.await().atMost(TIMEOUT).until(() -> writers.acknowledged.get() >= ackedAfter + 100);
    writers.stop();
    assertThat(writers.unexpected).isEmpty();
    assertThat(newMaster).isNotEqualTo(oldMaster);

    long[] master = new long[2];
    Awaitility.await("both instances converge on the new master's state").atMost(TIMEOUT)
        .untilAsserted(() -> {
          System.arraycopy(onNode(redis, redis.masterPort()), 0, master, 0, 2);
          assertThat(a.snapshot().version()).isEqualTo(master[1]);
          assertThat(b.snapshot().version()).isEqualTo(master[1]);
          assertThat(a.snapshot().state()).isEqualTo((int) master[0]);
          assertThat(b.snapshot().state()).isEqualTo((int) master[0]);
          assertThat(seenByB.get(seenByB.size() - 1).version()).isEqualTo(master[1]);
        });
    for (int i = 1; i < seenByB.size(); i++) {
      assertThat(seenByB.get(i).version()).isGreaterThan(seenByB.get(i - 1).version());
    }
    long finalValue = master[0];
    System.out.printf("sentinel failover (replicaAcks 2 of 2): kill -> promotion %d ms, "
            + "promotion -> first commit %d ms, promotion -> old master back as a replica, online "
            + "%d ms, then -> first acknowledged write %d ms; reads during the outage %d; "
            + "acknowledged %d, not replicated %d, unknown %d, failed %d, final %d%n",
        ms(promoted - killed), ms(Math.max(0, committedAgain - promoted)), ms(healthy - promoted),
        ms(Math.max(0, resumed - healthy)), readsDuringOutage, writers.acknowledged.get(),
        writers.notReplicated.get(), writers.unknown.get(), writers.failed.get(), finalValue);
    assertThat(readsDuringOutage).as("reads served while the master was down").isPositive();
    // No acknowledged increment lost; nothing counted that no write made.
    assertThat(finalValue).isGreaterThanOrEqualTo(writers.acknowledged.get());
    assertThat(finalValue).isLessThanOrEqualTo(writers.acknowledged.get()
        + writers.notReplicated.get() + writers.unknown.get());
    // Bounds stated in docs/redis.md ("Failover through Sentinel, measured").
    assertThat(ms(committedAgain - promoted)).isLessThan(5_000);
    assertThat(ms(resumed - healthy)).isLessThan(2_000);
  }

  @Test
  void masterKilledUnderWriters_withoutReplicaAcks_instancesConverge_lossNotClaimed()
      throws Exception {
    RedisSentinelProcess redis = RedisSentinelProcess.start(2);
    resources.add(redis);
    RedisStore<Integer> a = instance(redis, 0);
    RedisStore<Integer> b = instance(redis, 0);
    Writers writers = new Writers(List.of(a, b));
    Awaitility.await().atMost(TIMEOUT).until(() -> writers.acknowledged.get() >= 200);

    int oldMaster = redis.masterPort();
    Readers readers = new Readers(a, b);
    long killed = System.nanoTime();
    redis.kill(oldMaster);
    redis.awaitPromotion(oldMaster, TIMEOUT);
    long promoted = System.nanoTime();
    long readsDuringOutage = readers.stop();
    Awaitility.await("writes commit on the promoted replica").atMost(TIMEOUT)
        .until(() -> writers.lastCommitNanos.get() > promoted);
    long committedAgain = writers.lastCommitNanos.get();
    long ackedAfter = writers.acknowledged.get();
    Awaitility.await().atMost(TIMEOUT).until(() -> writers.acknowledged.get() >= ackedAfter + 100);
    writers.stop();
    assertThat(writers.unexpected).isEmpty();

    long[] master = new long[2];
    Awaitility.await("both instances converge on the new master's state").atMost(TIMEOUT)
        .untilAsserted(() -> {
          System.arraycopy(onNode(redis, redis.masterPort()), 0, master, 0, 2);
          assertThat(a.snapshot().version()).isEqualTo(master[1]);
          assertThat(b.snapshot().version()).isEqualTo(master[1]);
          assertThat(a.snapshot().state()).isEqualTo((int) master[0]);
          assertThat(b.snapshot().state()).isEqualTo((int) master[0]);
        });
    long finalValue = master[0];
    // Asynchronous replication: increments acknowledged by the old master may be lost (the
    // replica promoted lacked them, and no instance carried them over); none is invented.
    System.out.printf("sentinel failover (no replica acks): kill -> promotion %d ms, promotion -> "
            + "first commit %d ms; reads during the outage %d; acknowledged %d, unknown %d, "
            + "failed %d, final %d (lost: %d)%n",
        ms(promoted - killed), ms(Math.max(0, committedAgain - promoted)), readsDuringOutage,
        writers.acknowledged.get(), writers.unknown.get(), writers.failed.get(), finalValue,
        Math.max(0, writers.acknowledged.get() - finalValue));
    assertThat(readsDuringOutage).isPositive();
    assertThat(finalValue).isLessThanOrEqualTo(writers.acknowledged.get() + writers.unknown.get());
    assertThat(ms(committedAgain - promoted)).isLessThan(5_000);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
