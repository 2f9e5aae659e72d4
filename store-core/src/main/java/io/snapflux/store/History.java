package io.snapflux.store;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The history capability of a store: its recent versions, and undo and redo. Obtained with
 * {@link Store#history()}, which is empty for a store that keeps no history (a store built
 * without {@link StoreBuilder#history(int)}, or a backend without history): a missing capability
 * is said by type, never by throwing.
 *
 * <pre>{@code
 * store.history().ifPresent(h -> h.undo("alice"));
 * }</pre>
 *
 * <p>Undo and redo commit, as a new version, an earlier state: versions never go backwards, and
 * subscribers see an undo like any other change, with a {@link HistoryCause.Undo} or {@link
 * HistoryCause.Redo} cause. Any ordinary change clears the redo stack. They pass the store's
 * validators and interceptors like any commit.
 *
 * <pre>
 * Implementation notes. A capability object rather than methods on Store, as Caffeine exposes
 * eviction and expiry through {@code Cache.policy().eviction()} (an Optional) rather than on
 * Cache: a store without history has no method that can only fail.
 * </pre>
 *
 * @param <S> the type of the state
 */
public interface History<S> {

  /**
   * The kept versions, oldest first, newest (the current one) last, with consecutive versions.
   *
   * @return at least the current snapshot
   */
  io.vavr.collection.List<Snapshot<S>> versions();

  /**
   * The snapshot at {@code version}, if it is still kept.
   *
   * @param version the version
   * @return the snapshot, or empty if it is not (or no longer, or not yet) kept
   */
  Optional<Snapshot<S>> at(long version);

  /**
   * Undoes the most recent change not yet undone.
   *
   * @param by who or what asks (a user name, a request id), recorded in {@link
   *     HistoryCause.Undo#by()}, or {@code null}
   * @return the committed snapshot, or the current one if there is nothing to undo
   */
  Snapshot<S> undo(@Nullable Object by);

  /**
   * Redoes the most recently undone change.
   *
   * @param by who or what asks, recorded in {@link HistoryCause.Redo#by()}, or {@code null}
   * @return the committed snapshot, or the current one if there is nothing to redo
   */
  Snapshot<S> redo(@Nullable Object by);

  /**
   * Undoes only if the store is at {@code expectedVersion}: the version-checked undo behind HTTP
   * {@code If-Match}, so nobody undoes a change they have not seen.
   *
   * @param expectedVersion the version the caller saw
   * @param by who or what asks, or {@code null}
   * @return {@link Outcome.Applied} with the undo's snapshot (the current one if there was
   *     nothing to undo), or {@link Outcome.Conflict} with the current snapshot
   */
  Outcome<S> undoIfVersion(long expectedVersion, @Nullable Object by);

  /**
   * Redoes only if the store is at {@code expectedVersion}.
   *
   * @param expectedVersion the version the caller saw
   * @param by who or what asks, or {@code null}
   * @return {@link Outcome.Applied} or {@link Outcome.Conflict}, as for {@link
   *     #undoIfVersion(long, Object)}
   */
  Outcome<S> redoIfVersion(long expectedVersion, @Nullable Object by);

  /** Whether {@link #undo(Object)} would change the state now. */
  boolean canUndo();

  /** Whether {@link #redo(Object)} would change the state now. */
  boolean canRedo();

  /**
   * The non-blocking forms of the conditional undo and redo, completing as the store's
   * {@link Store#async()} writes do.
   *
   * @return the asynchronous view
   */
  AsyncHistory<S> async();
}
