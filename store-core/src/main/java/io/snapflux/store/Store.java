package io.snapflux.store;

import io.vavr.Tuple2;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A versioned, lock-free, reactive holder of one immutable state.
 *
 * <p>The state is an immutable value (records and Vavr persistent collections). Every change is
 * a pure function from the current state to the next, committed atomically: the store reads its
 * current snapshot, applies the function, and publishes the result with a compare-and-set; if
 * another change won the race, the function is applied again to the newer state. Every committed
 * change gets the next {@linkplain Snapshot#version() version}, exactly one more than its
 * predecessor.
 *
 * <h2>Update functions</h2>
 *
 * <p>An update function <b>may be applied more than once</b> (once per attempt) and must
 * therefore be side-effect-free, as with {@link
 * java.util.concurrent.atomic.AtomicReference#updateAndGet(UnaryOperator)}. If it returns the
 * very same state (by the store's {@link Equivalence}, identity by default), nothing is
 * committed: no new version, no emission. If it returns {@code null}, or a validator rejects its
 * result, or it throws, the update fails with an exception and the store is unchanged.
 *
 * <h2>Subscribers</h2>
 *
 * <p>{@link #changes()} is a hot {@link Flux}: each subscriber first receives the current snapshot,
 * then newer ones. Writers never wait for subscribers: a commit only signals, and delivery happens
 * on the requesting thread or on workers of the store's delivery scheduler. A subscriber that
 * fails or is slow affects only itself.
 *
 * <h2>Memory consistency</h2>
 *
 * <p>Committing a snapshot <i>happens-before</i> every read of that snapshot through {@link
 * #snapshot()} and every delivery of it to a subscriber; actions of a thread before it commits a
 * change are therefore visible to any thread that sees the change.
 *
 * <p>All methods are thread-safe. {@link #snapshot()} is wait-free; updates are lock-free.
 *
 * <h2>Capabilities and helpers</h2>
 *
 * <p>{@link #async()} gives the same writes as {@link Mono}s that never block (for WebFlux), on
 * every backend. {@link #history()} is the optional history capability (versions, undo, redo):
 * empty for a store without history, never a method that throws. Derived helpers
 * ({@code updateAndGet}, {@code getAndUpdate}, batches, effects, waiting for a version, change
 * events) are static methods of {@link Stores}.
 *
 * <pre>
 * Implementation notes. 18 methods (issue 13): Caffeine's Cache has 13 and puts optional
 * features behind {@code policy()}, Reactor's Sinks put each emission flavour in its own type,
 * Kotlin's StateFlow keeps {@code update}/{@code getAndUpdate} as extension functions over
 * {@code compareAndSet}. A default method here is written only with other methods of this
 * interface, so a decorator ({@link ForwardingStore}) or a backend cannot make it inconsistent.
 * </pre>
 *
 * @param <S> the type of the state; instances must be immutable
 */
public interface Store<S> extends AutoCloseable {

  /**
   * An in-memory store with default settings.
   *
   * @param initial the state at version 0
   * @param <S> the type of the state
   * @return a new store
   * @throws NullPointerException if {@code initial} is {@code null}
   */
  static <S> Store<S> of(S initial) {
    return builder(initial).build();
  }

  /**
   * A builder of an in-memory store, for options: name, validators, equality policy, backoff,
   * delivery scheduler, clock.
   *
   * @param initial the state at version 0
   * @param <S> the type of the state
   * @return a new builder
   * @throws NullPointerException if {@code initial} is {@code null}
   */
  static <S> StoreBuilder<S> builder(S initial) {
    return new StoreBuilder<>(initial);
  }

  /** The store's name, used in error messages, metrics and logs. */
  String name();

  /**
   * The current snapshot. Wait-free: one volatile read.
   *
   * @return the newest committed snapshot
   */
  Snapshot<S> snapshot();

  /**
   * Applies {@code fn} to the current state and commits the result.
   *
   * <p>The function may be applied more than once and must be side-effect-free.
   *
   * @param fn the pure update function
   * @return the committed snapshot, or the current one if {@code fn} changed nothing
   * @throws StateValidationException if a validator rejects the new state
   * @throws StoreClosedException if the store is closed
   * @throws NullPointerException if {@code fn} returns {@code null}
   */
  default Snapshot<S> update(UnaryOperator<S> fn) {
    return update(null, fn);
  }

  /**
   * Like {@link #update(UnaryOperator)}, recording {@code cause} in the committed snapshot, so
   * subscribers and history can show why the version exists.
   *
   * <p>The function may be applied more than once and must be side-effect-free.
   *
   * <p>Implementations apply {@code fn} on the calling thread, once per attempt, and commit the
   * result of the last application: {@link #modify} and the helpers of {@link Stores} rely on it.
   *
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure update function
   * @return the committed snapshot, or the current one if {@code fn} changed nothing
   * @throws StateValidationException if a validator rejects the new state
   * @throws StoreClosedException if the store is closed
   */
  Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn);

  /**
   * Applies {@code fn}, which returns the new state together with a result, commits the state
   * and returns the result computed by the attempt that committed (Clojure's {@code swap-vals!},
   * Cats Effect's {@code Ref.modify}).
   *
   * <p>The function may be applied more than once and must be side-effect-free.
   *
   * @param fn the pure function returning {@code (newState, result)}
   * @param <R> the type of the result
   * @return the result of the winning attempt
   */
  default <R> R modify(Function<? super S, ? extends Tuple2<? extends S, ? extends R>> fn) {
    java.util.Objects.requireNonNull(fn, "fn");
    // The attempt that commits is the last one update() applies: its result is the one to keep.
    Object[] result = new Object[1];
    update(null, s -> {
      Tuple2<? extends S, ? extends R> t = java.util.Objects.requireNonNull(fn.apply(s),
          () -> "modify function returned null instead of (state, result) (store '" + name()
              + "')");
      result[0] = t._2;
      return t._1;
    });
    @SuppressWarnings("unchecked")
    R r = (R) result[0];
    return r;
  }

  /**
   * Sets the state to {@code newState} if the store is at {@code expectedVersion}. Versions never
   * repeat, so this is free of the ABA problem even when states do repeat; it is what HTTP
   * {@code If-Match} maps onto.
   *
   * @param expectedVersion the version the caller read
   * @param newState the state to commit
   * @return {@code true} if the store was at {@code expectedVersion} (and now holds {@code
   *     newState}, or held it already), {@code false} if it had moved on and nothing changed
   * @throws StateValidationException if a validator rejects {@code newState}
   * @throws StoreClosedException if the store is closed
   */
  boolean compareAndSet(long expectedVersion, S newState);

  /**
   * Applies {@code fn} only if the store is at {@code expectedVersion}; on a conflict, reports the
   * current snapshot instead of retrying.
   *
   * <p>The function runs at most once per call, on the expected version.
   *
   * @param expectedVersion the version the caller read
   * @param fn the pure update function
   * @return {@link Outcome.Applied} with the committed snapshot, or {@link Outcome.Conflict} with
   *     the current one
   */
  default Outcome<S> updateIfVersion(long expectedVersion, UnaryOperator<S> fn) {
    return updateIfVersion(expectedVersion, null, fn);
  }

  /**
   * Like {@link #updateIfVersion(long, UnaryOperator)}, recording {@code cause}.
   *
   * @param expectedVersion the version the caller read
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure update function
   * @return the outcome
   */
  Outcome<S> updateIfVersion(long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn);

  /**
   * The snapshots of this store, conflated: the current snapshot first, then the newest one
   * whenever the subscriber has demand; versions strictly increase, and after the last change
   * every live subscriber receives the final snapshot. Completes when the store is closed.
   *
   * @return a hot, conflated stream of snapshots
   */
  default Flux<Snapshot<S>> changes() {
    return changes(Delivery.conflated());
  }

  /**
   * The snapshots of this store, delivered as {@code delivery} says.
   *
   * @param delivery {@link Delivery#conflated()} or {@link Delivery#lossless(int)}
   * @return a hot stream of snapshots
   */
  Flux<Snapshot<S>> changes(Delivery delivery);

  /**
   * A projection of the state: the selected value first, then each time it changes. Changes are
   * detected with {@link Object#equals(Object)} between consecutive selected values; the
   * underlying delivery is conflated. A selector that throws or returns {@code null} fails only
   * that subscriber.
   *
   * @param selector a pure function of the state
   * @param <T> the type of the selected value
   * @return a hot stream of distinct selected values
   */
  default <T> Flux<T> select(Function<? super S, ? extends T> selector) {
    Objects.requireNonNull(selector, "selector");
    return changes().<T>map(s -> selector.apply(s.state())).distinctUntilChanged();
  }

  /**
   * The non-blocking writes of this store: the same writes, each returning a {@link Mono} that
   * completes when the write is acknowledged as the backend defines it (memory: at once; file:
   * when durable under its durability mode; Redis: on its round trip). Safe on non-blocking
   * Reactor threads.
   *
   * @return the asynchronous view of this store's writes
   */
  AsyncWrites<S> async();

  /**
   * The history capability: recent versions, undo and redo; empty if this store keeps no
   * history (built without {@link StoreBuilder#history(int)}, or a backend without history).
   *
   * @return the history, if this store keeps one
   */
  default Optional<History<S>> history() {
    return Optional.empty();
  }

  /** Counters about this store, for metrics and diagnostics. */
  StoreStats stats();

  /** Whether {@link #close()} has been called. */
  boolean isClosed();

  /**
   * Closes the store: later updates fail with {@link StoreClosedException}; every subscriber
   * receives the final snapshot (when it has demand) and then completes; later subscribers
   * receive the final snapshot and completion. Idempotent.
   */
  @Override
  void close();
}
