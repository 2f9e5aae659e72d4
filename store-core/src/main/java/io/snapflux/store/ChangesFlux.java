package io.snapflux.store;

import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/** The hot {@link Flux} behind {@link Store#changes(Delivery)}. */
final class ChangesFlux<S> extends Flux<Snapshot<S>> {

  private final AtomicStore<S> store;
  private final Delivery delivery;

  ChangesFlux(AtomicStore<S> store, Delivery delivery) {
    this.store = store;
    this.delivery = delivery;
  }

  @Override
  public void subscribe(CoreSubscriber<? super Snapshot<S>> actual) {
    // Counted in (and, if lossless, on its ring) before it reads the head: see AtomicStore.
    StoreSubscription<S> s;
    if (delivery instanceof Delivery.Lossless lossless) {
      s = new LosslessSubscription<>(actual, store, lossless);
    } else {
      store.join(0);
      s = new ConflatedSubscription<>(actual, store);
    }
    try {
      actual.onSubscribe(s);
    } catch (Throwable t) {
      // §2.13 violated: the subscription is void; it must leave nothing counted or held.
      Exceptions.throwIfJvmFatal(t);
      s.cancel();
      Operators.onErrorDropped(t, actual.currentContext());
      return;
    }
    if (s.cancelled) {
      return;
    }
    store.fanOut.add(s);
    if (s.cancelled) {
      // Cancelled while being added: make sure it is not left in the array.
      store.fanOut.remove(s);
      return;
    }
    // Commits made before add() did not signal us: look at the head ourselves.
    s.drain();
  }
}
