package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * A link of the version chain: one committed snapshot and a forward pointer to its successor.
 *
 * <p>Nodes only point forward, so nothing keeps a node alive but the store's head and the
 * lossless subscribers that have not yet passed it: old versions nobody needs are garbage. A
 * {@link Snapshot} handed to users does not point into the chain.
 *
 * <p>A <i>terminal</i> node marks a closed store: it repeats the last snapshot, ends the chain and
 * is never followed by another node.
 */
final class Node<S> {

  final Snapshot<S> snapshot;
  final long version;
  final boolean terminal;

  /** Undo and redo stacks, for stores that keep history; {@code null} otherwise. */
  final @Nullable UndoStacks<S> undo;

  /** The successor, set once (by the committing writer or a helper), always to the same node. */
  volatile @Nullable Node<S> next;

  /**
   * The predecessor, until this node is published; lets the next writer help link it if the
   * committing writer is delayed between its CAS and its link (so a stalled writer never stalls
   * lossless subscribers). It points backwards and is cleared right after publication, so it
   * keeps no run of old versions alive.
   */
  @Nullable Node<S> unlinkedPrev;

  static final VarHandle NEXT;
  static final VarHandle UNLINKED_PREV;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      NEXT = l.findVarHandle(Node.class, "next", Node.class);
      UNLINKED_PREV = l.findVarHandle(Node.class, "unlinkedPrev", Node.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  Node(Snapshot<S> snapshot, boolean terminal, @Nullable Node<S> unlinkedPrev) {
    this(snapshot, terminal, unlinkedPrev, null);
  }

  Node(Snapshot<S> snapshot, boolean terminal, @Nullable Node<S> unlinkedPrev,
      @Nullable UndoStacks<S> undo) {
    this.snapshot = snapshot;
    this.version = snapshot.version();
    this.terminal = terminal;
    this.undo = undo;
    // Plain write: the node is published by the CAS of the store's head (a volatile write).
    this.unlinkedPrev = unlinkedPrev;
  }

  /**
   * Links this node's predecessor to it, if that has not been done yet. Idempotent and racy by
   * design: every writer that links {@code p.next} writes the same node, so the race is benign.
   */
  void linkFromPrev() {
    @SuppressWarnings("unchecked")
    Node<S> prev = (Node<S>) UNLINKED_PREV.getOpaque(this);
    if (prev != null) {
      // Volatile, not release: the writer reads the subscriber array next, and a release store
      // may be reordered after that load (x86 store buffer). A lossless subscriber added
      // meanwhile could then miss both the link and the signal, and stall for good (found by
      // StoreRaceTest.subscribeVsUpdate_lossless_*). See the Dekker note in AtomicStore.
      NEXT.setVolatile(prev, this);
      UNLINKED_PREV.setOpaque(this, null);
    }
  }

  /** Links {@code prev} to this node (volatile, as in {@link #linkFromPrev()}). */
  void linkTo(Node<S> prev) {
    NEXT.setVolatile(prev, this);
  }

  /** Drops the reference to the predecessor once linked (or once no link is needed). */
  void forgetPrev() {
    UNLINKED_PREV.setOpaque(this, null);
  }

  /** Volatile read: pairs with the volatile link above (sequentially consistent). */
  @SuppressWarnings("unchecked")
  @Nullable Node<S> nextVolatile() {
    return (Node<S>) NEXT.getVolatile(this);
  }
}
