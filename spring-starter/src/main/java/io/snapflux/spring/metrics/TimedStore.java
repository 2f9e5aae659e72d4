package io.snapflux.spring.metrics;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.snapflux.store.AsyncHistory;
import io.snapflux.store.AsyncWrites;
import io.snapflux.store.ForwardingStore;
import io.snapflux.store.History;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.vavr.Tuple2;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

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
 * committing ones, and decorates the capabilities (async(), history()) so that decoration keeps
 * them: their writes are observed too, an async one from subscription to its terminal signal.
 * The default methods of Store and the helpers of Stores built on them (update(fn), modify,
 * updateAndGet, updateAll, updateWithEffects) call back into this class and are observed once
 * per call to the method they reach. Reads (snapshot, history versions, changes) are plain
 * forwards: wait-free reads
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

  /** The delegate's asynchronous writes, each observed from subscription to its end. */
  @Override
  public AsyncWrites<S> async() {
    return async;
  }

  /** The delegate's history capability, its writes observed like updates. */
  @Override
  public Optional<History<S>> history() {
    return super.history().map(TimedHistory::new);
  }

  private <R> Mono<R> timeAsync(Supplier<Mono<R>> call) {
    return Mono.defer(() -> {
      Observation observation = Observation.createNotStarted(StoreMetrics.UPDATE, observations)
          .contextualName("snapflux update " + name())
          .lowCardinalityKeyValues(keys)
          .start();
      String[] outcome = {ERROR};
      Mono<R> result;
      try {
        result = call.get();
      } catch (RuntimeException e) {
        result = Mono.error(e);
      }
      return result
          .doOnNext(r -> outcome[0] = r instanceof Outcome.Conflict<?> || Boolean.FALSE.equals(r)
              ? CONFLICT : COMMITTED)
          .doOnSuccess(r -> {
            if (r == null) {
              outcome[0] = COMMITTED;
            }
          })
          .doOnError(e -> {
            if (e instanceof StateValidationException) {
              outcome[0] = REJECTED;
            } else {
              observation.error(e);
            }
          })
          .doFinally(signal -> {
            observation.lowCardinalityKeyValue("outcome", outcome[0]);
            observation.stop();
          });
    });
  }

  private final AsyncWrites<S> async = new AsyncWrites<>() {
    @Override
    public Mono<Snapshot<S>> update(@Nullable Object cause, UnaryOperator<S> fn) {
      return timeAsync(() -> delegate().async().update(cause, fn));
    }

    @Override
    public Mono<Outcome<S>> updateIfVersion(long expectedVersion, @Nullable Object cause,
        UnaryOperator<S> fn) {
      return timeAsync(() -> delegate().async().updateIfVersion(expectedVersion, cause, fn));
    }

    @Override
    public Mono<Boolean> compareAndSet(long expectedVersion, S newState) {
      return timeAsync(() -> delegate().async().compareAndSet(expectedVersion, newState));
    }
  };

  /** Decoration keeps capabilities: undo and redo are observed as updates are. */
  private final class TimedHistory implements History<S> {

    private final History<S> h;

    TimedHistory(History<S> h) {
      this.h = h;
    }

    @Override
    public io.vavr.collection.List<Snapshot<S>> versions() {
      return h.versions();
    }

    @Override
    public Optional<Snapshot<S>> at(long version) {
      return h.at(version);
    }

    @Override
    public Snapshot<S> undo(@Nullable Object by) {
      return time(() -> h.undo(by));
    }

    @Override
    public Snapshot<S> redo(@Nullable Object by) {
      return time(() -> h.redo(by));
    }

    @Override
    public Outcome<S> undoIfVersion(long expectedVersion, @Nullable Object by) {
      return time(() -> h.undoIfVersion(expectedVersion, by));
    }

    @Override
    public Outcome<S> redoIfVersion(long expectedVersion, @Nullable Object by) {
      return time(() -> h.redoIfVersion(expectedVersion, by));
    }

    @Override
    public boolean canUndo() {
      return h.canUndo();
    }

    @Override
    public boolean canRedo() {
      return h.canRedo();
    }

    @Override
    public AsyncHistory<S> async() {
      AsyncHistory<S> a = h.async();
      return new AsyncHistory<>() {
        @Override
        public Mono<Outcome<S>> undoIfVersion(long expectedVersion, @Nullable Object by) {
          return timeAsync(() -> a.undoIfVersion(expectedVersion, by));
        }

        @Override
        public Mono<Outcome<S>> redoIfVersion(long expectedVersion, @Nullable Object by) {
          return timeAsync(() -> a.redoIfVersion(expectedVersion, by));
        }
      };
    }
  }
}
