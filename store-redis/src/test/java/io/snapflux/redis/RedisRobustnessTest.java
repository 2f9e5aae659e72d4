package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

/**
 * A Redis store under hostile conditions that are not Redis faults: an {@code Error} on the
 * follower's thread, a state another instance wrote that this one cannot decode, an evicting
 * Redis, large states; and the caller's cause object on its own commits.
 */
final class RedisRobustnessTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = new RedisServerExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private final String name = "robust-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** Integers as decimal text (what JSON writes), with a hook on every decoded value. */
  private static StateCodec<Integer> integers(Function<String, Integer> decode) {
    return new StateCodec<>() {
      @Override
      public byte[] encode(Integer state) {
        return state.toString().getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public Integer decode(byte[] bytes) throws IOException {
        try {
          return decode.apply(new String(bytes, StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
          throw new IOException("not an integer: " + e.getMessage(), e);
        }
      }
    };
  }

  private <S> RedisStore<S> track(RedisStoreBuilder<S> builder) {
    RedisStore<S> store = builder.client(REDIS.client()).writeTimeout(Duration.ofSeconds(5))
        .build();
    resources.add(store);
    return store;
  }

  private RedisStore<Integer> instance() {
    return track(RedisStore.builder(name, 0).codec(integers(Integer::valueOf)));
  }

  private <T> List<T> collect(reactor.core.publisher.Flux<T> flux) {
    List<T> seen = new CopyOnWriteArrayList<>();
    Disposable d = flux.subscribe(seen::add);
    resources.add(d::dispose);
    return seen;
  }

  @Test
  void follower_errorThrownOnItsThread_survivesAndKeepsFollowing() {
    AtomicBoolean thrown = new AtomicBoolean();
    RedisStore<Integer> writer = instance();
    RedisStore<Integer> reader = track(RedisStore.builder(name, 0).codec(integers(text -> {
      int n = Integer.parseInt(text);
      if (n == 2 && thrown.compareAndSet(false, true)) {
        throw new LinkageError("simulated Error in the follower");
      }
      return n;
    })));

    for (int i = 0; i < 3; i++) {
      writer.update(n -> n + 1);
    }

    Awaitility.await().atMost(TIMEOUT).until(() -> reader.snapshot().state() == 3 && reader.isConnected());
    assertThat(thrown).isTrue();
    assertThat(reader.health().lastError()).contains("simulated Error");
    writer.update(n -> n + 1);
    Awaitility.await().atMost(TIMEOUT).until(() -> reader.snapshot().state() == 4);
  }

  record Cause(int n) {}

  @Test
  void changes_ownCommitsWithACauseObject_carryTheObjectNotItsToString() {
    RedisStore<Integer> store = instance();
    RedisStore<Integer> other = instance(); // its commits race the follower too
    List<Snapshot<Integer>> seen = collect(store.changes(Delivery.lossless(10_000)));

    for (int i = 1; i <= 300; i++) {
      Snapshot<Integer> s = store.update(new Cause(i), n -> n + 1);
      assertThat(s.cause()).isEqualTo(new Cause(i));
      if (i % 50 == 0) {
        other.update("other", n -> n + 1);
      }
    }

    Awaitility.await().atMost(TIMEOUT).until(() -> seen.size() == 307);
    assertThat(seen.stream().skip(1).filter(s -> !"other".equals(s.cause())))
        .hasSize(300)
        .allSatisfy(s -> assertThat(s.cause()).isInstanceOf(Cause.class));
  }

  @Test
  void undecodableState_instanceDownNamingIt_readsServe_writesFailAtOnce_repairRecovers() {
    RedisStore<Integer> a = instance();
    List<Long> seenByA = collect(a.changes(Delivery.lossless(100)).map(Snapshot::version));
    a.update(n -> 1);
    // An instance with an incompatible codec (a rolling deploy gone wrong) writes version 2.
    RedisStore<Integer> bad = track(RedisStore.builder(name, 0).codec(new StateCodec<>() {
      @Override
      public byte[] encode(Integer state) {
        return ("x" + state).getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public Integer decode(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        return Integer.valueOf(text.startsWith("x") ? text.substring(1) : text);
      }
    }));
    bad.update(n -> 5);

    Awaitility.await().atMost(TIMEOUT).until(() -> !a.isConnected());
    assertThat(a.health().connected()).isFalse();
    assertThat(a.health().lastError()).contains("version 2");
    assertThat(a.snapshot().version()).as("reads serve the last good snapshot").isEqualTo(1);
    assertThat(a.snapshot().state()).isEqualTo(1);
    assertThatThrownBy(() -> a.update(n -> n + 1))
        .isInstanceOf(StoreException.class)
        .isNotInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("version 2");

    // The documented repair: an instance that reads the state commits a readable one.
    RedisStore<Integer> repair = track(RedisStore.builder(name, 0)
        .codec(integers(text -> Integer.valueOf(text.startsWith("x") ? text.substring(1) : text))));
    repair.update(n -> n + 1);

    Awaitility.await().atMost(TIMEOUT).until(() -> a.isConnected() && a.snapshot().state() == 6);
    assertThat(a.update(n -> n + 1).version()).isEqualTo(4);
    Awaitility.await().atMost(TIMEOUT).until(() -> seenByA.contains(4L));
    assertThat(seenByA).as("version 2 skipped visibly").containsExactly(0L, 1L, 3L, 4L);
  }

  @Test
  void build_allkeysEvictionPolicy_isRefusedNamingIt() {
    try (StatefulRedisConnection<String, String> c = REDIS.client().connect()) {
      c.sync().configSet("maxmemory-policy", "allkeys-lru");
      try {
        assertThatThrownBy(this::instance)
            .isInstanceOf(StoreException.class)
            .hasMessageContaining("allkeys-lru")
            .hasMessageContaining(name);
        assertThat(c.sync().exists("snapflux:{" + name + "}:version")).isZero();
      } finally {
        c.sync().configSet("maxmemory-policy", "noeviction");
      }
    }
  }

  @Test
  void catchUp_largeStates_readsPagesBoundedInBytesAndStaysGapFree() throws IOException {
    RedisServerProcess server = RedisServerProcess.start();
    resources.add(server);
    TcpProxy link = new TcpProxy(server.port());
    resources.add(link);
    String big = "x".repeat(30_000);
    RedisStore<String> a = build(RedisStore.builder(name, "").uri(RedisURI.create(server.uri()))
        .codec(TestCodecs.jsonFor("")));
    RedisStore<String> b = build(RedisStore.builder(name, "").uri(RedisURI.create(link.uri()))
        .codec(TestCodecs.jsonFor("")).catchUpBytes(100_000));
    List<Long> seenByB = collect(b.changes(Delivery.lossless(1_000)).map(Snapshot::version));
    a.update(s -> big + 0);
    Awaitility.await().atMost(TIMEOUT).until(() -> b.snapshot().version() == 1);
    assertThat(b.pageSize()).as("100 kB / 30 kB states").isEqualTo(3);

    link.cut();
    Awaitility.await().atMost(TIMEOUT).until(() -> !b.isConnected());
    for (int i = 1; i <= 40; i++) {
      int k = i;
      a.update(s -> big + k);
    }
    link.restore();

    Awaitility.await().atMost(TIMEOUT).until(() -> b.snapshot().version() == 41);
    Awaitility.await().atMost(TIMEOUT).until(() -> seenByB.size() == 42);
    assertThat(seenByB).isEqualTo(java.util.stream.LongStream.rangeClosed(0, 41).boxed().toList());
    assertThat(b.snapshot().state()).isEqualTo(big + 40);
  }

  @Test
  void builder_nonPositiveRetentionOrCatchUpBudget_isRefusedNamingIt() {
    RedisStoreBuilder<Integer> builder = RedisStore.builder(name, 0);
    assertThatThrownBy(() -> builder.writeIdRetention(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeIdRetention");
    assertThatThrownBy(() -> builder.catchUpBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catchUpBytes");
  }

  private <S> RedisStore<S> build(RedisStoreBuilder<S> builder) {
    RedisStore<S> store = builder.build();
    resources.add(store);
    return store;
  }
}
