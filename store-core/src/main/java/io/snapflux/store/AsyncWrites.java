package io.snapflux.store;

import io.vavr.Tuple2;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The non-blocking writes of a {@link Store}, obtained with {@link Store#async()}: the same
 * writes as the store's, each returning a lazy {@link Mono} that completes when the write is
 * acknowledged, as the backend defines it:
 *
 * <ul>
 *   <li>memory: at once, on the subscribing thread (no thread hop);
 *   <li>file: when the version is durable under the store's durability mode (SYNC: after the
 *       fsync that covers it; ASYNC: after the in-memory commit); the subscribing thread never
 *       waits for the disk;
 *   <li>Redis: on the reply of its own round trip.
 * </ul>
 *
 * <p>Nothing here blocks, so every method may be called and subscribed to on a non-blocking
 * Reactor thread (a WebFlux handler). Update functions may be applied more than once, as with
 * the store's own methods, and must be side-effect-free.
 *
 * <pre>
 * Implementation notes. One word, "async", for every backend, as a view of the same store
 * (Caffeine's {@code AsyncCache} and {@code synchronous()} are two views of one cache), instead
 * of per-backend names (updateDurably, updateAsync) reachable only through a backend's own type.
 * Conditional writes have one result type, {@link Outcome}, as on the store.
 * </pre>
 *
 * @param <S> the type of the state
 */
public interface AsyncWrites<S> {

  /**
   * {@link Store#update(Object, UnaryOperator)}, without blocking.
   *
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure update function
   * @return the committed snapshot (the current one if {@code fn} changed nothing); fails as the
   *     store's update would
   */
  Mono<Snapshot<S>> update(@Nullable Object cause, UnaryOperator<S> fn);

  /**
   * {@link Store#update(UnaryOperator)}, without blocking.
   *
   * @param fn the pure update function
   * @return the committed snapshot
   */
  default Mono<Snapshot<S>> update(UnaryOperator<S> fn) {
    return update(null, fn);
  }

  /**
   * {@link Store#updateIfVersion(long, Object, UnaryOperator)}, without blocking.
   *
   * @param expectedVersion the version the caller read
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure update function, run at most once, on the expected version
   * @return the outcome
   */
  Mono<Outcome<S>> updateIfVersion(long expectedVersion, @Nullable Object cause,
      UnaryOperator<S> fn);

  /**
   * {@link Store#compareAndSet(long, Object)}, without blocking.
   *
   * @param expectedVersion the version the caller read
   * @param newState the state to commit
   * @return whether the store was at {@code expectedVersion}
   */
  Mono<Boolean> compareAndSet(long expectedVersion, S newState);

  /**
   * {@link Store#modify(Function)}, without blocking: the result of the attempt that committed.
   *
   * @param fn the pure function returning {@code (newState, result)}
   * @param <R> the type of the result
   * @return the result of the winning attempt (empty if it is {@code null})
   */
  default <R> Mono<R> modify(Function<? super S, ? extends Tuple2<? extends S, ? extends R>> fn) {
    Objects.requireNonNull(fn, "fn");
    return Mono.defer(() -> {
      // Update functions are applied once per attempt; the last application is the one that
      // committed (the contract of update), so its result is the one to keep.
      Object[] result = new Object[1];
      return update(null, s -> {
        Tuple2<? extends S, ? extends R> t = Objects.requireNonNull(fn.apply(s),
            "modify function returned null instead of (state, result)");
        result[0] = t._2;
        return t._1;
      }).flatMap(ignored -> {
        @SuppressWarnings("unchecked")
        R r = (R) result[0];
        return Mono.justOrEmpty(r);
      });
    });
  }
}
