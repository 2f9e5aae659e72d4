package io.snapflux.spring.metrics;

import io.micrometer.core.instrument.Timer;
import io.snapflux.store.ForwardingStore;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.vavr.Tuple2;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A store that records the latency of every committing call in the {@value StoreMetrics#UPDATE}
 * timer, tagged by outcome, and forwards everything to its delegate.
 *
 * <pre>
 * Implementation notes.
 *
 * ForwardingStore forwards every method a backend may implement, so this class overrides only the
 * committing ones. The default methods of Store built on them (update(fn), updateAndGet,
 * updateAll, updateWithEffects) call back into this class and are timed once per call to the
 * method they reach. Reads (snapshot, get, history, changes) are plain forwards: wait-free reads
 * stay wait-free. The four timers are resolved once, at construction.
 * </pre>
 */
final class TimedStore<S> extends ForwardingStore<S> {

  static final String COMMITTED = "committed";
  static final String CONFLICT = "conflict";
  static final String REJECTED = "rejected";
  static final String ERROR = "error";

  private final Timer committed;
  private final Timer conflict;
  private final Timer rejected;
  private final Timer error;

  TimedStore(Store<S> delegate, Function<String, Timer> timers) {
    super(delegate);
    this.committed = timers.apply(COMMITTED);
    this.conflict = timers.apply(CONFLICT);
    this.rejected = timers.apply(REJECTED);
    this.error = timers.apply(ERROR);
  }

  private <R> R time(Supplier<R> call) {
    long start = System.nanoTime();
    Timer timer = error;
    try {
      R result = call.get();
      timer = result instanceof Outcome.Conflict<?> || Boolean.FALSE.equals(result)
          ? conflict
          : committed;
      return result;
    } catch (StateValidationException e) {
      timer = rejected;
      throw e;
    } finally {
      timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    return time(() -> super.update(cause, fn));
  }

  @Override
  public S getAndUpdate(UnaryOperator<S> fn) {
    return time(() -> super.getAndUpdate(fn));
  }

  @Override
  public <R> R modify(Function<? super S, ? extends Tuple2<? extends S, ? extends R>> fn) {
    return time(() -> super.modify(fn));
  }

  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    return time(() -> super.compareAndSet(expectedVersion, newState));
  }

  @Override
  public Outcome<S> updateIfVersion(
      long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
    return time(() -> super.updateIfVersion(expectedVersion, cause, fn));
  }

  @Override
  public Snapshot<S> undo() {
    return time(super::undo);
  }

  @Override
  public Snapshot<S> redo() {
    return time(super::redo);
  }

  @Override
  public Outcome<S> undoIfVersion(long expectedVersion) {
    return time(() -> super.undoIfVersion(expectedVersion));
  }

  @Override
  public Outcome<S> redoIfVersion(long expectedVersion) {
    return time(() -> super.redoIfVersion(expectedVersion));
  }
}
