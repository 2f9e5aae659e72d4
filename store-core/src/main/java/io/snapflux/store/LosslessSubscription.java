package io.snapflux.store;

import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;

/**
 * Every-version delivery from a ring: the subscription keeps a cursor, the sequence number of the
 * last head it delivered, and reads the next one from the ring it joined (the store's history
 * ring if large enough, else a shared ring of at least {@code maxLag} slots). It holds no
 * snapshot itself, except its first one until delivered: the ring holds the versions, and
 * writers overwrite them whatever this subscriber does. A subscriber more than {@code maxLag}
 * heads behind fails with {@link SubscriberLagException}, or jumps to the newest snapshot if it
 * asked to resync; since the ring has at least {@code maxLag} slots, a head within the bound is
 * always still there.
 *
 * <p>The cursor counts heads, not versions: a replica's version jump is one head, so it costs
 * one step of lag, and the subscriber sees the jump as a gap in versions.
 */
final class LosslessSubscription<S> extends StoreSubscription<S> {

  private final int maxLag;
  private final boolean resync;
  private final Ring<S> ring;

  /** The first head to deliver (at subscribe or resync), until it is delivered. */
  private @Nullable Snapshot<S> start;

  /** Whether {@code start} is a resync target not yet delivered. */
  private boolean resyncing;

  /** The sequence number of the last head delivered (start's - 1 before the first). */
  private volatile long cursor;

  LosslessSubscription(
      CoreSubscriber<? super Snapshot<S>> actual, AtomicStore<S> store, Delivery.Lossless d) {
    super(actual, store);
    this.maxLag = d.maxLag();
    this.resync = d.resync();
    // Joined before reading the head: from here on, every commit is written to the ring.
    this.ring = java.util.Objects.requireNonNull(store.join(maxLag));
    Snapshot<S> h = store.head();
    this.start = h;
    this.cursor = h.seq - 1;
    this.deliveredVersion = h.version() - 1;
  }

  @Override
  Ring<S> ring() {
    return ring;
  }

  @Override
  boolean isLossless() {
    return true;
  }

  @Override
  long losslessLag(long headSeq) {
    return cancelled ? 0 : Math.max(0, headSeq - cursor);
  }

  @Override
  void onHead(Snapshot<S> head) {
    long behind = head.seq - cursor;
    if ((requested != 0 && behind > 0) || head.terminal() || behind > maxLag) {
      drain();
    }
  }

  @Override
  void drainLoop() {
    int missed = 1;
    for (;;) {
      if (checkTerminated()) {
        return;
      }
      Snapshot<S> h = store.head();
      if (h.seq - cursor > maxLag && !overflowed(h)) {
        return;
      }
      if (resyncing && requested != 0 && start != h && !h.terminal()) {
        // The resync target is the newest head when it is delivered, not when the overflow was
        // seen: versions committed meanwhile would otherwise follow the jump.
        start = h;
        cursor = h.seq - 1;
      }
      if (requested != 0) {
        Snapshot<S> n;
        if (start != null) {
          n = start;
        } else if (cursor < h.seq) {
          n = store.lookup(cursor + 1, ring);
          if (n == null) {
            Snapshot<S> r = ring.get(cursor + 1);
            if (r != null && r.seq > cursor + 1) {
              // Lapped between the lag check and the read: the lag is over the bound now.
              if (!overflowed(store.head())) {
                return;
              }
              continue;
            }
          }
        } else {
          n = null;
        }
        if (n != null) {
          if (!emit(n)) {
            return;
          }
          cursor = n.seq;
          start = null;
          resyncing = false;
          continue;
        }
      }
      if (h.terminal() && cursor >= h.seq) {
        complete();
        return;
      }
      missed = leave(missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /**
   * The lag bound was exceeded at head {@code h}: fail, or resync to the newest head.
   *
   * @return whether the subscription goes on (resync)
   */
  private boolean overflowed(Snapshot<S> h) {
    store.lagOverflows.increment();
    if (!resync) {
      long delivered = deliveredVersion;
      terminate();
      signalError(new SubscriberLagException(store.name(), delivered, h.version(), maxLag));
      return false;
    }
    // Visible resync: the next snapshot delivered is the newest, after a gap in versions.
    start = h;
    cursor = h.seq - 1;
    resyncing = true;
    return true;
  }

  @Override
  void released() {
    start = null;
  }
}
