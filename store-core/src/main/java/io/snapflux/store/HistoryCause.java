package io.snapflux.store;

import org.jspecify.annotations.Nullable;

/**
 * The {@linkplain Snapshot#cause() cause} of a version committed by {@link History#undo(Object)} or
 * {@link History#redo(Object)}. Undo and redo never move versions backwards: each is a new version whose
 * state is an earlier one's.
 */
public sealed interface HistoryCause permits HistoryCause.Undo, HistoryCause.Redo {

  /** The version whose state this version restores. */
  long restoredVersion();

  /** Who or what asked for the undo or redo, as given to the store; {@code null} if unknown. */
  @Nullable Object by();

  /**
   * An undo.
   *
   * @param undoneVersion the version that was undone (the newest before the undo)
   * @param restoredVersion the version whose state is restored
   * @param by who or what asked for it ({@link History#undoIfVersion(long, Object)}), or {@code null}
   */
  record Undo(long undoneVersion, long restoredVersion, @Nullable Object by)
      implements HistoryCause {

    /** An undo nobody is named for. */
    public Undo(long undoneVersion, long restoredVersion) {
      this(undoneVersion, restoredVersion, null);
    }
  }

  /**
   * A redo.
   *
   * @param restoredVersion the version whose state is restored (the one the matching undo undid)
   * @param by who or what asked for it ({@link History#redoIfVersion(long, Object)}), or {@code null}
   */
  record Redo(long restoredVersion, @Nullable Object by) implements HistoryCause {

    /** A redo nobody is named for. */
    public Redo(long restoredVersion) {
      this(restoredVersion, null);
    }
  }
}
