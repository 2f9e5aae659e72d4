package io.snapflux.store;

import java.util.Arrays;

/**
 * What a writer must know after its CAS, in one immutable value behind one volatile field of the
 * store: how many subscriptions exist (zero: no fan-out signal) and which lossless rings are live
 * (none: no ring write). Replaced by compare-and-set on subscribe and cancel, never on a commit.
 *
 * <p>Lossless rings are shared by class: one ring per power-of-two capacity in use, counted by
 * {@code users}; a ring whose last user leaves is dropped, so the rings hold at most twice the
 * largest live {@code maxLag}, rounded up to a power of two, in total (the classes are powers of
 * two: 2^k + 2^(k-1) + ... < 2^(k+1)).
 */
final class Observers<S> {

  @SuppressWarnings("rawtypes")
  private static final Ring[] NO_RINGS = new Ring[0];
  @SuppressWarnings("rawtypes")
  private static final Observers NONE = new Observers<>(NO_RINGS, new int[0], 0);

  final Ring<S>[] rings;
  private final int[] users;
  final int subscribers;

  private Observers(Ring<S>[] rings, int[] users, int subscribers) {
    this.rings = rings;
    this.users = users;
    this.subscribers = subscribers;
  }

  @SuppressWarnings("unchecked")
  static <S> Observers<S> none() {
    return NONE;
  }

  Observers<S> plusSubscriber() {
    return new Observers<>(rings, users, subscribers + 1);
  }

  Observers<S> minusSubscriber() {
    return new Observers<>(rings, users, subscribers - 1);
  }

  /** The shared ring for {@code maxLag}; present after {@link #plusLossless(int)}. */
  Ring<S> ringFor(int maxLag) {
    int capacity = Ring.capacityFor(maxLag);
    for (Ring<S> r : rings) {
      if (r.capacity() == capacity) {
        return r;
      }
    }
    throw new IllegalStateException("no ring of capacity " + capacity);
  }

  Observers<S> plusLossless(int maxLag) {
    int capacity = Ring.capacityFor(maxLag);
    for (int i = 0; i < rings.length; i++) {
      if (rings[i].capacity() == capacity) {
        int[] u = users.clone();
        u[i]++;
        return new Observers<>(rings, u, subscribers + 1);
      }
    }
    Ring<S>[] r = Arrays.copyOf(rings, rings.length + 1);
    r[rings.length] = new Ring<>(capacity);
    int[] u = Arrays.copyOf(users, users.length + 1);
    u[users.length] = 1;
    return new Observers<>(r, u, subscribers + 1);
  }

  @SuppressWarnings("unchecked")
  /** Whether {@code ring} is still one of the lossless rings. */
  boolean contains(Ring<S> ring) {
    for (Ring<S> r : rings) {
      if (r == ring) {
        return true;
      }
    }
    return false;
  }

  Observers<S> minusLossless(Ring<S> ring) {
    for (int i = 0; i < rings.length; i++) {
      if (rings[i] == ring) {
        if (users[i] > 1) {
          int[] u = users.clone();
          u[i]--;
          return new Observers<>(rings, u, subscribers - 1);
        }
        Ring<S>[] r = new Ring[rings.length - 1];
        int[] u = new int[users.length - 1];
        System.arraycopy(rings, 0, r, 0, i);
        System.arraycopy(rings, i + 1, r, i, rings.length - i - 1);
        System.arraycopy(users, 0, u, 0, i);
        System.arraycopy(users, i + 1, u, i, users.length - i - 1);
        return new Observers<>(r, u, subscribers - 1);
      }
    }
    throw new IllegalStateException("unknown ring");
  }
}
