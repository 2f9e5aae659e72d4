package io.snapflux.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
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
 * {@code impl=store}, {@code Store.update} of a counter on a {@link RedisStore} (its own
 * connections). All connections come from one Lettuce client per fork, as in an application
 * (the starter builds every store on Boot's one client), and go to one {@code redis-server} per
 * fork ({@link RedisServer}).
 * {@code impl=raw-follow} is a diagnostic, not the baseline: {@code raw} plus what every store
 * instance also runs, a thread on a second connection following the store's stream with
 * {@code XREAD BLOCK} (woken by each commit, then sending the next {@code XREAD}); it shows how
 * much of the store's cost is that follower's share of the machine.
 * {@code impl=store-unpaused} is the store with {@code followerPause(ZERO)}: its follower reads
 * the stream after every own commit, as every store did before the pause (a diagnostic: what the
 * pause saves).
 * Throughput and sample-time modes: ops/s and p50/p99 in µs.
 */
@State(Scope.Benchmark)
public class RedisCommitBenchmark {

  static final String STORE = "store";
  static final String RAW = "raw";
  static final String RAW_FOLLOW = "raw-follow";
  static final String STORE_UNPAUSED = "store-unpaused";

  @Param({RAW, STORE, RAW_FOLLOW, STORE_UNPAUSED})
  public String impl;

  RedisServer server;
  /**
   * One client for every store and raw connection of the fork, as an application has (the
   * starter builds every Redis store on Boot's one client): its event loops and timer are shared,
   * each store still has its own connections and stream follower.
   */
  RedisClient client;
  final AtomicInteger names = new AtomicInteger();

  @Setup(Level.Trial)
  public void startServer() throws Exception {
    server = RedisServer.start();
    client = RedisClient.create(RedisURI.create(server.uri()));
  }

  @TearDown(Level.Trial)
  public void stopServer() {
    client.shutdown();
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
    StatefulRedisConnection<String, byte[]> followConnection;
    /** CPU use over the last iteration (JIT mostly done), printed per commit at tear-down. */
    StatefulRedisConnection<String, String> info;
    long jvmCpuStart;
    double redisCpuStart;
    long versionStart;
    String lastIteration = "";
    Thread follower;
    volatile boolean stop;

    @Setup(Level.Trial)
    public void setUp(RedisCommitBenchmark bench) {
      String name = "bench-commit-" + bench.names.incrementAndGet();
      // The store seeds its keys (state, version, stream, meta with the epoch) in both cases.
      store = RedisStore.builder(name, 0L).client(bench.client).type(Long.class)
          .writeTimeout(Duration.ofSeconds(30))
          .followerPause(STORE_UNPAUSED.equals(bench.impl) ? Duration.ZERO : Duration.ofMillis(1))
          .build();
      if (RAW.equals(bench.impl) || RAW_FOLLOW.equals(bench.impl)) {
        store.close();
        store = null;
        String prefix = "snapflux:{" + name + "}:";
        keys = new String[] {prefix + "state", prefix + "version", prefix + "stream",
            prefix + "meta", prefix + "writes"};
        client = bench.client;
        connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        redis = connection.sync();
        epoch = redis.hget(keys[3], "e");
        version = Long.parseLong(new String(redis.get(keys[1]), StandardCharsets.UTF_8));
        redis.scriptLoad(BenchmarkScripts.COMMIT.getBytes(StandardCharsets.UTF_8));
        if (RAW_FOLLOW.equals(bench.impl)) {
          followConnection = client.connect(
              RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
          follower = new Thread(this::follow, "raw-follower-" + name);
          follower.setDaemon(true);
          follower.start();
        }
      } else if (!STORE.equals(bench.impl) && !STORE_UNPAUSED.equals(bench.impl)) {
        throw Impl.unknown(bench.impl);
      }
      info = bench.client.connect(); // one connection for INFO, not one per reading
    }

    @Setup(Level.Iteration)
    public void startIteration() {
      versionStart = committed();
      redisCpuStart = redisCpuSeconds();
      jvmCpuStart = jvmCpuNanos();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
      long jvmCpu = jvmCpuNanos() - jvmCpuStart;
      double redisCpu = redisCpuSeconds() - redisCpuStart;
      long commits = Math.max(1, committed() - versionStart);
      // The JVM's CPU counts every thread of the fork (JIT, JMH, all writers); redis-server's
      // counts every client: with -t 1 both are this writer's cost per commit.
      lastIteration = String.format("[cpu] last iteration, %,d commits: JVM %.1f us/commit, "
          + "redis-server %.1f us/commit", commits, jvmCpu / 1e3 / commits,
          redisCpu * 1e6 / commits);
    }

    long committed() {
      return store != null ? store.snapshot().version() : version;
    }

    /** redis-server's CPU seconds (user + sys) so far, from INFO cpu. */
    double redisCpuSeconds() {
      String cpu;
      try {
        cpu = info.sync().info("cpu");
      } catch (io.lettuce.core.RedisException e) {
        // A diagnostic only: at the end of a multi-threaded trial the connection may already be
        // closed; losing the figure must not lose the iteration's score.
        return Double.NaN;
      }
      double sum = 0;
      for (String line : cpu.split("\r?\n")) {
        if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
          sum += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return sum;
    }

    static long jvmCpuNanos() {
      return ((com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      System.out.printf("%n%s%n", lastIteration);
      info.close();
      if (store != null) {
        var stats = store.stats();
        System.out.printf("%n[store] version %,d, CAS retries %,d%n", stats.version(),
            stats.casRetries());
        store.close();
      }
      if (client != null) {
        stop = true;
        if (follower != null) {
          try {
            follower.join(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          followConnection.close();
        }
        connection.close();
      }
    }

    /** As a store's follower: XREAD BLOCK from the last entry read, decoding nothing. */
    void follow() {
      String from = version + "-0";
      RedisCommands<String, byte[]> r = followConnection.sync();
      while (!stop) {
        List<StreamMessage<String, byte[]>> batch = r.xread(
            XReadArgs.Builder.block(Duration.ofMillis(500)).count(512),
            XReadArgs.StreamOffset.from(keys[2], from));
        if (!batch.isEmpty()) {
          from = batch.get(batch.size() - 1).getId();
        }
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
