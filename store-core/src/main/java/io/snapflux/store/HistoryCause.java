package io.snapflux.store;

/**
 * The {@linkplain Snapshot#cause() cause} of a version committed by {@link Store#undo()} or
 * {@link Store#redo()}. Undo and redo never move versions backwards: each is a new version whose
 * state is an earlier one's.
 */
public sealed interface HistoryCause permits HistoryCause.Undo, HistoryCause.Redo {

  /** The version whose state this version restores. */
  long restoredVersion();

  /**
   * An undo.
   *
   * @param undoneVersion the version that was undone (the newest before the undo)
   * @param restoredVersion the version whose state is restored
   */
  record Undo(long undoneVersion, long restoredVersion) implements HistoryCause {}

  /**
   * A redo.
   *
   * @param restoredVersion the version whose state is restored (the one the matching undo undid)
   */
  record Redo(long restoredVersion) implements HistoryCause {}
}
