package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.snapflux.store.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * {@link RedisStoreBuilder#queueWrites(boolean)}: an instance's writes to one store take turns,
 * each starting from the version its predecessor committed, so they never conflict with each
 * other; a write waits for its turn at most the write timeout and then fails unsent; writes to
 * other stores do not wait; and {@code queueWrites(false)} sends every write at once.
 */
final class RedisWriteTurnsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestResources resources = new TestResources();
  private final String name = "turns-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  private RedisStore<Integer> instance(
      RedisServerProcess server, String store, boolean queue, Duration writeTimeout) {
    RedisStore<Integer> s = RedisStore.builder(store, 0).uri(RedisURI.create(server.uri()))
        .type(Integer.class).queueWrites(queue).writeTimeout(writeTimeout).build();
    resources.add(s);
    return s;
  }

  private RedisStore<Integer> instance(RedisServerProcess server, boolean queue) {
    return instance(server, name, queue, TIMEOUT);
  }

  /** Starts {@code store.update(fn)} on a thread of its own. */
  private static CompletableFuture<Snapshot<Integer>> updateElsewhere(
      RedisStore<Integer> store, java.util.function.UnaryOperator<Integer> fn) {
    return CompletableFuture.supplyAsync(() -> store.update(fn), r -> {
      Thread t = new Thread(r, "writer");
      t.setDaemon(true);
      t.start();
    });
  }

  /**
   * A write on a thread of its own whose function, once entered, waits for {@link #finish()}
   * before answering {@code result}: meanwhile it holds its store's turn.
   */
  private static final class Held {
    final CountDownLatch release = new CountDownLatch(1);
    final CompletableFuture<Snapshot<Integer>> write;

    Held(RedisStore<Integer> store, int result) throws InterruptedException {
      CountDownLatch entered = new CountDownLatch(1);
      write = updateElsewhere(store, x -> {
        entered.countDown();
        try {
          if (!release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        return result;
      });
      assertThat(entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    /** Lets the function answer, and waits for the write's result. */
    Snapshot<Integer> finish() throws Exception {
      release.countDown();
      return write.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void writeMadeWhileAnotherIsInFlight_startsFromThatWritesCommit_appliedOnce() throws Exception {
    RedisStore<Integer> store = instance(resources.server(), true);
    Held first = new Held(store, 10);

    // Made while the first is between its function and its commit: it waits for its turn.
    List<Integer> secondSaw = new CopyOnWriteArrayList<>();
    List<Integer> thirdSaw = new CopyOnWriteArrayList<>();
    AtomicReference<Snapshot<Integer>> second = new AtomicReference<>();
    AtomicReference<Snapshot<Integer>> third = new AtomicReference<>();
    store.async().update(null, x -> {
      secondSaw.add(x);
      return x + 1;
    }).subscribe(second::set);
    store.async().update(null, x -> {
      thirdSaw.add(x);
      return x * 2;
    }).subscribe(third::set);
    assertThat(secondSaw).as("not applied before its turn").isEmpty();

    assertThat(first.finish().version()).isEqualTo(1);
    Awaitility.await().atMost(TIMEOUT).until(() -> third.get() != null);
    assertThat(secondSaw).as("applied once, on the first write's commit").containsExactly(10);
    assertThat(thirdSaw).as("in the order made").containsExactly(11);
    assertThat(second.get().version()).isEqualTo(2);
    assertThat(third.get().version()).isEqualTo(3);
    assertThat(third.get().state()).isEqualTo(22);
    assertThat(store.stats().casRetries()).isZero();
  }

  @Test
  void queueWritesFalse_writesRaceFromTheSameBase_andTheLoserRetries() throws Exception {
    RedisStore<Integer> store = instance(resources.server(), false);
    Held first = new Held(store, 10);

    List<Integer> secondSaw = new CopyOnWriteArrayList<>();
    Snapshot<Integer> second = store.update(x -> {
      secondSaw.add(x);
      return x + 1;
    });
    first.finish();

    // The second went first, from version 0; the first then met a conflict and went again.
    assertThat(secondSaw).containsExactly(0);
    assertThat(second.version()).isEqualTo(1);
    assertThat(store.snapshot().state()).isEqualTo(10);
    assertThat(store.stats().casRetries()).isEqualTo(1);
  }

  @Test
  void eightThreadsOnOneStore_everyUpdateLands_noConflictRetries() throws Exception {
    RedisStore<Integer> store = instance(resources.server(), true);
    int threads = 8;
    int perThread = 100;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> writers = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (int n = 0; n < perThread; n++) {
            store.update(x -> x + 1);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      writers.add(t);
      t.start();
    }
    long roundTripsBefore = store.redisStats().roundTrips();
    start.countDown();
    for (Thread t : writers) {
      t.join(TIMEOUT.toMillis());
      assertThat(t.isAlive()).isFalse();
    }

    assertThat(failures).isEmpty();
    assertThat(store.snapshot().state()).isEqualTo(threads * perThread);
    assertThat(store.snapshot().version()).isEqualTo(threads * perThread);
    assertThat(store.stats().casRetries()).isZero();
    assertThat(store.redisStats().roundTrips() - roundTripsBefore)
        .as("one COMMIT per update").isEqualTo(threads * perThread);
  }

  /** {@code CLIENT <args>}: Lettuce has no method for {@code CLIENT PAUSE ... WRITE}. */
  private static void client(StatefulRedisConnection<String, String> c, String... args) {
    CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8);
    for (String arg : args) {
      a.add(arg);
    }
    assertThat(c.sync().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8), a))
        .isEqualTo("OK");
  }

  @Test
  void writeWaitingLongerThanTheWriteTimeout_failsUnsent_andNeverApplies() throws Exception {
    RedisServerProcess server = resources.server();
    Duration writeTimeout = Duration.ofMillis(500);
    RedisStore<Integer> store = instance(server, name, true, writeTimeout);
    store.update(x -> x + 1); // loads the scripts
    RedisClient admin = RedisClient.create(server.uri());
    resources.add(admin::shutdown);
    StatefulRedisConnection<String, String> control = admin.connect();

    // Redis holds every write for 4 s: the first write, then its status check, time out (2 x
    // 500 ms at least) while it holds its turn; the second waits 500 ms for the turn, no more.
    long sent = store.redisStats().roundTrips();
    client(control, "PAUSE", "4000", "WRITE");
    CompletableFuture<Snapshot<Integer>> first = updateElsewhere(store, x -> x + 10);
    Awaitility.await().atMost(TIMEOUT).until(() -> store.redisStats().roundTrips() > sent);
    List<Integer> secondSaw = new CopyOnWriteArrayList<>();
    long started = System.nanoTime();
    assertThatThrownBy(() -> store.update(x -> {
      secondSaw.add(x);
      return x + 100;
    })).isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("store '" + name + "'")
        .hasMessageContaining("was not sent")
        .hasMessageContaining("did not commit");
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(waitedMs).isBetween(writeTimeout.toMillis(), 3_000L);
    assertThat(secondSaw).isEmpty();
    // Whatever became of the first (held by the pause), the second never reaches Redis.
    try {
      first.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException expected) {
      assertThat(expected.getCause()).isInstanceOf(RuntimeException.class);
    }
    client(control, "UNPAUSE");
    Awaitility.await().atMost(TIMEOUT).ignoreExceptions()
        .until(() -> store.update(x -> x + 1000).state() >= 1001);
    // 1 + 1000, and 10 more if the first committed when the pause ended: never the second's 100.
    assertThat(store.snapshot().state()).isIn(1001, 1011);
    assertThat(secondSaw).isEmpty();
  }

  @Test
  void updateFunctionWritingTheSameStore_failsAfterTheWriteTimeout_andTheStoreGoesOn()
      throws IOException {
    Duration writeTimeout = Duration.ofMillis(400);
    RedisStore<Integer> store = instance(resources.server(), name, true, writeTimeout);

    assertThatThrownBy(() -> store.update(x -> store.update(y -> y + 1).state() + 1))
        .isInstanceOf(StoreUnavailableException.class);

    // The outer write never commits; the inner one may, if the outer's own timeout ended its
    // turn first. Either way the store takes writes again.
    assertThat(store.update(x -> x + 5).state()).isIn(5, 6);
  }

  @Test
  void writesToAnotherStore_doNotWaitForThisStoresTurn() throws Exception {
    RedisServerProcess server = resources.server();
    RedisStore<Integer> busy = instance(server, name, true, TIMEOUT);
    RedisStore<Integer> other = instance(server, name + "-other", true, TIMEOUT);
    Held held = new Held(busy, 1);

    assertThat(other.update(x -> x + 7).state()).isEqualTo(7);
    assertThat(held.write).as("still in its turn").isNotDone();

    assertThat(held.finish().state()).isEqualTo(1);
  }

  @Test
  void waitingWriteCancelled_isNeverApplied_andTheNextOneGoes() throws Exception {
    RedisStore<Integer> store = instance(resources.server(), true);
    Held first = new Held(store, 1);
    List<Integer> cancelledSaw = new CopyOnWriteArrayList<>();
    Disposable cancelled = store.async().update(null, x -> {
      cancelledSaw.add(x);
      return x + 100;
    }).subscribe();
    AtomicReference<Snapshot<Integer>> next = new AtomicReference<>();
    store.async().update(null, x -> x + 1).subscribe(next::set);

    cancelled.dispose();
    first.finish();

    Awaitility.await().atMost(TIMEOUT).until(() -> next.get() != null);
    assertThat(next.get().state()).isEqualTo(2);
    assertThat(next.get().version()).isEqualTo(2);
    assertThat(cancelledSaw).isEmpty();
  }
}
