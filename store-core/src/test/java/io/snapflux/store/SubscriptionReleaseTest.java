package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A finished subscription holds no memory: once cancelled, a lossless subscription drops its
 * snapshots even while its subscriber still holds the {@code Subscription}
 * object (as {@code BaseSubscriber}s, StepVerifier and most hand-written subscribers do).
 */
final class SubscriptionReleaseTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void cancel_losslessSubscriberStillReferenced_releasesTheVersionChain() throws Exception {
    Store<Object> store = Store.of(new Object());
    Recorder<Object> sub = new Recorder<>(1);
    store.changes(Delivery.lossless(1_000)).subscribe(sub);
    assertThat(sub.awaitVersion(0)).isTrue();

    sub.cancel();
    store.update(x -> new Object());
    WeakReference<Object> v1 = new WeakReference<>(store.snapshot().state());
    for (int i = 0; i < 10; i++) {
      store.update(x -> new Object());
    }

    // The recorder (still reachable from this frame) holds the subscription; the subscription
    // must not hold the node it last delivered, from which every later version is reachable.
    await().atMost(TIMEOUT).until(() -> {
      System.gc();
      return v1.get() == null;
    });
    assertThat(sub.subscription()).isNotNull();
    assertThat(store.stats().subscribers()).isZero();
    store.close();
  }
}
