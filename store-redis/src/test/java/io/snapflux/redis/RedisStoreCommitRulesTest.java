package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.store.CommitVetoedException;
import io.snapflux.store.Equivalence;
import io.snapflux.store.Interceptor;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The application's commit rules on the Redis write path: validators and interceptors' {@code
 * beforeCommit} on every attempt before the Lua compare-and-set, {@code afterCommit} once per
 * version this instance commits, after the commit.
 */
final class RedisStoreCommitRulesTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = new RedisServerExtension();

  private final String name = "rules-" + UUID.randomUUID();
  private final List<RedisStore<?>> stores = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeStores() {
    stores.forEach(RedisStore::close);
  }

  /** Records every callback: the versions it saw, and whether the replica had the commit. */
  static final class Recording implements Interceptor<Integer> {
    final List<Long> beforeCommitBases = new CopyOnWriteArrayList<>();
    final List<Long> committed = new CopyOnWriteArrayList<>();
    final AtomicInteger previousMismatches = new AtomicInteger();
    final AtomicInteger notYetInReplica = new AtomicInteger();
    volatile @Nullable Store<Integer> store;

    @Override
    public void beforeCommit(Snapshot<Integer> current, Integer proposed, @Nullable Object cause) {
      beforeCommitBases.add(current.version());
    }

    @Override
    public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
      this.committed.add(committed.version());
      if (previous.version() != committed.version() - 1) {
        previousMismatches.incrementAndGet();
      }
      Store<Integer> s = store;
      if (s != null && s.snapshot().version() < committed.version()) {
        notYetInReplica.incrementAndGet();
      }
    }
  }

  private RedisStore<Integer> instance(StoreBuilder<Integer> options) {
    RedisStore<Integer> store = RedisStore.builder(name, 0)
        .client(REDIS.client())
        .type(Integer.class)
        .writeTimeout(Duration.ofSeconds(10))
        .options(options)
        .build();
    stores.add(store);
    return store;
  }

  private String redisVersion() {
    try (StatefulRedisConnection<String, String> c = REDIS.client().connect()) {
      return c.sync().get("snapflux:{" + name + "}:version");
    }
  }

  @Test
  void optionsValidator_rejectsState_throwsAndWritesNothingToRedis() {
    RedisStore<Integer> store = instance(Store.builder(0).validator("must not be negative", n -> n >= 0));

    assertThatThrownBy(() -> store.update(n -> n - 1))
        .isInstanceOf(StateValidationException.class)
        .hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> store.async().update(n -> n - 5).block())
        .isInstanceOf(StateValidationException.class);
    assertThatThrownBy(() -> store.compareAndSet(0, -3)).as("compareAndSet is checked too")
        .isInstanceOf(StateValidationException.class);

    assertThat(redisVersion()).isEqualTo("0");
    assertThat(store.snapshot().version()).isZero();
    assertThat(store.stats().validationRejections()).isEqualTo(3);
    assertThat(store.update(n -> n + 1).version()).isEqualTo(1);
  }

  @Test
  void beforeCommitVeto_failsWithTheInterceptorsExceptionAndWritesNothing() {
    RedisStore<Integer> store = instance(Store.builder(0).interceptor(new Interceptor<>() {
      @Override
      public void beforeCommit(Snapshot<Integer> current, Integer proposed, @Nullable Object cause) {
        if (proposed > 10) {
          throw new CommitVetoedException("too big: " + proposed);
        }
      }
    }));

    assertThatThrownBy(() -> store.update("big", n -> 11))
        .isInstanceOf(CommitVetoedException.class)
        .hasMessageContaining("too big: 11");

    assertThat(redisVersion()).isEqualTo("0");
    assertThat(store.update(n -> 10).version()).isEqualTo(1);
  }

  @Test
  void optionsInterceptor_runsBeforeCommitOnEveryAttempt_andAfterCommitOnceForOwnCommitOnly() {
    Recording onA = new Recording();
    Recording onB = new Recording();
    RedisStore<Integer> a = instance(Store.builder(0).interceptor(onA));
    RedisStore<Integer> b = instance(Store.builder(0).interceptor(onB));
    onA.store = a;
    onB.store = b;

    // A's first attempt sees version 0, then B commits version 1 before A's compare-and-set: A
    // must retry on version 1, so it checks twice and commits once.
    AtomicBoolean first = new AtomicBoolean(true);
    Snapshot<Integer> committed = a.update("a", n -> {
      if (first.compareAndSet(true, false)) {
        b.update("b", m -> m + 100);
      }
      return n + 1;
    });

    assertThat(committed.version()).isEqualTo(2);
    assertThat(committed.state()).isEqualTo(101);
    assertThat(onA.beforeCommitBases).containsExactly(0L, 1L);
    assertThat(onA.committed).containsExactly(2L);
    assertThat(onB.beforeCommitBases).containsExactly(0L);
    assertThat(onB.committed).containsExactly(1L);
    assertThat(onA.previousMismatches.get() + onB.previousMismatches.get()).isZero();
    assertThat(onA.notYetInReplica.get() + onB.notYetInReplica.get())
        .as("afterCommit runs after the commit is in the writer's replica").isZero();
  }

  @Test
  void afterCommit_concurrentWritersOnTwoInstances_runsExactlyOncePerVersionOnItsWriter()
      throws Exception {
    Recording onA = new Recording();
    Recording onB = new Recording();
    RedisStore<Integer> a = instance(Store.builder(0).interceptor(onA));
    RedisStore<Integer> b = instance(Store.builder(0).interceptor(onB));
    onA.store = a;
    onB.store = b;
    int perWriter = 150;

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> writers = new ArrayList<>();
      for (RedisStore<Integer> store : List.of(a, a, b, b)) {
        writers.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perWriter; i++) {
            store.update(n -> n + 1);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> w : writers) {
        w.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    long total = 4L * perWriter;
    assertThat(redisVersion()).isEqualTo(Long.toString(total));
    assertThat(onA.committed).hasSize(2 * perWriter).doesNotHaveDuplicates();
    assertThat(onB.committed).hasSize(2 * perWriter).doesNotHaveDuplicates();
    List<Long> all = new ArrayList<>(onA.committed);
    all.addAll(onB.committed);
    assertThat(all).containsExactlyInAnyOrderElementsOf(
        LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(onA.beforeCommitBases.size()).isGreaterThanOrEqualTo(2 * perWriter);
    assertThat(onA.previousMismatches.get() + onB.previousMismatches.get()).isZero();
    assertThat(onA.notYetInReplica.get() + onB.notYetInReplica.get()).isZero();
  }

  @Test
  void afterCommitThatThrows_isLoggedAndTheCommitStands() {
    RedisStore<Integer> store = instance(Store.builder(0).interceptor(new Interceptor<>() {
      @Override
      public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
        throw new IllegalStateException("audit log is down");
      }
    }));

    assertThat(store.update(n -> n + 1).version()).isEqualTo(1);
    assertThat(redisVersion()).isEqualTo("1");
  }

  @Test
  void options_takesEquivalenceAndClock() {
    Clock fixed = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    RedisStore<Integer> store = instance(Store.builder(0)
        .equivalence(Equivalence.equality())
        .clock(fixed));

    assertThat(store.update(n -> 1000).timestamp()).isEqualTo(fixed.instant());
    // Equality: a new but equal Integer (1000 is not cached) changes nothing; identity would
    // commit it.
    assertThat(store.update(n -> Integer.valueOf(n.intValue())).version()).isEqualTo(1);
  }

  @Test
  void backendSpi_storeBuilderOptionsReachTheRedisStore_likeEveryBackend() {
    String name = "spi-" + UUID.randomUUID();
    Store<Integer> store = Store.builder(0).name(name)
        .validator("non-negative", n -> n >= 0)
        .backend(RedisStore.backend(REDIS.client()).writeTimeout(Duration.ofSeconds(5)))
        .build();
    try {
      assertThat(store).isInstanceOf(RedisStore.class);
      assertThat(store.name()).isEqualTo(name);
      assertThat(store.history()).as("Redis has no history capability").isEmpty();
      assertThatThrownBy(() -> store.update(n -> -1))
          .isInstanceOf(StateValidationException.class)
          .hasMessageContaining("non-negative");
      Snapshot<Integer> v1 = store.update(n -> n + 1);
      Store<Integer> other = Store.builder(0).name(name)
          .backend(RedisStore.backend(REDIS.client())).build();
      try {
        assertThat(other.snapshot().version()).isEqualTo(1);
        assertThat(other.snapshot().epoch()).isEqualTo(v1.epoch()).isNotEmpty();
      } finally {
        other.close();
      }
    } finally {
      store.close();
    }
  }
}
