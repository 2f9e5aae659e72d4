package io.snapflux.benchmarks;

import io.snapflux.store.Store;
import io.vavr.collection.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import kotlinx.coroutines.flow.MutableStateFlow;
import kotlinx.coroutines.flow.StateFlowKt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Classic table, row "dict": one operation increments the value of a random key of a 1,000-key
 * map. {@code MutableStateFlow}'s compare-and-set compares states with {@code equals}, which is
 * O(n) on a map: the workload the "≥ 50× MutableStateFlow" target is about.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DictBenchmark {

  @Param({Impl.LOCK, Impl.CAS, Impl.VCAS, Impl.STORE, Impl.STATE_FLOW, Impl.JDK})
  public String impl;

  private Dict dict;

  @Setup
  public void setUp() {
    dict = switch (impl) {
      case Impl.LOCK -> new LockDict();
      case Impl.CAS -> new CasDict();
      case Impl.VCAS -> new VersionedDict();
      case Impl.STORE -> new StoreDict();
      case Impl.STATE_FLOW -> new StateFlowDict();
      case Impl.JDK -> new JdkDict();
      default -> throw Impl.unknown(impl);
    };
  }

  @TearDown
  public void tearDown() {
    dict.close();
  }

  @Benchmark
  public Object update() {
    return dict.increment(Keys.random());
  }

  interface Dict extends AutoCloseable {
    Object increment(Integer key);

    @Override
    default void close() {}
  }

  static final class LockDict implements Dict {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final java.util.HashMap<Integer, Integer> map = Keys.jdkMap();

    @Override
    public Object increment(Integer key) {
      lock.writeLock().lock();
      try {
        return map.merge(key, 1, Integer::sum);
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  static final class CasDict implements Dict {
    private final AtomicReference<HashMap<Integer, Integer>> ref =
        new AtomicReference<>(Keys.vavrMap());

    @Override
    public Object increment(Integer key) {
      for (;;) {
        HashMap<Integer, Integer> current = ref.get();
        HashMap<Integer, Integer> next = current.put(key, 1, Integer::sum);
        if (ref.compareAndSet(current, next)) {
          return next;
        }
      }
    }
  }

  static final class VersionedDict implements Dict {
    private final VersionedRef<HashMap<Integer, Integer>> ref =
        new VersionedRef<>(Keys.vavrMap());

    @Override
    public Object increment(Integer key) {
      return ref.update(m -> m.put(key, 1, Integer::sum));
    }
  }

  static final class StoreDict implements Dict {
    private final Store<HashMap<Integer, Integer>> store = Store.of(Keys.vavrMap());

    @Override
    public Object increment(Integer key) {
      return store.update(m -> m.put(key, 1, Integer::sum));
    }

    @Override
    public void close() {
      store.close();
    }
  }

  static final class StateFlowDict implements Dict {
    private final MutableStateFlow<HashMap<Integer, Integer>> flow =
        StateFlowKt.MutableStateFlow(Keys.vavrMap());

    @Override
    public Object increment(Integer key) {
      for (;;) {
        HashMap<Integer, Integer> current = flow.getValue();
        HashMap<Integer, Integer> next = current.put(key, 1, Integer::sum);
        if (flow.compareAndSet(current, next)) {
          return next;
        }
      }
    }
  }

  static final class JdkDict implements Dict {
    private final ConcurrentHashMap<Integer, Integer> map = new ConcurrentHashMap<>(Keys.jdkMap());

    @Override
    public Object increment(Integer key) {
      return map.merge(key, 1, Integer::sum);
    }
  }
}
