package io.snapflux.benchmarks;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.vavr.collection.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Read-mostly mix on a 1,000-key map, 8 threads: each thread does 9 consistent reads, then 1
 * update, over and over (exactly 90% / 10% of operations). A consistent read takes the value of
 * two keys and the version from one state: the store reads its snapshot (one volatile read, then
 * plain reads of immutable data); the RW-lock holder takes its read lock for the three reads, the
 * cheapest way a mutable map gives readers the same consistency.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(8)
public class ReadMostlyBenchmark {

  @Param({"store", "rwlock"})
  public String impl;

  private Holder holder;

  @Setup
  public void setUp() {
    holder = switch (impl) {
      case "store" -> new StoreHolder();
      case "rwlock" -> new RwLockHolder();
      default -> throw Impl.unknown(impl);
    };
  }

  @TearDown
  public void tearDown() {
    holder.close();
  }

  /** Per-thread position in the 9-reads-then-1-update cycle. */
  @State(Scope.Thread)
  public static class Cycle {
    int step;
  }

  @Benchmark
  public void mix(Cycle cycle, Blackhole bh) {
    if (++cycle.step == 10) {
      cycle.step = 0;
      holder.update(Keys.random());
    } else {
      holder.read(Keys.random(), Keys.random(), bh);
    }
  }

  interface Holder extends AutoCloseable {
    void read(Integer a, Integer b, Blackhole bh);

    void update(Integer key);

    @Override
    default void close() {}
  }

  static final class StoreHolder implements Holder {
    private final Store<HashMap<Integer, Integer>> store = Store.of(Keys.vavrMap());

    @Override
    public void read(Integer a, Integer b, Blackhole bh) {
      Snapshot<HashMap<Integer, Integer>> s = store.snapshot();
      HashMap<Integer, Integer> m = s.state();
      bh.consume(m.getOrElse(a, null));
      bh.consume(m.getOrElse(b, null));
      bh.consume(s.version());
    }

    @Override
    public void update(Integer key) {
      store.update(m -> m.put(key, 1, Integer::sum));
    }

    @Override
    public void close() {
      store.close();
    }
  }

  static final class RwLockHolder implements Holder {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final java.util.HashMap<Integer, Integer> map = Keys.jdkMap();
    private long version;

    @Override
    public void read(Integer a, Integer b, Blackhole bh) {
      lock.readLock().lock();
      try {
        bh.consume(map.get(a));
        bh.consume(map.get(b));
        bh.consume(version);
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public void update(Integer key) {
      lock.writeLock().lock();
      try {
        map.merge(key, 1, Integer::sum);
        version++;
      } finally {
        lock.writeLock().unlock();
      }
    }
  }
}
