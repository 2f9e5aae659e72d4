package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Redis-specific behaviour: several instances sharing one store, and the fault rules, proven by
 * stopping and restarting a test-owned {@code redis-server}.
 */
final class RedisStoreTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);

  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private final String name = "test-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private RedisServerProcess redis(boolean appendOnly) throws IOException {
    RedisServerProcess server = RedisServerProcess.start(appendOnly);
    resources.add(server);
    return server;
  }

  /** An instance with a client of its own (rejects commands while disconnected). */
  private RedisStore<Integer> ownClientInstance(RedisServerProcess server) {
    return ownClientInstance(server, WRITE_TIMEOUT);
  }

  private RedisStore<Integer> ownClientInstance(RedisServerProcess server, Duration timeout) {
    return track(RedisStore.builder(name, 0)
        .uri(RedisURI.create(server.uri()))
        .type(Integer.class)
        .writeTimeout(timeout));
  }

  private RedisStore<Integer> track(RedisStoreBuilder<Integer> builder) {
    RedisStore<Integer> store = builder.build();
    resources.add(store);
    return store;
  }

  /**
   * An instance on an application-owned client with Lettuce's default options (commands queue
   * while disconnected), which the store must not close.
   */
  private RedisStore<Integer> sharedClientInstance(RedisServerProcess server) {
    return sharedClientInstance(server, WRITE_TIMEOUT);
  }

  private RedisStore<Integer> sharedClientInstance(RedisServerProcess server, Duration timeout) {
    return sharedClientInstance(server.uri(), timeout);
  }

  private RedisStore<Integer> sharedClientInstance(String uri, Duration timeout) {
    ClientResources clientResources = ClientResources.builder()
        .reconnectDelay(Delay.constant(Duration.ofMillis(100))).build();
    RedisClient client = RedisClient.create(clientResources, uri);
    resources.add(() -> clientResources.shutdown(0, 1, TimeUnit.SECONDS).get());
    resources.add(() -> client.shutdown(0, 1, TimeUnit.SECONDS));
    return track(RedisStore.builder(name, 0)
        .client(client)
        .type(Integer.class)
        .writeTimeout(timeout));
  }

  private <T> List<T> collect(reactor.core.publisher.Flux<T> flux) {
    List<T> seen = new CopyOnWriteArrayList<>();
    Disposable d = flux.subscribe(seen::add);
    resources.add(d::dispose);
    return seen;
  }

  private static List<Long> versions(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  // --- several instances ----------------------------------------------------------------------

  @Test
  void twoInstances_changeOnOne_reachesSubscribersOfOther() throws IOException {
    RedisServerProcess server = redis(false);
    RedisStore<Integer> a = ownClientInstance(server);
    RedisStore<Integer> b = sharedClientInstance(server);

    StepVerifier.create(b.changes())
        .assertNext(s -> assertThat(s.version()).isZero())
        .then(() -> a.update("from A", n -> n + 41))
        .assertNext(s -> {
          assertThat(s.version()).isEqualTo(1);
          assertThat(s.state()).isEqualTo(41);
          assertThat(s.cause()).isEqualTo("from A");
        })
        .thenCancel()
        .verify(TIMEOUT);
    assertThat(a.snapshot().state()).isEqualTo(41);
  }

  @Test
  void twoInstances_laterInstance_adoptsStateInRedisNotItsInitial() throws IOException {
    RedisServerProcess server = redis(false);
    RedisStore<Integer> a = ownClientInstance(server);
    a.update(n -> 7);

    RedisStore<Integer> b = sharedClientInstance(server); // initial 0 is ignored

    assertThat(b.snapshot().version()).isEqualTo(1);
    assertThat(b.snapshot().state()).isEqualTo(7);
    assertThat(b.compareAndSet(1, 8)).isTrue();
    Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().state() == 8);
  }

  @Test
  void twoInstances_concurrentIncrements_neverLostAndSeenInOrderEverywhere() throws Exception {
    RedisServerProcess server = redis(false);
    // Contention on a shared 2-core machine: a generous write timeout, as in production.
    RedisStore<Integer> a = ownClientInstance(server, Duration.ofSeconds(10));
    RedisStore<Integer> b = sharedClientInstance(server, Duration.ofSeconds(10));
    int perInstance = 2_000;
    List<Long> seenByA = collect(a.changes(Delivery.lossless(10_000)).map(Snapshot::version));
    List<Long> seenByB = collect(b.changes(Delivery.lossless(10_000)).map(Snapshot::version));
    CountDownLatch start = new CountDownLatch(1);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Thread[] writers = new Thread[2];
    for (int i = 0; i < 2; i++) {
      RedisStore<Integer> store = i == 0 ? a : b;
      writers[i] = new Thread(() -> {
        try {
          start.await();
          for (int k = 0; k < perInstance; k++) {
            store.update(n -> n + 1);
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }, "writer-" + i);
      writers[i].start();
    }
    start.countDown();
    for (Thread t : writers) {
      t.join(TimeUnit.SECONDS.toMillis(90));
    }

    assertThat(errors).isEmpty();
    int total = 2 * perInstance;
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(a.snapshot().state()).isEqualTo(total);
      assertThat(b.snapshot().state()).isEqualTo(total);
      assertThat(seenByA).hasSize(total + 1);
      assertThat(seenByB).hasSize(total + 1);
    });
    assertThat(a.snapshot().version()).isEqualTo(total);
    assertThat(seenByA).isEqualTo(versions(0, total));
    assertThat(seenByB).isEqualTo(versions(0, total));
    assertThat(a.stats().casRetries() + b.stats().casRetries())
        .as("the two instances really competed").isPositive();
  }

  // --- faults ---------------------------------------------------------------------------------

  @Test
  void redisDown_readsServeLastSnapshotAndWritesFailWithinTimeout() throws IOException {
    RedisServerProcess server = redis(false);
    RedisStore<Integer> own = ownClientInstance(server);
    RedisStore<Integer> shared = sharedClientInstance(server);
    own.update(n -> n + 1);
    Snapshot<Integer> last = own.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> shared.snapshot().version() == 2);
    assertThat(own.isConnected()).isTrue();

    server.stop();

    for (RedisStore<Integer> store : List.of(own, shared)) {
      Awaitility.await().atMost(TIMEOUT).until(() -> !store.isConnected());
      RedisStoreHealth health = store.health();
      assertThat(health.connected()).isFalse();
      assertThat(health.downSince()).isNotNull();
      assertThat(health.version()).isEqualTo(2);
      assertThat(store.snapshot()).isEqualTo(last);

      long startNanos = System.nanoTime();
      assertThatThrownBy(() -> store.update(n -> n + 100))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("did not confirm")
          .hasMessageContaining("'" + name + "'");
      Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
      assertThat(took).isGreaterThanOrEqualTo(WRITE_TIMEOUT).isLessThan(WRITE_TIMEOUT.plusSeconds(3));
      StepVerifier.create(store.async().update(n -> n + 1000))
          .expectError(StoreUnavailableException.class)
          .verify(TIMEOUT);
      assertThatThrownBy(() -> store.compareAndSet(2, 99))
          .isInstanceOf(StoreUnavailableException.class);
      assertThat(store.snapshot()).as("nothing changed").isEqualTo(last);
    }
  }

  @Test
  void redisRestartedWithItsData_replicaResyncsAndSubscribersContinue() throws IOException {
    RedisServerProcess server = redis(true);
    RedisStore<Integer> own = ownClientInstance(server);
    RedisStore<Integer> shared = sharedClientInstance(server);
    List<Long> seenByShared = collect(shared.changes(Delivery.lossless(100)).map(Snapshot::version));
    List<Long> seenByOwn = collect(own.changes(Delivery.lossless(100)).map(Snapshot::version));
    own.update(n -> n + 1);
    own.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> shared.snapshot().version() == 2);

    server.stop();
    Awaitility.await().atMost(TIMEOUT).until(() -> !own.isConnected() && !shared.isConnected());
    // Writes while Redis is down fail, on a rejecting client and on a queueing one alike.
    assertThatThrownBy(() -> own.update(n -> n + 100)).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> shared.update(n -> n + 100))
        .isInstanceOf(StoreUnavailableException.class);
    server.restart();

    Awaitility.await().atMost(TIMEOUT).until(() -> own.isConnected() && shared.isConnected());
    assertThat(own.snapshot().version()).as("the failed writes left no trace").isEqualTo(2);
    assertThat(own.snapshot().state()).isEqualTo(2);
    own.update(n -> n + 1);
    shared.update(n -> n + 1);

    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(seenByShared).isEqualTo(versions(0, 4));
      assertThat(seenByOwn).isEqualTo(versions(0, 4));
    });
    assertThat(own.snapshot().state()).isEqualTo(4);
    assertThat(shared.snapshot().state()).isEqualTo(4);
  }

  @Test
  void redisRestartedEmpty_storeReseedsFromReplicaAndContinues() throws IOException {
    RedisServerProcess server = redis(false);
    RedisStore<Integer> store = ownClientInstance(server);
    List<Long> seen = collect(store.changes(Delivery.lossless(100)).map(Snapshot::version));
    store.update(n -> n + 5);
    store.update(n -> n + 5);

    server.restart(); // no persistence: Redis comes back without the store

    Awaitility.await().atMost(TIMEOUT).until(store::isConnected);
    try (RedisClient raw = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = raw.connect()) {
      Awaitility.await().atMost(TIMEOUT).untilAsserted(() ->
          assertThat(c.sync().get("snapflux:{" + name + "}:version")).isEqualTo("2"));
      assertThat(c.sync().get("snapflux:{" + name + "}:state")).isEqualTo("10");
    }
    assertThat(store.update(n -> n + 1).version()).isEqualTo(3);
    assertThat(store.snapshot().state()).isEqualTo(11);
    Awaitility.await().atMost(TIMEOUT).until(() -> seen.equals(versions(0, 3)));
  }

  // --- subscribers ---------------------------------------------------------------------------

  @Test
  void changes_losslessOverflowWithResync_jumpsVisiblyThenContinuesInOrder() throws IOException {
    RedisServerProcess server = redis(false);
    RedisStore<Integer> store = ownClientInstance(server);

    StepVerifier.create(
            store.changes(Delivery.lossless(3).resyncOnOverflow()).map(Snapshot::version), 1)
        .expectNext(0L)
        .then(() -> {
          for (int i = 0; i < 5; i++) {
            store.update(n -> n + 1);
          }
        })
        .thenRequest(1)
        // The overflow is detected at version 4 or 5, depending on when the fan-out ran.
        .assertNext(v -> assertThat(v).isBetween(4L, 5L))
        .thenRequest(10)
        .then(() -> store.update(n -> n + 1))
        .thenConsumeWhile(v -> v < 6)
        .expectNext(6L)
        .thenCancel()
        .verify(TIMEOUT);
    assertThat(store.stats().lagOverflows()).isEqualTo(1);
  }

  @Test
  void partitionedInstance_catchesUpGapFree_whileTheStreamHoldsTheVersions() throws IOException {
    RedisServerProcess server = redis(false);
    TcpProxy link = new TcpProxy(server.port());
    resources.add(link);
    RedisStore<Integer> a = ownClientInstance(server);
    RedisStore<Integer> b = sharedClientInstance(link.uri(), WRITE_TIMEOUT);
    List<Long> seenByB = collect(b.changes(Delivery.lossless(100)).map(Snapshot::version));
    a.update(n -> n + 1);
    a.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> b.snapshot().version() == 2);

    link.cut();
    Awaitility.await().atMost(TIMEOUT).until(() -> !b.isConnected());
    for (int i = 0; i < 3; i++) {
      a.update(n -> n + 1);
    }
    assertThat(b.snapshot().version()).as("B serves its last snapshot").isEqualTo(2);
    assertThatThrownBy(() -> b.update(n -> n + 100)).isInstanceOf(StoreUnavailableException.class);
    link.restore();

    Awaitility.await().atMost(TIMEOUT).until(() -> b.isConnected() && b.snapshot().state() == 5);
    Awaitility.await().atMost(TIMEOUT).until(() -> seenByB.equals(versions(0, 5)));
    assertThat(b.update(n -> n + 1).version()).isEqualTo(6);
    Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().state() == 6);
  }

  @Test
  void partitionedInstance_streamTrimmedMeanwhile_resyncsVisiblyAndContinues() throws IOException {
    RedisServerProcess server = redis(false);
    TcpProxy link = new TcpProxy(server.port());
    resources.add(link);
    RedisStore<Integer> a = track(RedisStore.builder(name, 0)
        .uri(RedisURI.create(server.uri()))
        .type(Integer.class)
        .streamMaxLength(10));
    RedisStore<Integer> b = sharedClientInstance(link.uri(), WRITE_TIMEOUT);
    List<Long> seenByB = collect(b.changes(Delivery.lossless(1_000)).map(Snapshot::version));
    a.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> b.snapshot().version() == 1);

    link.cut();
    Awaitility.await().atMost(TIMEOUT).until(() -> !b.isConnected());
    // MAXLEN ~ trims whole stream nodes (100 entries by default): 300 entries surely trim 2..
    for (int i = 0; i < 300; i++) {
      a.update(n -> n + 1);
    }
    link.restore();

    Awaitility.await().atMost(TIMEOUT).until(() -> b.isConnected() && b.snapshot().state() == 301);
    a.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> seenByB.contains(302L));
    assertThat(seenByB).startsWith(0L, 1L).isSorted().doesNotHaveDuplicates().endsWith(301L, 302L);
    assertThat(seenByB.get(2)).as("a visible jump past the trimmed entries").isGreaterThan(2L);
  }

  // --- threads --------------------------------------------------------------------------------

  @Test
  void update_onNonBlockingThread_isRefused_updateAsyncWorks() throws IOException {
    RedisServerProcess server = redis(false);
    RedisStore<Integer> store = ownClientInstance(server);

    StepVerifier.create(Mono.fromCallable(() -> store.update(n -> n + 1))
            .subscribeOn(Schedulers.parallel()))
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("updateAsync"))
        .verify(TIMEOUT);
    StepVerifier.create(Mono.defer(() -> store.async().update("async", n -> n + 1))
            .subscribeOn(Schedulers.parallel()))
        .assertNext(s -> {
          assertThat(s.version()).isEqualTo(1);
          assertThat(s.cause()).isEqualTo("async");
        })
        .verifyComplete();
    assertThat(store.snapshot().version()).isEqualTo(1);
  }
}
