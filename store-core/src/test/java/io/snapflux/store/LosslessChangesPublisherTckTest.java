package io.snapflux.store;

import org.reactivestreams.Publisher;

/**
 * The Reactive Streams TCK for {@code changes(Delivery.lossless(maxLag))}: the store's own
 * lossless subscription, reading its ring, driven by {@link DrivenStorePublisher} up to
 * {@code maxLag} versions ahead of the subscriber, so the subscription delivers from a backlog
 * and, at the end, after the store is closed.
 *
 * <p>Public, with a public no-arg constructor: TestNG instantiates it.
 */
public final class LosslessChangesPublisherTckTest
    extends StorePublisherVerification<Snapshot<Integer>> {

  private static final int MAX_LAG = 8;

  public LosslessChangesPublisherTckTest() {
    super(MAX_LAG, s -> s.changes(Delivery.lossless(MAX_LAG)));
  }

  /**
   * A subscriber that falls behind: right after subscribing (and before it requests anything),
   * the store commits {@code maxLag + 1} versions, so the subscription signals {@link
   * SubscriberLagException} after onSubscribe (§1.9 rejection, §1.4 failure).
   */
  @Override
  public Publisher<Snapshot<Integer>> createFailedPublisher() {
    return subscriber -> {
      Store<Integer> store = DrivenStorePublisher.freshStore();
      store.changes(Delivery.lossless(MAX_LAG)).subscribe(subscriber);
      for (int i = 0; i <= MAX_LAG; i++) {
        store.update(s -> s + 1);
      }
    };
  }
}
