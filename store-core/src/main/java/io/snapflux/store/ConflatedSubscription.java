package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;

/**
 * Latest-wins delivery: whenever the subscriber has demand and the store's head is newer than
 * what it last received, it receives the head. No queue: a slow subscriber simply skips versions,
 * and the final snapshot is never lost (see the drain loop).
 *
 * <p>The lane hands over the head it read for its round ({@code offered}), so delivering to
 * thousands of subscribers reads the store's head once per round rather than once per subscriber:
 * the head's cache line is the one every writer CASes, and a read per subscriber made it bounce
 * between the writer's core and the lanes' (the fan-out benchmark's cost). The request path, which
 * has no offer, reads the head itself.
 */
final class ConflatedSubscription<S> extends StoreSubscription<S> {

  /** The head offered by the lane for the next drain pass, or null. */
  private volatile @Nullable Snapshot<S> offered;
  private static final VarHandle OFFERED;

  static {
    try {
      OFFERED = MethodHandles.lookup()
          .findVarHandle(ConflatedSubscription.class, "offered", Snapshot.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  ConflatedSubscription(CoreSubscriber<? super Snapshot<S>> actual, AtomicStore<S> store) {
    super(actual, store);
  }

  @Override
  void onHead(Snapshot<S> head) {
    // Benign race: if demand arrives just after this read, request() drains on its own thread
    // and reads this head (or a newer one) itself.
    if ((requested != 0 && head.version() > deliveredVersion) || head.terminal()) {
      offered = head;
      if (cancelled) {
        // A round that read the lane before the cancel: drop the offer. Either this read sees
        // cancelled, or the offer was written before cancel() and released() clears it.
        OFFERED.setVolatile(this, null);
        return;
      }
      drain();
    }
  }

  @Override
  void released() {
    OFFERED.setVolatile(this, null);
  }

  /*
   * Why the final snapshot is never lost: every commit signals the lane after its CAS, and the
   * lane then runs a round that reads a head at least that new and offers it here (incrementing
   * wip, so a running drain loops again and takes the offer). A pass without an offer (the
   * request path, or an offer already taken) reads the head itself. Lanes read heads in order, so
   * an offer is never older than an earlier one; a stale offer (the request path delivered
   * something newer meanwhile) fails the version check and is dropped.
   */
  @Override
  void drainLoop() {
    int missed = 1;
    for (;;) {
      if (checkTerminated()) {
        return;
      }
      @SuppressWarnings("unchecked")
      Snapshot<S> h = (Snapshot<S>) OFFERED.getAndSet(this, null);
      if (h == null) {
        h = store.head();
      }
      if (h.version() > deliveredVersion) {
        if (requested != 0) {
          if (!emit(h)) {
            return;
          }
          if (h.terminal()) {
            // The final snapshot of a closed store: nothing follows it.
            complete();
            return;
          }
        }
      } else if (h.terminal()) {
        complete();
        return;
      }
      missed = leave(missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
