package io.snapflux.benchmarks;

import io.snapflux.store.Store;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

/** Classic table, row "counter": one increment of a shared counter per operation. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CounterBenchmark {

  @Param({Impl.LOCK, Impl.CAS, Impl.VCAS, Impl.STORE, Impl.STATE_FLOW, Impl.JDK})
  public String impl;

  private Counter counter;

  @Setup
  public void setUp() {
    counter = switch (impl) {
      case Impl.LOCK -> new LockCounter();
      case Impl.CAS -> new CasCounter();
      case Impl.VCAS -> new VersionedCounter();
      case Impl.STORE -> new StoreCounter();
      case Impl.STATE_FLOW -> new StateFlowCounter();
      case Impl.JDK -> new JdkCounter();
      default -> throw Impl.unknown(impl);
    };
  }

  @TearDown
  public void tearDown() {
    counter.close();
  }

  @Benchmark
  public long increment() {
    return counter.increment();
  }

  interface Counter extends AutoCloseable {
    long increment();

    @Override
    default void close() {}
  }

  static final class LockCounter implements Counter {
    private long value;

    @Override
    public synchronized long increment() {
      return ++value;
    }
  }

  static final class CasCounter implements Counter {
    private final AtomicReference<Long> ref = new AtomicReference<>(0L);

    @Override
    public long increment() {
      for (;;) {
        Long current = ref.get();
        Long next = current + 1;
        if (ref.compareAndSet(current, next)) {
          return next;
        }
      }
    }
  }

  static final class VersionedCounter implements Counter {
    private final VersionedRef<Long> ref = new VersionedRef<>(0L);

    @Override
    public long increment() {
      return ref.update(c -> c + 1).state();
    }
  }

  static final class StoreCounter implements Counter {
    private final Store<Long> store = Store.of(0L);

    @Override
    public long increment() {
      return store.update(c -> c + 1).state();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  static final class StateFlowCounter implements Counter {
    private final MutableStateFlow<Long> flow = StateFlowKt.MutableStateFlow(0L);

    @Override
    public long increment() {
      for (;;) {
        Long current = flow.getValue();
        Long next = current + 1;
        if (flow.compareAndSet(current, next)) {
          return next;
        }
      }
    }
  }

  static final class JdkCounter implements Counter {
    private final AtomicLong value = new AtomicLong();

    @Override
    public long increment() {
      return value.incrementAndGet();
    }
  }
}
