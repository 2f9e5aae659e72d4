package io.snapflux.spring.metrics;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.snapflux.store.ForwardingStore;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.vavr.Tuple2;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A store that makes every committing call a Micrometer {@link Observation} named {@value
 * StoreMetrics#UPDATE} (low-cardinality keys {@code store}, {@code backend} and, when it ends,
 * {@code outcome}), and forwards everything to its delegate. With Boot's observation registry the
 * observation becomes the {@value StoreMetrics#UPDATE} timer (plus spans when tracing is on), and
 * {@code management.observations.*} filters apply to it. Closing it closes the delegate and then
 * runs the {@code onClose} action (the decorator removes the store's meters there).
 *
 * <pre>
 * Implementation notes.
 *
 * ForwardingStore forwards every method a backend may implement, so this class overrides only the
 * committing ones. The default methods of Store built on them (update(fn), updateAndGet,
 * updateAll, updateWithEffects) call back into this class and are observed once per call to the
 * method they reach. Reads (snapshot, get, history, changes) are plain forwards: wait-free reads
 * stay wait-free. The outcome is known only when the call returns, so it is added to the context
 * just before stop(); meter handlers read the keys at stop, so the timer is tagged with it.
 * </pre>
 */
final class TimedStore<S> extends ForwardingStore<S> {

  static final String COMMITTED = "committed";
  static final String CONFLICT = "conflict";
  static final String REJECTED = "rejected";
  static final String ERROR = "error";

  private final ObservationRegistry observations;
  private final KeyValues keys;
  private final Runnable onClose;

  /** {@code extraKeys} are added to every observation, after {@code store} and {@code backend}. */
  TimedStore(Store<S> delegate, ObservationRegistry observations, String backend,
      KeyValues extraKeys, Runnable onClose) {
    super(delegate);
    this.observations = observations;
    this.keys = KeyValues.of("store", delegate.name(), "backend", backend).and(extraKeys);
    this.onClose = onClose;
  }

  private <R> R time(Supplier<R> call) {
    Observation observation = Observation.createNotStarted(StoreMetrics.UPDATE, observations)
        .contextualName("snapflux update " + name())
        .lowCardinalityKeyValues(keys)
        .start();
    String outcome = ERROR;
    try (Observation.Scope scope = observation.openScope()) {
      R result = call.get();
      outcome = result instanceof Outcome.Conflict<?> || Boolean.FALSE.equals(result)
          ? CONFLICT
          : COMMITTED;
      return result;
    } catch (StateValidationException e) {
      outcome = REJECTED;
      throw e;
    } catch (RuntimeException | Error e) {
      observation.error(e);
      throw e;
    } finally {
      observation.lowCardinalityKeyValue("outcome", outcome);
      observation.stop();
    }
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      onClose.run();
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
  public Outcome<S> undoIfVersion(long expectedVersion, @Nullable Object by) {
    return time(() -> super.undoIfVersion(expectedVersion, by));
  }

  @Override
  public Outcome<S> redoIfVersion(long expectedVersion, @Nullable Object by) {
    return time(() -> super.redoIfVersion(expectedVersion, by));
  }
}
