package io.snapflux.store;

import io.vavr.Tuple2;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
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
   * The current state; shorthand for {@code snapshot().state()}.
   *
   * @return the newest committed state
   */
  default S get() {
    return snapshot().state();
  }

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
   * result of the last application: {@link #modify} and {@link #getAndUpdate} rely on it.
   *
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure update function
   * @return the committed snapshot, or the current one if {@code fn} changed nothing
   * @throws StateValidationException if a validator rejects the new state
   * @throws StoreClosedException if the store is closed
   */
  Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn);

  /**
   * Applies {@code fn} and returns the new state.
   *
   * <p>The function may be applied more than once and must be side-effect-free.
   *
   * @param fn the pure update function
   * @return the state after the update
   */
  default S updateAndGet(UnaryOperator<S> fn) {
    return update(fn).state();
  }

  /**
   * Applies {@code fn} and returns the state it was applied to (the one it replaced).
   *
   * <p>The function may be applied more than once and must be side-effect-free.
   *
   * @param fn the pure update function
   * @return the state before the update
   */
  default S getAndUpdate(UnaryOperator<S> fn) {
    java.util.Objects.requireNonNull(fn, "fn");
    return modify(s -> io.vavr.Tuple.of(fn.apply(s), s));
  }

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
   * Completes with the first snapshot whose version is at least {@code version}, at once if the
   * store is already there: read-your-writes across threads and instances. Fails with {@link
   * StoreClosedException} if the store closes first.
   *
   * @param version the version to wait for
   * @return the snapshot
   */
  default Mono<Snapshot<S>> awaitVersion(long version) {
    return await(s -> true, version);
  }

  /**
   * Completes with the first observed snapshot whose state satisfies {@code predicate}. Delivery
   * is conflated: a state that held only briefly may be skipped; use {@link #changes(Delivery)}
   * with {@link Delivery#lossless(int)} to examine every state. Fails with {@link
   * StoreClosedException} if the store closes first.
   *
   * @param predicate a pure condition on the state
   * @return the snapshot
   */
  default Mono<Snapshot<S>> await(Predicate<? super S> predicate) {
    return await(predicate, 0);
  }

  private Mono<Snapshot<S>> await(Predicate<? super S> predicate, long minVersion) {
    return changes()
        .filter(s -> s.version() >= minVersion && predicate.test(s.state()))
        .next()
        .switchIfEmpty(Mono.error(() -> new StoreClosedException(name())));
  }

  /**
   * The change events of this store: for every version after the current one, the snapshot it
   * replaced, the new one and (through {@link Change#cause()}) why it exists. Delivered
   * lossless with a lag bound of {@link #DEFAULT_MAX_LAG} and resync, so {@code before} is the
   * preceding version except after a resync, which {@link Change#contiguous()} reveals.
   *
   * @return a hot stream of changes
   */
  default Flux<Change<S>> changeEvents() {
    return changeEvents(Delivery.lossless(DEFAULT_MAX_LAG).resyncOnOverflow());
  }

  /**
   * The change events of this store, delivered as {@code delivery} says. With a conflated
   * delivery, {@code before} is the snapshot this subscriber saw last (intermediate versions may
   * lie between).
   *
   * @param delivery conflated or lossless
   * @return a hot stream of changes
   */
  default Flux<Change<S>> changeEvents(Delivery delivery) {
    return Flux.defer(() -> {
      Object[] previous = new Object[1];
      return changes(delivery).handle((snapshot, sink) -> {
        @SuppressWarnings("unchecked")
        Snapshot<S> before = (Snapshot<S>) previous[0];
        previous[0] = snapshot;
        if (before != null) {
          sink.next(new Change<>(before, snapshot));
        }
      });
    });
  }

  /** The lag bound of {@link #changeEvents()}: 1,024 versions. */
  int DEFAULT_MAX_LAG = 1024;

  /**
   * Applies several update functions as one atomic commit: one version, one emission. The
   * functions are applied in order, each to the result of the previous one.
   *
   * <p>The functions may be applied more than once and must be side-effect-free.
   *
   * @param cause a label or action describing the batch, or {@code null}
   * @param fns the pure update functions
   * @return the committed snapshot, or the current one if together they changed nothing
   */
  default Snapshot<S> updateAll(@Nullable Object cause, Iterable<? extends UnaryOperator<S>> fns) {
    io.vavr.collection.List<UnaryOperator<S>> steps = io.vavr.collection.List.ofAll(fns);
    return update(cause, state -> {
      S s = state;
      for (UnaryOperator<S> fn : steps) {
        s = java.util.Objects.requireNonNull(fn.apply(s),
            () -> "a batched update function returned null (store '" + name() + "')");
      }
      return s;
    });
  }

  /**
   * Applies {@code fn}, which returns the next state together with effects, commits the state,
   * and then runs the effects exactly once: only for the attempt whose commit won, never for
   * attempts that were retried, and not at all if nothing was committed (the outbox idea).
   * Effects run on the calling thread, in order, after the commit, each receiving the committed
   * snapshot.
   *
   * <p>The function may be applied more than once and must be side-effect-free; the effects are
   * where the side effects go. If effects fail, every effect still runs, the commit stands (it is
   * never rolled back silently), and an {@link EffectException} carrying the committed snapshot
   * reports the failures.
   *
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure function returning the next state and its effects
   * @return the committed snapshot, or the current one if nothing changed
   * @throws EffectException if an effect failed (the change is committed)
   */
  default Snapshot<S> updateWithEffects(
      @Nullable Object cause, java.util.function.Function<? super S, Effects<S>> fn) {
    for (int attempt = 1; ; attempt++) {
      Snapshot<S> current = snapshot();
      Effects<S> result = java.util.Objects.requireNonNull(fn.apply(current.state()),
          () -> "update function returned null instead of Effects (store '" + name() + "')");
      Outcome<S> outcome = updateIfVersion(current.version(), cause, s -> result.state());
      if (outcome.applied()) {
        Snapshot<S> committed = outcome.snapshot();
        if (committed.version() != current.version()) {
          result.runAll(committed);
        }
        return committed;
      }
      Backoff.defaults().pause(attempt);
    }
  }

  /**
   * The most recent snapshots, oldest first, newest (the current one) last. A store built
   * without {@linkplain StoreBuilder#history(int) history} keeps only the current snapshot.
   *
   * @return recent snapshots with consecutive versions
   */
  default io.vavr.collection.List<Snapshot<S>> history() {
    return io.vavr.collection.List.of(snapshot());
  }

  /**
   * The snapshot at {@code version}, if it is still in {@link #history()}.
   *
   * @param version the version
   * @return the snapshot, or empty if it is not (or no longer, or not yet) kept
   */
  default java.util.Optional<Snapshot<S>> at(long version) {
    Snapshot<S> current = snapshot();
    return current.version() == version
        ? java.util.Optional.of(current) : java.util.Optional.empty();
  }

  /**
   * Undoes the most recent change not yet undone: commits, as a new version, the state it
   * replaced, with a {@link HistoryCause.Undo} cause. Versions never go backwards. Any ordinary
   * change clears the redo stack.
   *
   * @return the committed snapshot, or the current one if there is nothing to undo
   * @throws UnsupportedOperationException if the store keeps no history
   */
  default Snapshot<S> undo() {
    throw new UnsupportedOperationException(
        "store '" + name() + "' keeps no history; build it with history(n) to enable undo");
  }

  /**
   * Redoes the most recently undone change, as a new version with a {@link HistoryCause.Redo}
   * cause.
   *
   * @return the committed snapshot, or the current one if there is nothing to redo
   * @throws UnsupportedOperationException if the store keeps no history
   */
  default Snapshot<S> redo() {
    throw new UnsupportedOperationException(
        "store '" + name() + "' keeps no history; build it with history(n) to enable redo");
  }

  /**
   * Undoes, like {@link #undo()}, only if the store is at {@code expectedVersion}: the
   * version-checked undo behind HTTP {@code If-Match}, so nobody undoes a change they have not
   * seen.
   *
   * @param expectedVersion the version the caller saw
   * @return {@link Outcome.Applied} with the undo's snapshot (the current one if there was
   *     nothing to undo), or {@link Outcome.Conflict} with the current snapshot
   * @throws UnsupportedOperationException if the store keeps no history
   */
  default Outcome<S> undoIfVersion(long expectedVersion) {
    return undoIfVersion(expectedVersion, null);
  }

  /**
   * Like {@link #undoIfVersion(long)}, naming who or what asked for the undo: {@code by} is
   * recorded in the committed snapshot's {@link HistoryCause.Undo#by()}, so history can show it.
   *
   * @param expectedVersion the version the caller saw
   * @param by who or what asks for the undo (a user name, a request id), or {@code null}
   * @return {@link Outcome.Applied} with the undo's snapshot (the current one if there was
   *     nothing to undo), or {@link Outcome.Conflict} with the current snapshot
   * @throws UnsupportedOperationException if the store keeps no history
   */
  default Outcome<S> undoIfVersion(long expectedVersion, @Nullable Object by) {
    throw new UnsupportedOperationException(
        "store '" + name() + "' keeps no history; build it with history(n) to enable undo");
  }

  /**
   * Redoes, like {@link #redo()}, only if the store is at {@code expectedVersion}.
   *
   * @param expectedVersion the version the caller saw
   * @return {@link Outcome.Applied} or {@link Outcome.Conflict}, as for {@link
   *     #undoIfVersion(long)}
   * @throws UnsupportedOperationException if the store keeps no history
   */
  default Outcome<S> redoIfVersion(long expectedVersion) {
    return redoIfVersion(expectedVersion, null);
  }

  /**
   * Like {@link #redoIfVersion(long)}, naming who or what asked for the redo in the committed
   * snapshot's {@link HistoryCause.Redo#by()}.
   *
   * @param expectedVersion the version the caller saw
   * @param by who or what asks for the redo, or {@code null}
   * @return {@link Outcome.Applied} or {@link Outcome.Conflict}, as for {@link
   *     #undoIfVersion(long)}
   * @throws UnsupportedOperationException if the store keeps no history
   */
  default Outcome<S> redoIfVersion(long expectedVersion, @Nullable Object by) {
    throw new UnsupportedOperationException(
        "store '" + name() + "' keeps no history; build it with history(n) to enable redo");
  }

  /** Whether {@link #undo()} would change the state now. */
  default boolean canUndo() {
    return false;
  }

  /** Whether {@link #redo()} would change the state now. */
  default boolean canRedo() {
    return false;
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
