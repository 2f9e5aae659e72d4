package io.snapflux.store;

import reactor.core.CoreSubscriber;

/**
 * Latest-wins delivery: whenever the subscriber has demand and the store's head is newer than
 * what it last received, it receives the head. No queue: a slow subscriber simply skips versions,
 * and since every drain pass re-reads the head after the last commit's signal, the final snapshot
 * is never lost.
 */
final class ConflatedSubscription<S> extends StoreSubscription<S> {

  ConflatedSubscription(CoreSubscriber<? super Snapshot<S>> actual, AtomicStore<S> store) {
    super(actual, store);
  }

  @Override
  void onHead(Node<S> head) {
    // Benign race: if demand arrives just after this read, request() drains on its own thread
    // and reads this head (or a newer one) itself.
    if ((requested != 0 && head.version > deliveredVersion) || head.terminal) {
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
      long delivered = deliveredVersion;
      if (h.version > delivered) {
        if (requested != 0) {
          if (!emit(h.snapshot)) {
            return;
          }
          continue;
        }
      } else if (h.terminal) {
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
