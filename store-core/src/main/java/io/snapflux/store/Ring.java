package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * A power-of-two ring of a store's recent heads, indexed by their sequence number: slot {@code
 * seq & mask} holds the newest head written there. A slot only moves forward (a delayed writer
 * never overwrites a newer head with an older one), so a reader that finds a newer head than the
 * one it wants knows it was lapped. Holding at most {@code capacity} heads, a ring is what bounds
 * the memory of history and of lossless delivery, whatever subscribers do.
 */
final class Ring<S> {

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Snapshot[].class);

  private final Snapshot<S>[] slots;
  private final int mask;

  /** @param atLeast the capacity needed, rounded up to a power of two */
  @SuppressWarnings("unchecked")
  Ring(int atLeast) {
    int capacity = capacityFor(atLeast);
    this.slots = new Snapshot[capacity];
    this.mask = capacity - 1;
  }

  /** The power of two a ring for {@code atLeast} heads has (at most 2^30). */
  static int capacityFor(int atLeast) {
    int n = Math.max(2, Math.min(atLeast, 1 << 30));
    return Integer.highestOneBit(n - 1) << 1;
  }

  int capacity() {
    return slots.length;
  }

  /** Writes {@code s} unless its slot already holds a head at least as new. */
  void put(Snapshot<S> s) {
    int i = (int) (s.seq & mask);
    for (;;) {
      @SuppressWarnings("unchecked")
      Snapshot<S> old = (Snapshot<S>) SLOTS.getAcquire(slots, i);
      if (old != null && old.seq >= s.seq) {
        return;
      }
      // Volatile CAS: ordered before the release that clears s.prev (see AtomicStore).
      if (SLOTS.compareAndSet(slots, i, old, s)) {
        return;
      }
    }
  }

  /** The head in {@code seq}'s slot: that one, an older one (not yet written), a newer one. */
  @SuppressWarnings("unchecked")
  @Nullable Snapshot<S> get(long seq) {
    return (Snapshot<S>) SLOTS.getAcquire(slots, (int) (seq & mask));
  }

  /**
   * Empties a ring the store has dropped (its last reader left). Nobody reads it any more, but a
   * terminated subscription may still reference it, and its slots would otherwise keep up to
   * {@code capacity} heads reachable for as long as the application holds that subscription. A
   * writer that read the observers before the drop may still put its head (and its unreleased
   * predecessors) afterwards: benign, at most those of the writers in flight at the drop.
   */
  void clear() {
    for (int i = 0; i < slots.length; i++) {
      SLOTS.setRelease(slots, i, null);
    }
  }

  /** How many slots hold a head (for tests). */
  int occupied() {
    int n = 0;
    for (int i = 0; i < slots.length; i++) {
      if (SLOTS.getAcquire(slots, i) != null) {
        n++;
      }
    }
    return n;
  }
}
