package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis stores on a Redis Cluster of 3 masters and 3 replicas started by the test ({@link
 * RedisClusterProcess}): stores spread over the masters, a slot migrated under writers, and a
 * master killed under writers with replica acknowledgement on.
 */
final class RedisClusterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

  private final TestResources resources = new TestResources();
  private final String prefix = "cluster-" + UUID.randomUUID().toString().substring(0, 8) + "-";

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisClusterProcess cluster() throws Exception {
    RedisClusterProcess c = RedisClusterProcess.start();
    resources.add(c);
    return c;
  }

  private RedisStore<Integer> instance(RedisClusterProcess cluster, String name, int acks) {
    RedisStoreBuilder<Integer> b = RedisStore.builder(name, 0)
        .cluster(cluster.uris())
        .type(Integer.class)
        .writeTimeout(WRITE_TIMEOUT)
        .pollTimeout(Duration.ofMillis(500));
    if (acks > 0) {
      b.replicaAcks(acks, Duration.ofMillis(500));
    }
    RedisStore<Integer> store = b.build();
    resources.add(store);
    return store;
  }

  private static String stateKey(String name) {
    return "snapflux:{" + name + "}:state";
  }

  @Test
  void stores_spreadOverTheMasters_twoInstancesOfEachConverge() throws Exception {
    RedisClusterProcess cluster = cluster();
    // Names whose slots belong to three different masters.
    Map<Integer, String> byMaster = new LinkedHashMap<>();
    for (int i = 0; byMaster.size() < 3 && i < 1000; i++) {
      String name = prefix + i;
      byMaster.putIfAbsent(cluster.masterPortOf(stateKey(name)), name);
    }
    assertThat(byMaster).hasSize(3);

    List<RedisStore<Integer>> as = new ArrayList<>();
    List<RedisStore<Integer>> bs = new ArrayList<>();
    for (String name : byMaster.values()) {
      as.add(instance(cluster, name, 0));
      bs.add(instance(cluster, name, 0));
    }
    List<Thread> writers = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      for (RedisStore<Integer> store : List.of(as.get(s), bs.get(s))) {
        Thread t = new Thread(() -> {
          for (int i = 0; i < 100; i++) {
            store.update("inc", x -> x + 1);
          }
        });
        t.start();
        writers.add(t);
      }
    }
    for (Thread t : writers) {
      t.join(TIMEOUT.toMillis());
      assertThat(t.isAlive()).isFalse();
    }
    for (int s = 0; s < 3; s++) {
      RedisStore<Integer> a = as.get(s);
      RedisStore<Integer> b = bs.get(s);
      Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(a.snapshot().state()).isEqualTo(200);
        assertThat(b.snapshot().state()).isEqualTo(200);
        assertThat(a.snapshot().version()).isEqualTo(200);
      });
      // Every key of the store on its slot's master.
      int master = cluster.masterPortOf(stateKey(a.name()));
      try (RedisClient raw = RedisClient.create(RedisURI.create("127.0.0.1", master));
          StatefulRedisConnection<String, String> c = raw.connect()) {
        assertThat(c.sync().get("snapflux:{" + a.name() + "}:version")).isEqualTo("200");
        assertThat(c.sync().xlen("snapflux:{" + a.name() + "}:stream")).isEqualTo(200);
      }
    }
  }

  @Test
  void slotMigratedUnderWriters_followersFollowAndNothingIsLost() throws Exception {
    RedisClusterProcess cluster = cluster();
    String name = prefix + "moving";
    RedisStore<Integer> a = instance(cluster, name, 0);
    RedisStore<Integer> b = instance(cluster, name, 0);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acknowledged = new AtomicLong();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (RedisStore<Integer> store : List.of(a, b)) {
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          try {
            store.update("inc", x -> x + 1);
            acknowledged.incrementAndGet();
          } catch (RuntimeException e) {
            failures.add(e);
          }
        }
      });
      t.start();
      writers.add(t);
    }
    Awaitility.await().atMost(TIMEOUT).until(() -> acknowledged.get() >= 100);
    int slot = SlotHash.getSlot(stateKey(name));
    int from = cluster.masterPortOf(stateKey(name));
    int to = cluster.ports().stream()
        .filter(p -> p != from && isMaster(p))
        .findFirst().orElseThrow();
    long t0 = System.nanoTime();
    migrateSlot(cluster, slot, from, to);
    long t1 = System.nanoTime();
    assertThat(cluster.masterPortOf(stateKey(name))).isEqualTo(to);
    long afterMove = acknowledged.get();
    Awaitility.await().atMost(TIMEOUT).until(() -> acknowledged.get() >= afterMove + 100);
    System.out.printf("slot migration: moved in %d ms, 100 more writes in %d ms%n", ms(t1 - t0),
        ms(System.nanoTime() - t1));
    stop.set(true);
    for (Thread t : writers) {
      t.join(TIMEOUT.toMillis());
    }
    assertThat(failures).isEmpty();
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(a.snapshot().state()).isEqualTo((int) acknowledged.get());
      assertThat(b.snapshot()).isEqualTo(a.snapshot());
    });
  }

  private static boolean isMaster(int port) {
    try (RedisClient raw = RedisClient.create(RedisURI.create("127.0.0.1", port));
        StatefulRedisConnection<String, String> c = raw.connect()) {
      return c.sync().info("replication").contains("role:master");
    }
  }

  /** Moves {@code slot} from one master to another the way redis-cli's reshard does. */
  private static void migrateSlot(RedisClusterProcess cluster, int slot, int from, int to) {
    try (RedisClient source = RedisClient.create(RedisURI.create("127.0.0.1", from));
        RedisClient target = RedisClient.create(RedisURI.create("127.0.0.1", to));
        StatefulRedisConnection<String, String> s = source.connect();
        StatefulRedisConnection<String, String> t = target.connect()) {
      String sourceId = s.sync().clusterMyId();
      String targetId = t.sync().clusterMyId();
      t.sync().clusterSetSlotImporting(slot, sourceId);
      s.sync().clusterSetSlotMigrating(slot, targetId);
      for (;;) {
        List<String> keys = s.sync().clusterGetKeysInSlot(slot, 100);
        if (keys.isEmpty()) {
          break;
        }
        s.sync().migrate("127.0.0.1", to, 0, 5000,
            io.lettuce.core.MigrateArgs.Builder.keys(keys));
      }
      t.sync().clusterSetSlotNode(slot, targetId);
      s.sync().clusterSetSlotNode(slot, targetId);
      for (int port : cluster.ports()) {
        if (port != from && port != to && isMaster(port)) {
          try (RedisClient other = RedisClient.create(RedisURI.create("127.0.0.1", port));
              StatefulRedisConnection<String, String> o = other.connect()) {
            o.sync().clusterSetSlotNode(slot, targetId);
          }
        }
      }
    }
  }

  @Test
  void masterKilledUnderWriters_withReplicaAcks_noAcknowledgedIncrementLost() throws Exception {
    RedisClusterProcess cluster = cluster();
    String name = prefix + "failover";
    RedisStore<Integer> a = instance(cluster, name, 1);
    RedisStore<Integer> b = instance(cluster, name, 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong notReplicated = new AtomicLong();
    AtomicLong unknown = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong lastAckNanos = new AtomicLong();
    AtomicLong lastCommitNanos = new AtomicLong();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (RedisStore<Integer> store : List.of(a, b)) {
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
      });
      t.start();
      writers.add(t);
    }
    Awaitility.await().atMost(TIMEOUT).until(() -> acknowledged.get() >= 200);

    String key = stateKey(name);
    int oldMaster = cluster.masterPortOf(key);
    long ackedAtKill = acknowledged.get();
    long killed = System.nanoTime();
    cluster.kill(oldMaster);
    // Reads keep serving the last snapshots meanwhile; between them, every acknowledged
    // increment (each instance holds its own; another's last ones may not have reached it: a
    // writing instance's follower pauses, see RedisStoreBuilder.followerPause).
    assertThat(Math.max(a.snapshot().state(), b.snapshot().state()))
        .isGreaterThanOrEqualTo((int) ackedAtKill);
    int newMaster = cluster.awaitFailover(key, oldMaster, TIMEOUT);
    long promoted = System.nanoTime();
    Awaitility.await("writes commit on the promoted replica").atMost(TIMEOUT)
        .until(() -> lastCommitNanos.get() > promoted);
    long committedAgain = lastCommitNanos.get();
    // The old master comes back as the new master's replica: WAIT 1 can be satisfied again.
    cluster.restart(oldMaster);
    cluster.awaitHealthy();
    long healthy = System.nanoTime();
    Awaitility.await("writes acknowledged again").atMost(TIMEOUT)
        .until(() -> lastAckNanos.get() > healthy);
    long resumed = lastAckNanos.get();
    long ackedAfter = acknowledged.get();
    Awaitility.await().atMost(TIMEOUT).until(() -> acknowledged.get() >= ackedAfter + 100);
    stop.set(true);
    for (Thread t : writers) {
      t.join(TIMEOUT.toMillis());
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(unexpected).isEmpty();
    assertThat(newMaster).isNotEqualTo(oldMaster);

    Awaitility.await("both instances converge").atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(b.snapshot().version()).isEqualTo(a.snapshot().version());
      assertThat(b.snapshot().state()).isEqualTo(a.snapshot().state());
    });
    int finalValue = a.snapshot().state();
    System.out.printf("failover: kill -> promotion %d ms, promotion -> first commit %d ms, "
            + "promotion -> cluster healthy (old master restarted as replica) %d ms, healthy -> "
            + "first acknowledged write %d ms; acknowledged %d, not replicated %d, unknown %d, "
            + "failed %d, final %d%n",
        ms(promoted - killed), ms(Math.max(0, committedAgain - promoted)), ms(healthy - promoted),
        ms(Math.max(0, resumed - healthy)),
        acknowledged.get(), notReplicated.get(), unknown.get(), failed.get(), finalValue);
    // No acknowledged increment lost; nothing counted that no write made.
    assertThat(finalValue).isGreaterThanOrEqualTo((int) acknowledged.get());
    assertThat(finalValue)
        .isLessThanOrEqualTo((int) (acknowledged.get() + notReplicated.get() + unknown.get()));
    // Bounds stated in docs/redis.md: writes commit again within 3 s of the promotion (the
    // adaptive topology refresh), and are acknowledged again within 2 s of the returning node's
    // resync.
    assertThat(ms(committedAgain - promoted)).isLessThan(3_000);
    assertThat(ms(resumed - healthy)).isLessThan(2_000);
    Set<Integer> ports = new HashSet<>(cluster.ports());
    assertThat(ports).contains(newMaster);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
