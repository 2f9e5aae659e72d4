package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Memory is bounded by construction, not by subscribers' progress: whatever subscribers do, a
 * store keeps reachable at most the versions its rings hold (history and the largest live {@code
 * maxLag}, each rounded up to a power of two) plus a few. Counted by sampling: every
 * {@value #SAMPLE_EVERY}th committed state is watched through a weak reference, and after a
 * garbage collection at most the samples that fall inside the rings may still be alive.
 */
final class ReachableVersionsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int COMMITS = 1_000_000;
  private static final int SAMPLE_EVERY = 1_000;

  /** A state object of its own per commit, so that a weak reference tracks one version. */
  record Tracked(long n) {}

  @Test
  void blockedThrowingAndIdleSubscribers_millionCommits_keepOnlyTheRingReachable()
      throws Exception {
    Scheduler lanes = Schedulers.newParallel("reachable", 2);
    CountDownLatch entered = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    List<Disposable> subs = new ArrayList<>();
    try {
      Store<Tracked> store = Store.builder(new Tracked(0)).deliverOn(lanes, 2).build();
      // Blocked inside onNext, one per lane: neither lane can run a round meanwhile.
      subs.add(store.changes(Delivery.lossless(16)).skip(1).subscribe(s -> block(entered, release)));
      subs.add(store.changes().skip(1).subscribe(s -> block(entered, release)));
      // Never requests after the first snapshot.
      subs.add(store.changes(Delivery.lossless(64)).subscribeWith(new BaseSubscriber<>() {
        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
          s.request(1);
        }
      }));
      // Throws on its first commit.
      subs.add(store.changes(Delivery.lossless(32)).skip(1)
          .subscribe(s -> { throw new IllegalStateException("boom"); }, e -> { }));
      // Cancelled while rounds are running.
      Disposable cancelled = store.changes().subscribe();

      store.update(t -> new Tracked(1));
      assertThat(entered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      List<WeakReference<Tracked>> samples = new ArrayList<>();
      for (int i = 2; i <= COMMITS; i++) {
        Tracked t = new Tracked(i);
        store.update(x -> t);
        if (i % SAMPLE_EVERY == 0) {
          samples.add(new WeakReference<>(t));
        }
        if (i == COMMITS / 2) {
          cancelled.dispose();
        }
      }

      // The last sample is the head; the ring (64 slots here) may hold one more at most.
      await().atMost(TIMEOUT).untilAsserted(() -> {
        System.gc();
        long alive = samples.stream().filter(w -> w.get() != null).count();
        assertThat(alive).as("sampled versions still reachable").isLessThanOrEqualTo(2);
      });
      assertThat(store.snapshot().version()).isEqualTo(COMMITS);
    } finally {
      release.countDown();
      subs.forEach(Disposable::dispose);
      lanes.dispose();
    }
  }

  @Test
  void cancelledConflatedSubscription_offeredAfterCancel_holdsNoSnapshot() throws Exception {
    AtomicStore<Object> store = (AtomicStore<Object>) Store.of(new Object());
    Recorder<Object> sub = Recorder.unbounded();
    store.changes().subscribe(sub);
    assertThat(sub.awaitVersion(0)).isTrue();
    ConflatedSubscription<Object> s = (ConflatedSubscription<Object>) sub.subscription();
    store.update(x -> new Object());
    assertThat(sub.awaitVersion(1)).isTrue();

    sub.cancel();
    // A lane round that read the subscription array before the cancel offers a head afterwards.
    store.update(x -> new Object());
    s.onHead(store.head());

    var offered = ConflatedSubscription.class.getDeclaredField("offered");
    offered.setAccessible(true);
    assertThat(offered.get(s)).isNull();
  }

  private static void block(CountDownLatch entered, CountDownLatch release) {
    entered.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
