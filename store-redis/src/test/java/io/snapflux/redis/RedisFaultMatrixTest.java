package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Two instances (two clients, each behind its own fault proxy) increment one counter from two
 * threads each while the test injects, one after the other: a connection reset after a COMMIT
 * was applied, a reply later than the write timeout, a dropped reply, a request later than the
 * write timeout, Redis restarted from an older RDB, and Redis restarted empty.
 *
 * <p>Asserted: every increment a caller saw acknowledged is in the final value and no other
 * (plain failures did not commit; unknown outcomes are settled by {@code commitStatus}); every
 * version names one state across both instances' subscribers, returned snapshots and {@code
 * snapshot()} reads.
 */
final class RedisFaultMatrixTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration WRITE_TIMEOUT = Duration.ofMillis(1500);
  private static final int STEP = 40;

  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private final String name = "matrix-" + UUID.randomUUID();
  /** Every (version, state) any reader saw; a second state for a version is the bug. */
  private final Map<Long, Set<Integer>> statesByVersion = new ConcurrentHashMap<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
  private final Map<String, RedisStore<Integer>> unknown = new ConcurrentHashMap<>();
  /** Writers hold the read lock per update; the test takes the write lock to quiesce them. */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private volatile boolean running = true;

  @AfterEach
  void cleanUp() throws Exception {
    running = false;
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private void saw(Snapshot<Integer> s) {
    statesByVersion.computeIfAbsent(s.version(), v -> ConcurrentHashMap.newKeySet())
        .add(s.state());
  }

  private RedisStore<Integer> instance(String uri) {
    RedisStore<Integer> store = RedisStore.builder(name, 0)
        .uri(RedisURI.create(uri))
        .type(Integer.class)
        .writeTimeout(WRITE_TIMEOUT)
        // Every unknown outcome is settled at the end, so every write id must still be there:
        // the writers commit over 10,000 versions (the default retention) in one fault window.
        .writeIdRetention(1_000_000)
        .build();
    resources.add(store);
    Disposable d = store.changes(Delivery.lossless(100_000)).subscribe(this::saw);
    resources.add(d::dispose);
    return store;
  }

  private Thread writer(RedisStore<Integer> store, int i) {
    Thread t = new Thread(() -> {
      while (running) {
        gate.readLock().lock();
        try {
          saw(store.update(n -> n + 1));
          acknowledged.incrementAndGet();
        } catch (CommitOutcomeUnknownException e) {
          unknown.put(e.writeId(), store);
        } catch (StoreUnavailableException e) {
          failed.incrementAndGet();
        } catch (Throwable e) {
          unexpected.add(e);
        } finally {
          gate.readLock().unlock();
        }
        saw(store.snapshot());
      }
    }, "matrix-writer-" + i);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void progress() {
    long target = acknowledged.get() + STEP;
    Awaitility.await().atMost(TIMEOUT).until(() -> acknowledged.get() >= target
        || !unexpected.isEmpty());
    assertThat(unexpected).isEmpty();
  }

  /** Stops the writers between updates and waits until both replicas hold Redis's version. */
  private void quiesce(RedisStore<Integer> a, RedisStore<Integer> b) {
    gate.writeLock().lock();
    Awaitility.await().atMost(TIMEOUT).until(() -> a.isConnected() && b.isConnected()
        && a.snapshot().version() == b.snapshot().version());
  }

  private static String redis(RedisServerProcess server, String key) {
    try (RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().get(key);
    }
  }

  @Test
  void faults_twoInstancesIncrementing_acknowledgedEqualsFinalAndOneStatePerVersion()
      throws Exception {
    RedisServerProcess server = RedisServerProcess.start();
    resources.add(server);
    TcpProxy toA = new TcpProxy(server.port());
    TcpProxy toB = new TcpProxy(server.port());
    resources.add(toA);
    resources.add(toB);
    RedisStore<Integer> a = instance(toA.uri());
    RedisStore<Integer> b = instance(toB.uri());
    List<Thread> writers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      writers.add(writer(i % 2 == 0 ? a : b, i));
    }
    progress();

    // Reply lost to a reset after the commit applied; reply later than the write timeout;
    // reply dropped on a connection that stays open; request later than the write timeout.
    toA.arm(TcpProxy.Fault.RESET_AFTER_FORWARD, LuaScripts.COMMIT_SHA, Duration.ZERO);
    assertThat(toA.awaitDone(TIMEOUT)).isTrue();
    progress();
    toB.arm(TcpProxy.Fault.DELAY_REPLY, LuaScripts.COMMIT_SHA, WRITE_TIMEOUT.multipliedBy(2));
    assertThat(toB.awaitDone(TIMEOUT)).isTrue();
    progress();
    toA.arm(TcpProxy.Fault.DROP_REPLY, LuaScripts.COMMIT_SHA, WRITE_TIMEOUT.multipliedBy(2));
    assertThat(toA.awaitDone(TIMEOUT)).isTrue();
    progress();
    toB.arm(TcpProxy.Fault.DELAY_REQUEST, LuaScripts.COMMIT_SHA, WRITE_TIMEOUT.multipliedBy(2));
    assertThat(toB.awaitDone(TIMEOUT)).isTrue();
    progress();

    // Redis restarted from an older RDB: the versions written after the SAVE are gone from it.
    quiesce(a, b);
    Path old = server.saveRdb();
    gate.writeLock().unlock();
    progress();
    quiesce(a, b);
    String before = redis(server, "snapflux:{" + name + "}:version");
    server.restartFrom(old);
    assertThat(Long.parseLong(redis(server, "snapflux:{" + name + "}:version")))
        .as("Redis came back older").isLessThan(Long.parseLong(before));
    gate.writeLock().unlock();
    progress();

    // Redis restarted empty.
    quiesce(a, b);
    server.restartFrom(null);
    gate.writeLock().unlock();
    progress();

    running = false;
    for (Thread t : writers) {
      t.join(TIMEOUT.toMillis());
    }
    assertThat(unexpected).isEmpty();
    for (Map.Entry<String, RedisStore<Integer>> e : unknown.entrySet()) {
      Awaitility.await().atMost(TIMEOUT).until(e.getValue()::isConnected);
      CommitStatus status = e.getValue().commitStatus(e.getKey());
      assertThat(status).isNotInstanceOf(CommitStatus.Unknown.class);
      if (status instanceof CommitStatus.Committed) {
        acknowledged.incrementAndGet();
      }
    }
    Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().version()
        == b.snapshot().version() && a.isConnected() && b.isConnected());
    saw(a.snapshot());
    saw(b.snapshot());

    assertThat(a.snapshot().state()).as("acknowledged increments (%d failed truthfully, %d unknown settled)",
        failed.get(), unknown.size()).isEqualTo((int) acknowledged.get());
    assertThat(b.snapshot().state()).isEqualTo(a.snapshot().state());
    assertThat(redis(server, "snapflux:{" + name + "}:state")).isEqualTo(a.snapshot().state().toString());
    assertThat(statesByVersion.entrySet().stream().filter(e -> e.getValue().size() > 1))
        .as("versions naming two states").isEmpty();
    System.out.printf("fault matrix: %d acknowledged, %d failed, %d unknown, final version %d%n",
        acknowledged.get(), failed.get(), unknown.size(), a.snapshot().version());
  }
}
