package io.snapflux.store;

import io.vavr.Tuple;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Helpers derived from a {@link Store}'s own methods: result-returning updates, batches, updates
 * with effects, waiting for a version or a condition, change events. Each works on any backend
 * and any decorated store, because each is written with the store's public methods only; none
 * has a retry loop of its own (they go through {@link Store#update(Object, UnaryOperator)}, so
 * the store's configured backoff and commit pipeline apply).
 *
 * <pre>{@code
 * import static io.snapflux.store.Stores.getAndUpdate;
 *
 * long before = getAndUpdate(counter, n -> n + 1);
 * }</pre>
 *
 * <pre>
 * Implementation notes. These were default methods of Store (33 methods in 0.1); as static
 * helpers they keep Store small (Kotlin's StateFlow keeps update/getAndUpdate/updateAndGet as
 * extension functions over MutableStateFlow's compareAndSet for the same reason) and cannot be
 * overridden inconsistently by a backend or a decorator.
 * </pre>
 */
public final class Stores {

  /** The lag bound of {@link #changeEvents(Store)}: 1,024 versions. */
  public static final int DEFAULT_MAX_LAG = 1024;

  private Stores() {}

  /**
   * Applies {@code fn} and returns the new state.
   *
   * @param store the store
   * @param fn the pure update function
   * @param <S> the type of the state
   * @return the state after the update
   */
  public static <S> S updateAndGet(Store<S> store, UnaryOperator<S> fn) {
    return store.update(fn).state();
  }

  /**
   * Applies {@code fn} and returns the state it was applied to (the one the commit replaced).
   *
   * @param store the store
   * @param fn the pure update function
   * @param <S> the type of the state
   * @return the state before the update
   */
  public static <S> S getAndUpdate(Store<S> store, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    return store.modify(s -> Tuple.of(fn.apply(s), s));
  }

  /**
   * Applies several update functions as one atomic commit: one version, one emission. The
   * functions are applied in order, each to the result of the previous one.
   *
   * @param store the store
   * @param cause a label or action describing the batch, or {@code null}
   * @param fns the pure update functions
   * @param <S> the type of the state
   * @return the committed snapshot, or the current one if together they changed nothing
   */
  public static <S> Snapshot<S> updateAll(
      Store<S> store, @Nullable Object cause, Iterable<? extends UnaryOperator<S>> fns) {
    io.vavr.collection.List<UnaryOperator<S>> steps = io.vavr.collection.List.ofAll(fns);
    return store.update(cause, state -> {
      S s = state;
      for (UnaryOperator<S> fn : steps) {
        s = Objects.requireNonNull(fn.apply(s),
            () -> "a batched update function returned null (store '" + store.name() + "')");
      }
      return s;
    });
  }

  /**
   * Applies {@code fn}, which returns the next state together with effects, commits the state
   * through {@link Store#update(Object, UnaryOperator)}, and then runs the effects exactly once:
   * only those of the attempt whose commit won, never those of attempts that were retried, and
   * none if nothing was committed (the outbox idea). Effects run on the calling thread, in order,
   * after the commit, each receiving the committed snapshot.
   *
   * <p>The function may be applied more than once and must be side-effect-free; the effects are
   * where the side effects go. If effects fail, every effect still runs, the commit stands, and
   * an {@link EffectException} carrying the committed snapshot reports the failures.
   *
   * @param store the store
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure function returning the next state and its effects
   * @param <S> the type of the state
   * @return the committed snapshot, or the current one if nothing changed
   * @throws EffectException if an effect failed (the change is committed)
   */
  public static <S> Snapshot<S> updateWithEffects(
      Store<S> store, @Nullable Object cause, Function<? super S, Effects<S>> fn) {
    Objects.requireNonNull(fn, "fn");
    // update() commits the result of its last application of the function: that attempt's
    // effects are the ones to run. It reports "nothing changed" by returning the snapshot the
    // function was applied to, whose state is the very object the function received.
    Object[] last = new Object[2];
    Snapshot<S> committed = store.update(cause, s -> {
      Effects<S> e = Objects.requireNonNull(fn.apply(s),
          () -> "update function returned null instead of Effects (store '" + store.name()
              + "')");
      last[0] = s;
      last[1] = e;
      return e.state();
    });
    if (last[1] != null && committed.state() != last[0]) {
      @SuppressWarnings("unchecked")
      Effects<S> effects = (Effects<S>) last[1];
      effects.runAll(store.name(), committed);
    }
    return committed;
  }

  /**
   * Completes with the first snapshot whose version is at least {@code version}, at once if the
   * store is already there: read-your-writes across threads and instances. Fails with {@link
   * StoreClosedException} if the store closes first.
   *
   * @param store the store
   * @param version the version to wait for
   * @param <S> the type of the state
   * @return the snapshot
   */
  public static <S> Mono<Snapshot<S>> awaitVersion(Store<S> store, long version) {
    return await(store, s -> true, version);
  }

  /**
   * Completes with the first observed snapshot whose state satisfies {@code predicate}. Delivery
   * is conflated: a state that held only briefly may be skipped. Fails with {@link
   * StoreClosedException} if the store closes first.
   *
   * @param store the store
   * @param predicate a pure condition on the state
   * @param <S> the type of the state
   * @return the snapshot
   */
  public static <S> Mono<Snapshot<S>> await(Store<S> store, Predicate<? super S> predicate) {
    return await(store, predicate, 0);
  }

  private static <S> Mono<Snapshot<S>> await(
      Store<S> store, Predicate<? super S> predicate, long minVersion) {
    Objects.requireNonNull(predicate, "predicate");
    return store.changes()
        .filter(s -> s.version() >= minVersion && predicate.test(s.state()))
        .next()
        .switchIfEmpty(Mono.error(() -> new StoreClosedException(store.name())));
  }

  /**
   * The change events of {@code store}: for every version after the current one, the snapshot
   * it replaced, the new one and (through {@link Change#cause()}) why it exists. Delivered
   * lossless with a lag bound of {@link #DEFAULT_MAX_LAG} and resync, so {@code before} is the
   * preceding version except after a resync, which {@link Change#contiguous()} reveals.
   *
   * @param store the store
   * @param <S> the type of the state
   * @return a hot stream of changes
   */
  public static <S> Flux<Change<S>> changeEvents(Store<S> store) {
    return changeEvents(store, Delivery.lossless(DEFAULT_MAX_LAG).resyncOnOverflow());
  }

  /**
   * The change events of {@code store}, delivered as {@code delivery} says. With a conflated
   * delivery, {@code before} is the snapshot this subscriber saw last.
   *
   * @param store the store
   * @param delivery conflated or lossless
   * @param <S> the type of the state
   * @return a hot stream of changes
   */
  public static <S> Flux<Change<S>> changeEvents(Store<S> store, Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    return Flux.defer(() -> {
      Object[] previous = new Object[1];
      return store.changes(delivery).handle((snapshot, sink) -> {
        @SuppressWarnings("unchecked")
        Snapshot<S> before = (Snapshot<S>) previous[0];
        previous[0] = snapshot;
        if (before != null) {
          sink.next(new Change<>(before, snapshot));
        }
      });
    });
  }
}
