package io.snapflux.store;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The non-blocking conditional undo and redo of a {@link History}: they complete as the store's
 * {@link AsyncWrites} do (at once in memory, when durable on the file backend), never blocking
 * the subscribing thread. Lazy: nothing happens until subscription.
 *
 * @param <S> the type of the state
 */
public interface AsyncHistory<S> {

  /**
   * {@link History#undoIfVersion(long, Object)}, without blocking.
   *
   * @param expectedVersion the version the caller saw
   * @param by who or what asks, or {@code null}
   * @return the outcome
   */
  Mono<Outcome<S>> undoIfVersion(long expectedVersion, @Nullable Object by);

  /**
   * {@link History#redoIfVersion(long, Object)}, without blocking.
   *
   * @param expectedVersion the version the caller saw
   * @param by who or what asks, or {@code null}
   * @return the outcome
   */
  Mono<Outcome<S>> redoIfVersion(long expectedVersion, @Nullable Object by);
}
