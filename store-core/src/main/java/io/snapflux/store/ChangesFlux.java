package io.snapflux.store;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

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
    StoreSubscription<S> s = delivery instanceof Delivery.Lossless lossless
        ? new LosslessSubscription<>(actual, store, lossless)
        : new ConflatedSubscription<>(actual, store);
    actual.onSubscribe(s);
    if (s.cancelled) {
      return;
    }
    store.add(s);
    if (s.cancelled) {
      // Cancelled while being added: make sure it is not left in the array.
      store.remove(s);
      return;
    }
    // Commits made before add() did not signal us: look at the head ourselves.
    s.drain();
  }
}
