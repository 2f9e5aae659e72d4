package io.snapflux.store;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The Reactive Streams TCK ({@link PublisherVerification}) for {@code
 * changes(Delivery.lossless(maxLag))}: the store's own lossless subscription, walking the version
 * chain, driven by {@link DrivenStorePublisher} up to {@code maxLag} versions ahead of the
 * subscriber, so the subscription delivers from a backlog and, at the end, after the store is
 * closed.
 *
 * <p>Public, unlike other tests: TestNG instantiates it and runs the TCK's public test methods
 * reflectively.
 */
public final class LosslessChangesPublisherTckTest
    extends PublisherVerification<Snapshot<Integer>> {

  private static final int MAX_LAG = 8;

  public LosslessChangesPublisherTckTest() {
    super(new TestEnvironment(TckTimeouts.DEFAULT_MILLIS, TckTimeouts.NO_SIGNAL_MILLIS),
        TckTimeouts.GC_MILLIS);
  }

  @Override
  public Publisher<Snapshot<Integer>> createPublisher(long elements) {
    // Never empty, as for the conflated stream: see ConflatedChangesPublisherTckTest.
    return new DrivenStorePublisher<>(
        Math.max(1, elements), MAX_LAG, s -> s.changes(Delivery.lossless(MAX_LAG)));
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

  /** Skipped: §1.5 for an empty stream does not apply; see {@link #createPublisher(long)}. */
  @Override
  @Test
  public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() {
    throw new SkipException("a store's stream is never empty: it starts with the current snapshot");
  }
}
