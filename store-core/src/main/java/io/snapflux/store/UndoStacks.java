package io.snapflux.store;

import io.vavr.collection.List;

/**
 * The undo and redo stacks of a store with history, carried by every head so that undo and redo
 * are committed through the same compare-and-set as any update. Persistent lists: pushing shares
 * the rest of the stack. The undo stack is bounded by the history size; it is trimmed to the
 * bound once it reaches twice the bound, so the cost per commit is O(1) amortized.
 */
record UndoStacks<S>(List<Snapshot<S>> past, int pastSize, List<Snapshot<S>> future) {

  static <S> UndoStacks<S> empty() {
    return new UndoStacks<>(List.empty(), 0, List.empty());
  }

  /**
   * The entry pushed for {@code s}: a copy without bookkeeping, since a head's own stacks point to
   * older heads, whose stacks point further back: pushing heads would chain every version.
   */
  private static <S> Snapshot<S> step(Snapshot<S> s) {
    return s.bare();
  }

  /** After an ordinary commit replacing {@code replaced}: push it, forget the redo stack. */
  UndoStacks<S> committed(Snapshot<S> replaced, int limit) {
    List<Snapshot<S>> p = past.prepend(step(replaced));
    int size = pastSize + 1;
    if (size >= 2 * limit) {
      p = p.take(limit);
      size = limit;
    }
    return new UndoStacks<>(p, size, List.empty());
  }

  UndoStacks<S> undone(Snapshot<S> undone) {
    return new UndoStacks<>(past.tail(), Math.max(0, pastSize - 1), future.prepend(step(undone)));
  }

  UndoStacks<S> redone(Snapshot<S> replaced) {
    return new UndoStacks<>(past.prepend(step(replaced)), pastSize + 1, future.tail());
  }
}
