package io.snapflux.store;

import org.jspecify.annotations.Nullable;

/**
 * Middleware around a store's commits, added with {@link StoreBuilder#interceptor(Interceptor)}
 * and run in the order added.
 *
 * <p>{@link #beforeCommit} runs inside the update loop, once per attempt, after the validators
 * and before the compare-and-set: it may veto the change by throwing (for instance {@link
 * CommitVetoedException}), and the update then fails with that exception and commits nothing. It
 * may run more than once for one update and must be side-effect-free.
 *
 * <p>{@link #afterCommit} runs exactly once per committed version, on the thread that committed
 * it, after the compare-and-set and after subscribers have been signalled: for logging, auditing,
 * metrics. It cannot undo the commit; a {@code RuntimeException} it throws is logged and
 * otherwise ignored, an {@code Error} propagates to the writer (the commit stands, subscribers
 * still receive it). Across concurrent writers the calls are unordered: a later version's call
 * may come first. It should be quick: it runs on the writer's thread (it never holds a lock
 * across the compare-and-set, so the update path stays lock-free, but a slow one slows its
 * writer).
 *
 * @param <S> the type of the state
 */
public interface Interceptor<S> {

  /**
   * Called before a change is committed; throw to veto it.
   *
   * @param current the snapshot the change applies to
   * @param proposed the state about to be committed
   * @param cause the change's cause, or {@code null}
   */
  default void beforeCommit(Snapshot<S> current, S proposed, @Nullable Object cause) {}

  /**
   * Called once after a change was committed.
   *
   * @param previous the snapshot the change replaced
   * @param committed the committed snapshot
   */
  default void afterCommit(Snapshot<S> previous, Snapshot<S> committed) {}
}
