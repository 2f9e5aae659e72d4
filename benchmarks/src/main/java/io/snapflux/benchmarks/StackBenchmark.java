package io.snapflux.benchmarks;

import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import io.vavr.collection.List;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
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

/**
 * Classic table, row "stack": one operation is a push followed by a pop (Treiber stack shape).
 * Every thread pushes before it pops, so a pop never finds the stack empty.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StackBenchmark {

  private static final Integer ITEM = 42;

  @Param({Impl.LOCK, Impl.CAS, Impl.STORE, Impl.STATE_FLOW, Impl.JDK})
  public String impl;

  private Stack stack;

  @Setup
  public void setUp() {
    stack = switch (impl) {
      case Impl.LOCK -> new LockStack();
      case Impl.CAS -> new CasStack();
      case Impl.STORE -> new StoreStack();
      case Impl.STATE_FLOW -> new StateFlowStack();
      case Impl.JDK -> new JdkStack();
      default -> throw Impl.unknown(impl);
    };
  }

  @TearDown
  public void tearDown() {
    stack.close();
  }

  @Benchmark
  public Integer pushPop() {
    stack.push(ITEM);
    return stack.pop();
  }

  interface Stack extends AutoCloseable {
    void push(Integer item);

    Integer pop();

    @Override
    default void close() {}
  }

  static final class LockStack implements Stack {
    private final ArrayDeque<Integer> deque = new ArrayDeque<>();

    @Override
    public synchronized void push(Integer item) {
      deque.push(item);
    }

    @Override
    public synchronized Integer pop() {
      return deque.pop();
    }
  }

  static final class CasStack implements Stack {
    private final AtomicReference<List<Integer>> ref = new AtomicReference<>(List.empty());

    @Override
    public void push(Integer item) {
      for (;;) {
        List<Integer> current = ref.get();
        if (ref.compareAndSet(current, current.prepend(item))) {
          return;
        }
      }
    }

    @Override
    public Integer pop() {
      for (;;) {
        List<Integer> current = ref.get();
        if (ref.compareAndSet(current, current.tail())) {
          return current.head();
        }
      }
    }
  }

  static final class StoreStack implements Stack {
    private final Store<List<Integer>> store = Store.of(List.empty());

    @Override
    public void push(Integer item) {
      store.update(l -> l.prepend(item));
    }

    @Override
    public Integer pop() {
      return Stores.getAndUpdate(store, List::tail).head();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  static final class StateFlowStack implements Stack {
    private final MutableStateFlow<List<Integer>> flow = StateFlowKt.MutableStateFlow(List.empty());

    @Override
    public void push(Integer item) {
      for (;;) {
        List<Integer> current = flow.getValue();
        if (flow.compareAndSet(current, current.prepend(item))) {
          return;
        }
      }
    }

    @Override
    public Integer pop() {
      for (;;) {
        List<Integer> current = flow.getValue();
        if (flow.compareAndSet(current, current.tail())) {
          return current.head();
        }
      }
    }
  }

  static final class JdkStack implements Stack {
    private final ConcurrentLinkedDeque<Integer> deque = new ConcurrentLinkedDeque<>();

    @Override
    public void push(Integer item) {
      deque.push(item);
    }

    @Override
    public Integer pop() {
      return deque.pop();
    }
  }
}
