package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vavr.collection.HashMap;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Behaviour specific to the in-memory store and its builder. */
final class AtomicStoreTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void builder_nullInitialState_isRejectedWithClearMessage() {
    assertThatThrownBy(() -> Store.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("initial state");
  }

  @Test
  void builder_blankName_isRejected() {
    assertThatThrownBy(() -> Store.builder(1).name(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
  }

  @Test
  void builder_invalidInitialState_failsBuild() {
    assertThatThrownBy(() -> Store.builder(-1).validator("non-negative", n -> n >= 0).build())
        .isInstanceOf(StateValidationException.class)
        .hasMessageContaining("non-negative");
  }

  @Test
  void name_defaultsToGeneratedAndCanBeSet() {
    assertThat(Store.of(1).name()).startsWith("store-");
    assertThat(Store.builder(1).name("counter").build().name()).isEqualTo("counter");
  }

  @Test
  void validator_thatThrows_isReportedAsValidationFailureAndChangesNothing() {
    Store<Integer> store = Store.builder(0).name("guarded")
        .validator("explodes on 1", n -> {
          if (n == 1) {
            throw new ArithmeticException("kaboom");
          }
          return true;
        })
        .build();

    assertThatThrownBy(() -> store.update(n -> 1))
        .isInstanceOf(StateValidationException.class)
        .hasMessageContaining("guarded")
        .hasMessageContaining("explodes on 1")
        .hasCauseInstanceOf(ArithmeticException.class);
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void validators_runInOrderAndFirstFailureIsReported() {
    Store<Integer> store = Store.builder(5)
        .validator("below 10", n -> n < 10)
        .validator("even", n -> n % 2 == 0 || n == 5)
        .build();

    assertThatThrownBy(() -> store.update(n -> 11))
        .isInstanceOfSatisfying(StateValidationException.class,
            e -> assertThat(e.validator()).isEqualTo("below 10"));
    assertThatThrownBy(() -> store.update(n -> 7))
        .isInstanceOfSatisfying(StateValidationException.class,
            e -> assertThat(e.validator()).isEqualTo("even"));
  }

  @Test
  void equivalence_identityByDefault_commitsEqualButDistinctState() {
    Store<HashMap<String, Integer>> store = Store.of(HashMap.of("a", 1));

    Snapshot<HashMap<String, Integer>> s = store.update(m -> HashMap.of("a", 1));

    assertThat(s.version()).isEqualTo(1);
  }

  @Test
  void equivalence_equality_skipsEqualState() {
    Store<HashMap<String, Integer>> store = Store.builder(HashMap.of("a", 1))
        .equivalence(Equivalence.equality())
        .build();

    Snapshot<HashMap<String, Integer>> s = store.update(m -> HashMap.of("a", 1));

    assertThat(s.version()).isZero();
    assertThat(store.update(m -> m.put("b", 2)).version()).isEqualTo(1);
  }

  @Test
  void clock_timestampsCommits() {
    Instant t = Instant.parse("2026-01-02T03:04:05Z");
    Store<Integer> store = Store.builder(0).clock(Clock.fixed(t, ZoneOffset.UTC)).build();

    assertThat(store.update(n -> n + 1).timestamp()).isEqualTo(t);
  }

  @Test
  void backoff_invalidSettings_areRejected() {
    assertThatThrownBy(() -> new Backoff(-1, 3)).hasMessageContaining("spinRetries");
    assertThatThrownBy(() -> new Backoff(1, 40)).hasMessageContaining("maxExponent");
  }

  @Test
  void delivery_nonPositiveMaxLag_isRejected() {
    assertThatThrownBy(() -> Delivery.lossless(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLag must be positive, was 0");
    assertThatThrownBy(() -> Delivery.lossless(-3)).hasMessageContaining("-3");
  }

  @Test
  void update_neverRunsSubscriberCodeOnTheWritingThread() {
    Store<Integer> store = Store.of(0);
    List<Thread> deliveryThreads = new CopyOnWriteArrayList<>();
    Disposable d = store.changes().skip(1).subscribe(s -> deliveryThreads.add(Thread.currentThread()));

    for (int i = 0; i < 1_000; i++) {
      store.update(n -> n + 1);
    }

    await().atMost(TIMEOUT).until(() -> store.stats().version() == 1_000
        && !deliveryThreads.isEmpty()
        && deliveryThreads.get(deliveryThreads.size() - 1) != null);
    assertThat(deliveryThreads).doesNotContain(Thread.currentThread());
    d.dispose();
  }

  @Test
  void slowSubscriber_delaysNeitherWritersNorOtherSubscribers() throws InterruptedException {
    // Two lanes on two threads; subscribers are assigned round-robin: slow on one, fast on the
    // other.
    Scheduler scheduler = Schedulers.newParallel("slow-test", 2);
    try {
      Store<Integer> store = Store.builder(0).deliverOn(scheduler, 2).build();
      CountDownLatch slowEntered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Disposable slow = store.changes().skip(1).subscribe(s -> {
        slowEntered.countDown();
        try {
          release.await(); // deliberately stuck inside onNext
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      AtomicLong fastSeen = new AtomicLong(-1);
      Disposable fast = store.changes().subscribe(s -> fastSeen.set(s.version()));

      store.update(n -> n + 1);
      assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 10_000; i++) {
        store.update(n -> n + 1); // must not wait for the stuck subscriber
      }

      await().atMost(TIMEOUT).untilAtomic(fastSeen, org.hamcrest.Matchers.equalTo(10_001L));
      release.countDown();
      slow.dispose();
      fast.dispose();
    } finally {
      scheduler.dispose();
    }
  }

  @Test
  void losslessSubscriberThatOverflows_releasesItsVersions() {
    Store<Object> store = Store.of(new Object());
    StepVerifier.create(store.changes(Delivery.lossless(10)), 0)
        .expectSubscription()
        .then(() -> store.update(x -> new Object()))
        .then(() -> {
          WeakReference<Object> v1 = new WeakReference<>(store.snapshot().state());
          for (int i = 0; i < 100; i++) {
            store.update(x -> new Object());
          }
          await().atMost(TIMEOUT).until(() -> {
            System.gc();
            return v1.get() == null;
          });
        })
        .expectError(SubscriberLagException.class)
        .verify(TIMEOUT);
  }

  @Test
  void oldSnapshots_withoutSubscribers_areGarbage() {
    Store<Object> store = Store.of(new Object());
    WeakReference<Object> initial = new WeakReference<>(store.snapshot().state());

    for (int i = 0; i < 10; i++) {
      store.update(x -> new Object());
    }

    await().atMost(TIMEOUT).until(() -> {
      System.gc();
      return initial.get() == null;
    });
  }

  @Test
  void stats_countSubscribersAndRemoveThemOnCancel() {
    Store<Integer> store = Store.of(0);
    Disposable a = store.changes().subscribe();
    Disposable b = store.changes(Delivery.lossless(10)).subscribe();

    assertThat(store.stats().subscribers()).isEqualTo(2);
    a.dispose();
    b.dispose();
    assertThat(store.stats().subscribers()).isZero();
  }

  @Test
  void stats_reportLosslessLagOfSubscriberWithoutDemand() {
    Store<Integer> store = Store.of(0);
    StepVerifier.create(store.changes(Delivery.lossless(100)), 1)
        .expectNextCount(1)
        .then(() -> {
          for (int i = 0; i < 7; i++) {
            store.update(n -> n + 1);
          }
          assertThat(store.stats().maxLosslessLag()).isEqualTo(7);
        })
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void rings_existOnlyWhileLosslessSubscribersNeedThem() {
    AtomicStore<Integer> store = (AtomicStore<Integer>) Store.of(0);
    Disposable conflated = store.changes().subscribe();
    assertThat(store.ringSlots()).as("conflated only: no ring").isZero();

    Disposable a = store.changes(Delivery.lossless(100)).subscribe();
    Disposable b = store.changes(Delivery.lossless(128)).subscribe();
    assertThat(store.ringSlots()).as("one shared ring of 128 slots").isEqualTo(128);
    Disposable c = store.changes(Delivery.lossless(3)).subscribe();
    assertThat(store.ringSlots()).isEqualTo(128 + 4);

    a.dispose();
    c.dispose();
    assertThat(store.ringSlots()).isEqualTo(128);
    b.dispose();
    assertThat(store.ringSlots()).as("last lossless subscriber left").isZero();
    conflated.dispose();
  }

  @Test
  void rings_losslessSubscriberWithinHistory_readsTheHistoryRing() {
    AtomicStore<Integer> store = (AtomicStore<Integer>) Store.builder(0).history(64).build();
    Disposable lossless = store.changes(Delivery.lossless(50)).subscribe();

    assertThat(store.ringSlots()).isZero();
    lossless.dispose();
  }

  @Test
  void rings_losslessSubscriberThatFails_dropsItsRing() {
    AtomicStore<Integer> store = (AtomicStore<Integer>) Store.of(0);
    StepVerifier.create(store.changes(Delivery.lossless(1)), 1)
        .expectNextCount(1)
        .then(() -> {
          store.update(n -> n + 1);
          store.update(n -> n + 1);
        })
        .expectError(SubscriberLagException.class)
        .verify(TIMEOUT);

    assertThat(store.ringSlots()).isZero();
    assertThat(store.stats().subscribers()).isZero();
  }

  /** Commits from inside onNext arrive while the lane's round runs: the next round is paced. */
  private static void commitDuringRounds_finalVersionArrives(Scheduler scheduler) {
    Store<Integer> store = Store.builder(0).deliverOn(scheduler, 1).build();
    AtomicLong seen = new AtomicLong(-1);
    Disposable d = store.changes().subscribe(s -> {
      seen.set(s.version());
      if (s.version() >= 1 && s.version() < 50) {
        store.update(n -> n + 1); // the lane is mid-round: this commit waits for the next one
      }
    });
    store.update(n -> n + 1);

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(seen.get()).isEqualTo(50));
    d.dispose();
  }

  @Test
  void busyLane_pacedRounds_stillDeliverTheFinalVersion() {
    Scheduler scheduler = Schedulers.newSingle("paced");
    try {
      commitDuringRounds_finalVersionArrives(scheduler);
    } finally {
      scheduler.dispose();
    }
  }

  @Test
  void busyLane_virtualTimeScheduler_isNotPacedSoNothingWaitsForVirtualTime() {
    commitDuringRounds_finalVersionArrives(VirtualTimeScheduler.create());
  }
}
