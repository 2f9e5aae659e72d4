package io.snapflux.benchmarks;

import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import io.vavr.collection.Queue;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * Classic table, row "queue": one operation is an enqueue followed by a dequeue (Michael–Scott
 * queue shape). Every thread enqueues before it dequeues, so a dequeue never finds it empty.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QueueBenchmark {

  private static final Integer ITEM = 42;

  @Param({Impl.LOCK, Impl.CAS, Impl.STORE, Impl.STATE_FLOW, Impl.JDK})
  public String impl;

  private Fifo queue;

  @Setup
  public void setUp() {
    queue = switch (impl) {
      case Impl.LOCK -> new LockFifo();
      case Impl.CAS -> new CasFifo();
      case Impl.STORE -> new StoreFifo();
      case Impl.STATE_FLOW -> new StateFlowFifo();
      case Impl.JDK -> new JdkFifo();
      default -> throw Impl.unknown(impl);
    };
  }

  @TearDown
  public void tearDown() {
    queue.close();
  }

  @Benchmark
  public Integer enqueueDequeue() {
    queue.enqueue(ITEM);
    return queue.dequeue();
  }

  interface Fifo extends AutoCloseable {
    void enqueue(Integer item);

    Integer dequeue();

    @Override
    default void close() {}
  }

  static final class LockFifo implements Fifo {
    private final ArrayDeque<Integer> deque = new ArrayDeque<>();

    @Override
    public synchronized void enqueue(Integer item) {
      deque.offer(item);
    }

    @Override
    public synchronized Integer dequeue() {
      return deque.poll();
    }
  }

  static final class CasFifo implements Fifo {
    private final AtomicReference<Queue<Integer>> ref = new AtomicReference<>(Queue.empty());

    @Override
    public void enqueue(Integer item) {
      for (;;) {
        Queue<Integer> current = ref.get();
        if (ref.compareAndSet(current, current.enqueue(item))) {
          return;
        }
      }
    }

    @Override
    public Integer dequeue() {
      for (;;) {
        Queue<Integer> current = ref.get();
        if (ref.compareAndSet(current, current.tail())) {
          return current.head();
        }
      }
    }
  }

  static final class StoreFifo implements Fifo {
    private final Store<Queue<Integer>> store = Store.of(Queue.empty());

    @Override
    public void enqueue(Integer item) {
      store.update(q -> q.enqueue(item));
    }

    @Override
    public Integer dequeue() {
      return Stores.getAndUpdate(store, Queue::tail).head();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  static final class StateFlowFifo implements Fifo {
    private final MutableStateFlow<Queue<Integer>> flow =
        StateFlowKt.MutableStateFlow(Queue.empty());

    @Override
    public void enqueue(Integer item) {
      for (;;) {
        Queue<Integer> current = flow.getValue();
        if (flow.compareAndSet(current, current.enqueue(item))) {
          return;
        }
      }
    }

    @Override
    public Integer dequeue() {
      for (;;) {
        Queue<Integer> current = flow.getValue();
        if (flow.compareAndSet(current, current.tail())) {
          return current.head();
        }
      }
    }
  }

  static final class JdkFifo implements Fifo {
    private final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();

    @Override
    public void enqueue(Integer item) {
      queue.offer(item);
    }

    @Override
    public Integer dequeue() {
      return queue.poll();
    }
  }
}
