package io.snapflux.benchmarks;

import io.lettuce.core.RedisURI;
import io.snapflux.benchmarks.Publishers.Probe;
import io.snapflux.redis.RedisStore;
import io.snapflux.store.Store;
import io.snapflux.store.StoreStats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Workload 5, the Redis backend, against a {@code redis-server} this benchmark starts itself (one
 * per fork, on a free loopback port, no persistence), with the in-memory store as the baseline of
 * the same run ({@code backend=memory}).
 *
 * <ul>
 *   <li>{@link #update()}: {@code Store.update} of a counter, in ops/s; run with {@code -t 1}
 *       and {@code -t 8}. All threads share one store (one instance, one Lettuce connection).
 *       The instance's writes take turns ({@code RedisStoreBuilder.queueWrites}, on by default):
 *       one COMMIT at a time, each on its predecessor's version. With {@code
 *       backend=redis-unqueued} they race instead: a conflict costs another round trip, and
 *       after three retries a random wait of up to 16 ms.
 *   <li>{@link #propagation()}: update on instance A, then wait until a conflated subscriber of
 *       instance B (a second {@code RedisStore} on the same name and server: its own client,
 *       connections and stream follower) has the written version. Sample mode, µs. A's round
 *       trip is part of each sample. With {@code backend=memory}, A and B are the same store:
 *       the update → {@code onNext} latency of one local subscriber.
 * </ul>
 */
@State(Scope.Benchmark)
public class RedisBenchmark {

  static final String MEMORY = "memory";
  static final String REDIS = "redis";
  /**
   * Diagnostic, not in a default run ({@code -p backend=redis-unqueued}): the Redis store with
   * {@code queueWrites(false)}, every write sent at once, as before write turns.
   */
  static final String REDIS_UNQUEUED = "redis-unqueued";

  @Param({MEMORY, REDIS})
  public String backend;

  private RedisServer server;
  private Store<Long> a;
  private Store<Long> b;
  private Probe probe;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) throws Exception {
    // Instance B and its subscriber only for the propagation benchmark: in the update benchmark
    // they would cost the writer a delivery hand-off (in memory) or CPU (B's follower).
    boolean pair = params.getBenchmark().endsWith(".propagation");
    switch (backend) {
      case MEMORY -> {
        a = Store.of(0L);
        b = a;
      }
      case REDIS, REDIS_UNQUEUED -> {
        server = RedisServer.start();
        boolean queue = REDIS.equals(backend);
        a = redisStore(queue);
        b = pair ? redisStore(queue) : a;
      }
      default -> throw Impl.unknown(backend);
    }
    if (pair) {
      probe = new Probe();
      b.changes().subscribe(probe);
      probe.await(b.snapshot().version());
    }
  }

  private RedisStore<Long> redisStore(boolean queueWrites) {
    return RedisStore.builder("bench-counter", 0L)
        .uri(RedisURI.create(server.uri()))
        .type(Long.class) // the default JSON codec, as an application would use it
        .writeTimeout(Duration.ofSeconds(30)) // contended retries must not fail the run
        .queueWrites(queueWrites)
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (probe != null) {
        probe.cancel();
      }
      StoreStats stats = a.stats();
      // Contention at a glance in the run's log: CAS conflicts per committed version.
      System.out.printf("%n[%s] version %,d, CAS retries %,d (%.2f per commit)%n", backend,
          stats.version(), stats.casRetries(),
          stats.version() == 0 ? 0.0 : (double) stats.casRetries() / stats.version());
      if (b != a) {
        b.close();
      }
      a.close();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /**
   * One {@code Store.update} of the shared counter: at least one Redis round trip. The function
   * counts its applications: each one after the first is a CAS conflict (the secondary metric
   * {@code retries}, per second like the score, so retries / score = retries per update).
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long update(Conflicts conflicts) {
    conflicts.attempts = 0;
    long v = a.update(c -> {
      // Retries may run on a Lettuce I/O thread, one after the other; update's completion
      // makes the increments visible to this thread.
      conflicts.attempts++;
      return c + 1;
    }).version();
    conflicts.retries += conflicts.attempts - 1;
    return v;
  }

  /** CAS conflicts of one benchmark thread, as a JMH secondary metric. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Conflicts {
    /** Applications of the update function beyond the first, i.e. CAS conflicts. */
    public long retries;
    int attempts;

    @Setup(Level.Iteration)
    public void reset() {
      retries = 0;
    }
  }

  /** Update on A until B's local replica has delivered it to B's subscriber. Run with 1 thread. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long propagation() {
    long v = a.update(c -> c + 1).version();
    probe.await(v);
    return v;
  }
}
