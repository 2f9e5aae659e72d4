package io.snapflux.benchmarks;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Sinks;

/**
 * The publishers compared by the fan-out, latency and memory benchmarks: a counter that
 * subscribers watch, either held by the store or hand-rolled from an {@code AtomicReference} and a
 * Reactor replay-latest sink.
 */
final class Publishers {

  static final String STORE = "store";
  static final String SINK = "sink";

  private Publishers() {}

  static Source create(String impl) {
    return switch (impl) {
      case STORE -> new StoreSource();
      case SINK -> new SinkSource();
      default -> throw Impl.unknown(impl);
    };
  }

  /** A watched counter. */
  interface Source extends AutoCloseable {

    /** Commits the next value and returns its version (the value itself for the sink). */
    long update();

    /** Subscribes {@code probe} with unbounded demand. */
    void subscribe(Probe probe);

    @Override
    void close();
  }

  /**
   * A subscriber that requests unbounded and keeps the last version it received in a volatile
   * field: the Blackhole-like sink that stops delivery from being optimised away, and what the
   * latency benchmark waits on.
   */
  static final class Probe implements CoreSubscriber<Object> {
    volatile long seen = -1;
    volatile @Nullable Throwable error;
    private @Nullable Subscription subscription;

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Object o) {
      seen = o instanceof Snapshot<?> s ? s.version() : (Long) o;
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onComplete() {}

    void cancel() {
      Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }

    /** Waits (yielding, the machine may have fewer cores than busy threads) to see {@code v}. */
    void await(long v) {
      long deadline = 0;
      for (int spins = 0; seen < v; spins++) {
        Thread.yield();
        if ((spins & 0x3ff) == 0x3ff) {
          long now = System.nanoTime();
          if (deadline == 0) {
            deadline = now + 10_000_000_000L;
          } else if (now > deadline) {
            throw new IllegalStateException("version " + v + " not delivered within 10 s (seen "
                + seen + ", error " + error + "): a lost wake-up?");
          }
        }
      }
    }
  }

  /** Subscribes {@code n} fresh probes and waits until each has its initial value. */
  static List<Probe> subscribe(Source source, int n) {
    List<Probe> probes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Probe p = new Probe();
      source.subscribe(p);
      probes.add(p);
    }
    for (Probe p : probes) {
      p.await(0);
    }
    return probes;
  }

  static final class StoreSource implements Source {
    private final Store<Long> store = Store.of(0L);

    @Override
    public long update() {
      return store.update(c -> c + 1).version();
    }

    @Override
    public void subscribe(Probe probe) {
      store.changes().subscribe(probe);
    }

    @Override
    public void close() {
      store.close();
    }
  }

  /**
   * The hand-rolled alternative: the state in an {@code AtomicReference}, published through
   * {@code Sinks.many().replay().latest()}. Reactor's sinks reject concurrent emitters with
   * {@code FAIL_NON_SERIALIZED}, so every writer emits with a busy-looping retry handler. Note
   * what this still lacks next to the store: two writers may emit in the opposite order of their
   * compare-and-sets, so a subscriber can see an older value last; and the emitting writer runs
   * every subscriber's {@code onNext} itself, so an update costs O(subscribers).
   */
  static final class SinkSource implements Source {
    private static final Sinks.EmitFailureHandler RETRY =
        Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(10));

    private final AtomicReference<Long> ref = new AtomicReference<>(0L);
    private final Sinks.Many<Long> sink = Sinks.many().replay().latest();

    SinkSource() {
      sink.emitNext(0L, RETRY);
    }

    @Override
    public long update() {
      for (;;) {
        Long current = ref.get();
        Long next = current + 1;
        if (ref.compareAndSet(current, next)) {
          sink.emitNext(next, RETRY);
          return next;
        }
      }
    }

    @Override
    public void subscribe(Probe probe) {
      sink.asFlux().subscribe(probe);
    }

    @Override
    public void close() {
      sink.emitComplete(RETRY);
    }
  }
}
