package io.snapflux.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.snapflux.redis.BenchmarkScripts;
import io.snapflux.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 17: the cost of a Redis store update over the bare protocol it speaks. Every benchmark
 * thread has its own store name (so {@code -t 8} is 8 threads over 8 different stores, no CAS
 * conflicts between them) and, with {@code impl=raw}, its own Lettuce connection sending
 * {@code EVALSHA} of the very COMMIT script a {@link RedisStore} sends, with the same keys and
 * arguments, synchronously, one at a time: the floor a store update cannot beat. With
 * {@code impl=store}, {@code Store.update} of a counter on a {@link RedisStore} (its own client
 * and connections). Both run against one {@code redis-server} per fork ({@link RedisServer}).
 * Throughput and sample-time modes: ops/s and p50/p99 in µs.
 */
@State(Scope.Benchmark)
public class RedisCommitBenchmark {

  static final String STORE = "store";
  static final String RAW = "raw";

  @Param({RAW, STORE})
  public String impl;

  RedisServer server;
  final AtomicInteger names = new AtomicInteger();

  @Setup(Level.Trial)
  public void startServer() throws Exception {
    server = RedisServer.start();
  }

  @TearDown(Level.Trial)
  public void stopServer() {
    server.close();
  }

  /** One thread's store, or its raw connection on a store's keys. */
  @State(Scope.Thread)
  public static class Writer {
    RedisStore<Long> store;
    RedisClient client;
    StatefulRedisConnection<String, byte[]> connection;
    RedisCommands<String, byte[]> redis;
    String[] keys;
    byte[] epoch;
    long version;

    @Setup(Level.Trial)
    public void setUp(RedisCommitBenchmark bench) {
      String name = "bench-commit-" + bench.names.incrementAndGet();
      RedisURI uri = RedisURI.create(bench.server.uri());
      // The store seeds its keys (state, version, stream, meta with the epoch) in both cases.
      store = RedisStore.builder(name, 0L).uri(uri).type(Long.class)
          .writeTimeout(Duration.ofSeconds(30)).build();
      if (RAW.equals(bench.impl)) {
        store.close();
        store = null;
        String prefix = "snapflux:{" + name + "}:";
        keys = new String[] {prefix + "state", prefix + "version", prefix + "stream",
            prefix + "meta", prefix + "writes"};
        client = RedisClient.create(uri);
        connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        redis = connection.sync();
        epoch = redis.hget(keys[3], "e");
        version = Long.parseLong(new String(redis.get(keys[1]), StandardCharsets.UTF_8));
        redis.scriptLoad(BenchmarkScripts.COMMIT.getBytes(StandardCharsets.UTF_8));
      } else if (!STORE.equals(bench.impl)) {
        throw Impl.unknown(bench.impl);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      if (store != null) {
        var stats = store.stats();
        System.out.printf("%n[store] version %,d, CAS retries %,d%n", stats.version(),
            stats.casRetries());
        store.close();
      }
      if (client != null) {
        connection.close();
        client.shutdown();
      }
    }

    long raw() {
      long next = version + 1;
      byte[][] args = {bytes(Long.toString(version)), bytes(Long.toString(next)),
          bytes(Long.toString(System.currentTimeMillis())), bytes("1000"),
          bytes(UUID.randomUUID().toString()), bytes("0"), bytes(""), epoch, bytes("10000"),
          bytes("0")};
      List<Object> reply = redis.evalsha(BenchmarkScripts.COMMIT_SHA, ScriptOutputType.MULTI,
          keys, args);
      Object kind = reply.size() == 1 && reply.get(0) instanceof List<?> l ? l.get(0)
          : reply.get(0);
      if (!Long.valueOf(1).equals(kind)) {
        throw new IllegalStateException("raw COMMIT not committed: " + reply);
      }
      version = next;
      return next;
    }

    private static byte[] bytes(String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
  }

  private static long commit(RedisCommitBenchmark bench, Writer w) {
    return w.store != null ? w.store.update(c -> c + 1).version() : w.raw();
  }

  /** One committed version, in ops/s. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long commit(Writer w) {
    return commit(this, w);
  }

  /** One committed version, sampled: p50/p99 in µs. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long commitLatency(Writer w) {
    return commit(this, w);
  }
}
