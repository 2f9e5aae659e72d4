package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import io.vavr.collection.List;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Stream entries of large states carry a JSON Patch from the previous version: Redis keeps far
 * fewer bytes per version, followers rebuild the same states, a follower without the patch's
 * base reads the full state instead, and a late starter rebuilds the history from the nearest
 * full entry.
 */
final class RedisStreamDeltaTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestResources resources = new TestResources();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  /** {@code n} strings of {@code size} characters. */
  private static List<String> state(int n, int size) {
    return List.range(0, n).map(i -> String.valueOf((char) ('a' + i % 26)).repeat(size));
  }

  private RedisStore<List<String>> instance(String name, String uri, RedisStoreBuilderSetup setup) {
    List<String> initial = List.empty();
    RedisStoreBuilder<List<String>> b = RedisStore.builder(name, initial)
        .uri(RedisURI.create(uri))
        .codec(TestCodecs.jsonFor(initial));
    RedisStore<List<String>> store = setup.apply(b).build();
    resources.add(store);
    return store;
  }

  private interface RedisStoreBuilderSetup {
    RedisStoreBuilder<List<String>> apply(RedisStoreBuilder<List<String>> b);
  }

  private static long memoryUsage(RedisServerProcess server, String key) {
    try (RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().dispatch(CommandType.MEMORY, new IntegerOutput<>(StringCodec.UTF8),
          new CommandArgs<>(StringCodec.UTF8).add("USAGE").addKey(key).add("SAMPLES").add(0));
    }
  }

  private static java.util.List<StreamMessage<String, String>> entries(
      RedisServerProcess server, String name) {
    try (RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().xrange("snapflux:{" + name + "}:stream", io.lettuce.core.Range.create("-", "+"));
    }
  }

  @Test
  void largeState_smallChanges_streamBytesPerEntryFarBelowTheStateSize() throws Exception {
    RedisServerProcess server = resources.server();
    String full = "full-" + UUID.randomUUID();
    String delta = "delta-" + UUID.randomUUID();
    List<String> big = state(1024, 1000); // about 1 MB of JSON
    RedisStore<List<String>> fullStore = instance(full, server.uri(), b -> b.streamDeltas(0, 16));
    RedisStore<List<String>> deltaStore = instance(delta, server.uri(), b -> b);
    RedisStore<List<String>> follower = instance(delta, server.uri(), b -> b);
    int updates = 32;
    for (RedisStore<List<String>> s : java.util.List.of(fullStore, deltaStore)) {
      s.update(x -> big);
      for (int i = 1; i < updates; i++) {
        int k = i;
        s.update(x -> x.update(k * 7, "changed " + k));
      }
    }
    Awaitility.await().atMost(TIMEOUT)
        .until(() -> follower.snapshot().version() == deltaStore.snapshot().version());

    long fullBytes = memoryUsage(server, "snapflux:{" + full + "}:stream");
    long deltaBytes = memoryUsage(server, "snapflux:{" + delta + "}:stream");
    long stateBytes = memoryUsage(server, "snapflux:{" + delta + "}:state");
    java.util.List<StreamMessage<String, String>> deltaEntries = entries(server, delta);
    long patches = deltaEntries.stream().filter(e -> e.getBody().containsKey("d")).count();
    System.out.printf("stream of %d entries, 1 MB state (%d B in the state key): full %d B "
            + "(%d B/entry), deltas %d B (%d B/entry, %d patch entries)%n",
        updates + 1, stateBytes, fullBytes, fullBytes / (updates + 1), deltaBytes,
        deltaBytes / (updates + 1), patches);

    assertThat(follower.snapshot().state()).isEqualTo(deltaStore.snapshot().state());
    assertThat(follower.snapshot().state().get(7)).isEqualTo("changed 1");
    // Version 1 (the big state's first entry: its patch is not smaller) and every 16th version
    // carry the full state; versions 2..32 but 16 and 32 carry patches.
    assertThat(deltaEntries.stream().filter(e -> e.getBody().containsKey("s"))
        .map(e -> e.getId())).containsExactly("1-0", "16-0", "32-0");
    assertThat(patches).isEqualTo(updates - 3);
    assertThat(fullBytes).isGreaterThan(30 * stateBytes);
    assertThat(deltaBytes).as("3 full states and 29 patches").isLessThan(4 * stateBytes);
  }

  @Test
  void followerMissingThePatchBase_resyncsInsteadOfApplyingThePatchToAnotherState()
      throws Exception {
    RedisServerProcess server = resources.server();
    TcpProxy link = resources.proxy(server);
    String name = "delta-gap-" + UUID.randomUUID();
    RedisStore<List<String>> a = instance(name, server.uri(), b -> b.streamDeltas(1, 1000));
    a.update(x -> state(20, 100));
    RedisStore<List<String>> b = instance(name, link.uri(), x -> x.streamDeltas(1, 1000));
    java.util.List<Long> seenByB = new CopyOnWriteArrayList<>();
    Disposable d = b.changes(Delivery.lossless(1_000)).map(Snapshot::version).subscribe(seenByB::add);
    resources.add(d::dispose);

    link.cut();
    Awaitility.await().atMost(TIMEOUT).until(() -> !b.isConnected());
    for (int i = 0; i < 3; i++) {
      int k = i;
      a.update(x -> x.update(k, "patched " + k));
    }
    // Version 2's entry, the base of version 3's patch, disappears from the stream.
    try (RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().xrange("snapflux:{" + name + "}:stream",
          io.lettuce.core.Range.create("3-0", "3-0")).get(0).getBody()).containsKey("d");
      assertThat(c.sync().xdel("snapflux:{" + name + "}:stream", "2-0")).isEqualTo(1);
    }
    link.restore();

    Awaitility.await().atMost(TIMEOUT)
        .until(() -> b.isConnected() && b.snapshot().version() == 4);
    assertThat(b.snapshot().state()).isEqualTo(a.snapshot().state());
    Awaitility.await().atMost(TIMEOUT).until(() -> seenByB.contains(4L));
    assertThat(seenByB).doesNotContain(2L, 3L).isSorted();
  }

  @Test
  void lateInstance_rebuildsTheHistoryFromTheNearestFullEntry() throws Exception {
    RedisServerProcess server = resources.server();
    String name = "delta-history-" + UUID.randomUUID();
    RedisStore<List<String>> a = instance(name, server.uri(),
        b -> b.streamDeltas(1, 4).history(6));
    a.update(x -> state(20, 100));
    for (int i = 0; i < 9; i++) {
      int k = i;
      a.update(x -> x.update(k, "patched " + k));
    }

    RedisStore<List<String>> c = instance(name, server.uri(),
        b -> b.streamDeltas(1, 4).history(6));

    assertThat(c.history().orElseThrow().versions().map(s -> tuple(s.version(), s.state())))
        .isEqualTo(a.history().orElseThrow().versions().map(s -> tuple(s.version(), s.state())));
    assertThat(c.history().orElseThrow().versions().map(Snapshot::version))
        .containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(c.history().orElseThrow().undo(null).state())
        .isEqualTo(a.history().orElseThrow().at(9).orElseThrow().state());
  }
}
