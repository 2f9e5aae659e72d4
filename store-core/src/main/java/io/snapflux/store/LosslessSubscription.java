package io.snapflux.store;

import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;

/**
 * Every-version delivery: the subscription walks the version chain from the node it last
 * delivered, so it sees every version in order. It holds at most {@code maxLag} undelivered
 * versions (plus those committed since the last lag check); past the bound it fails with {@link
 * SubscriberLagException}, or jumps to the newest snapshot if it asked to resync, and drops its
 * reference into the chain so the store holds nothing for it.
 */
final class LosslessSubscription<S> extends StoreSubscription<S> {

  private final int maxLag;
  private final boolean resync;

  /** The first node to deliver (the head at subscribe or resync), until it is delivered. */
  private @Nullable Node<S> start;

  /** Whether {@code start} is a resync target not yet delivered. */
  private boolean resyncing;

  /** The last node delivered; its successor is the next to deliver. */
  private @Nullable Node<S> last;

  LosslessSubscription(
      CoreSubscriber<? super Snapshot<S>> actual, AtomicStore<S> store, Delivery.Lossless d) {
    super(actual, store);
    this.maxLag = d.maxLag();
    this.resync = d.resync();
    // Before reading the head: from here on, every commit links the chain (see AtomicStore).
    store.losslessJoined();
    Node<S> h = store.head();
    this.start = h;
    this.deliveredVersion = h.version - 1;
  }

  @Override
  long losslessLag(long storeVersion) {
    return cancelled ? 0 : Math.max(0, storeVersion - deliveredVersion);
  }

  @Override
  void onHead(Node<S> head) {
    long behind = head.version - deliveredVersion;
    if ((requested != 0 && behind > 0) || head.terminal || behind > maxLag) {
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
      Node<S> h = store.head();
      if (h.version - deliveredVersion > maxLag) {
        store.lagOverflows.increment();
        if (!resync) {
          long delivered = deliveredVersion;
          terminate();
          actual.onError(
              new SubscriberLagException(store.name(), delivered, h.version, maxLag));
          return;
        }
        // Visible resync: the next snapshot delivered is the newest, after a gap in versions.
        last = null;
        start = h;
        deliveredVersion = h.version - 1;
        resyncing = true;
      } else if (resyncing && requested != 0 && h != start && !h.terminal) {
        // The resync target is the newest snapshot when it is delivered, not when the overflow
        // was seen: versions committed meanwhile would otherwise follow the jump.
        start = h;
        deliveredVersion = h.version - 1;
      }
      Node<S> n = last == null ? start : last.nextVolatile();
      if (n != null) {
        if (n.terminal && last != null) {
          complete();
          return;
        }
        if (requested != 0) {
          if (!emit(n.snapshot)) {
            return;
          }
          last = n;
          start = null;
          resyncing = false;
          if (n.terminal) {
            complete();
            return;
          }
          continue;
        }
      }
      missed = leave(missed);
      if (missed == 0) {
        return;
      }
    }
  }

  @Override
  void detached() {
    store.losslessLeft();
  }

  @Override
  void released() {
    last = null;
    start = null;
  }
}
