package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Hooks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;

/**
 * A subscriber that misbehaves in any signal (throws from onSubscribe, onNext, onError or
 * onComplete; blocks; never requests) affects only itself: its lane-mates keep receiving, what it
 * throws reaches Reactor's dropped-error hook, and writers never run its code. Every test puts the
 * misbehaving subscriber and a well-behaved one on the same single delivery lane, so a lane that
 * stops would stop the well-behaved one too.
 */
final class DeliveryIsolationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final List<Throwable> dropped = new CopyOnWriteArrayList<>();
  private Scheduler scheduler;

  @BeforeEach
  void setUp() {
    Hooks.onErrorDropped(dropped::add);
    scheduler = Schedulers.newSingle("isolation");
  }

  @AfterEach
  void tearDown() {
    Hooks.resetOnErrorDropped();
    scheduler.dispose();
  }

  private Store<Integer> oneLaneStore() {
    return Store.builder(0).name("isolation").deliverOn(scheduler, 1).build();
  }

  @Test
  void subscriberWhoseOnErrorThrows_laneMateKeepsReceiving() {
    Store<Integer> store = oneLaneStore();
    Disposable bad = store.changes(Delivery.lossless(4)).subscribe(
        s -> {
          if (s.version() >= 1) {
            throw new IllegalStateException("onNext fails");
          }
        },
        e -> {
          throw new IllegalStateException("onError fails too");
        });
    AtomicLong seen = new AtomicLong(-1);
    Disposable good = store.changes().subscribe(s -> seen.set(s.version()));

    for (int i = 0; i < 200; i++) {
      store.update(n -> n + 1);
    }

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(seen.get()).isEqualTo(200));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(dropped)
        .anySatisfy(t -> assertThat(t).hasMessageContaining("onError fails too")));
    assertThat(store.stats().subscribers()).isEqualTo(1);
    bad.dispose();
    good.dispose();
  }

  @Test
  void subscriberWhoseOnCompleteThrows_laneMateStillCompletesOnClose() throws Exception {
    Store<Integer> store = oneLaneStore();
    // A raw subscriber: LambdaSubscriber would catch its own completion consumer's exception.
    store.changes().subscribe(new CoreSubscriber<Snapshot<Integer>>() {
      @Override
      public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(Snapshot<Integer> s) { }

      @Override
      public void onError(Throwable t) { }

      @Override
      public void onComplete() {
        throw new IllegalStateException("onComplete fails");
      }
    });
    CountDownLatch completed = new CountDownLatch(1);
    store.changes().subscribe(s -> { }, e -> { }, completed::countDown);
    store.update(n -> n + 1);

    store.close();

    assertThat(completed.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(dropped)
        .anySatisfy(t -> assertThat(t).hasMessageContaining("onComplete fails")));
  }

  @Test
  void subscriberWhoseOnSubscribeThrows_isNotCountedAndHoldsNothing() {
    AtomicStore<Integer> store = (AtomicStore<Integer>) oneLaneStore();
    store.changes(Delivery.lossless(4)).subscribe(new ThrowingOnSubscribe());

    assertThat(store.stats().subscribers()).isZero();
    assertThat(store.ringSlots()).as("no lossless subscriber left: no ring").isZero();
    assertThat(dropped).anySatisfy(t -> assertThat(t).hasMessageContaining("onSubscribe fails"));
    // A later subscriber is unaffected.
    AtomicLong seen = new AtomicLong(-1);
    Disposable good = store.changes().subscribe(s -> seen.set(s.version()));
    store.update(n -> n + 1);
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(seen.get()).isEqualTo(1));
    good.dispose();
  }

  @Test
  void afterCommitThrowingAnError_subscriberStillReceivesTheCommit() {
    Store<Integer> store = Store.builder(0).name("after-commit-error")
        .deliverOn(scheduler, 1)
        .interceptor(new Interceptor<>() {
          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            if (committed.version() == 1) {
              throw new AssertionError("afterCommit fails");
            }
          }
        })
        .build();
    AtomicLong seen = new AtomicLong(-1);
    Disposable sub = store.changes().subscribe(s -> seen.set(s.version()));

    assertThatThrownBy(() -> store.update(n -> n + 1)).isInstanceOf(AssertionError.class);

    assertThat(store.snapshot().version()).isEqualTo(1);
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(seen.get()).isEqualTo(1));
    sub.dispose();
  }

  @Test
  void afterCommit_concurrentWriters_runsExactlyOncePerVersion() {
    AtomicInteger[] calls = new AtomicInteger[2_001];
    for (int i = 0; i < calls.length; i++) {
      calls[i] = new AtomicInteger();
    }
    Store<Integer> store = Store.builder(0).interceptor(new Interceptor<>() {
      @Override
      public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
        assertThat(previous.version()).isEqualTo(committed.version() - 1);
        calls[(int) committed.version()].incrementAndGet();
      }
    }).build();
    Runnable writer = () -> {
      for (int i = 0; i < 1_000; i++) {
        store.update(n -> n + 1);
      }
    };

    RaceTestUtils.race(writer, writer);

    for (int v = 1; v < calls.length; v++) {
      assertThat(calls[v].get()).as("afterCommit calls for version %d", v).isEqualTo(1);
    }
  }

  @Test
  void deliverySchedulerDisposed_writerNeverRunsSubscriberCode() {
    Scheduler doomed = Schedulers.newSingle("doomed");
    Store<Integer> store = Store.builder(0).deliverOn(doomed, 1).build();
    List<Thread> onNextThreads = new CopyOnWriteArrayList<>();
    AtomicLong seen = new AtomicLong(-1);
    Disposable sub = store.changes().subscribe(s -> {
      if (s.version() > 0) { // version 0 is delivered on subscribe, on the subscribing thread
        onNextThreads.add(Thread.currentThread());
      }
      seen.set(s.version());
    });
    doomed.dispose();

    for (int i = 0; i < 10; i++) {
      store.update(n -> n + 1);
    }

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(seen.get()).isEqualTo(10));
    assertThat(onNextThreads).doesNotContain(Thread.currentThread());
    sub.dispose();
  }

  /** A raw subscriber whose onSubscribe throws (Reactive Streams §2.13 forbids it). */
  private static final class ThrowingOnSubscribe implements CoreSubscriber<Snapshot<Integer>> {
    @Override
    public void onSubscribe(Subscription s) {
      throw new IllegalStateException("onSubscribe fails");
    }

    @Override
    public void onNext(Snapshot<Integer> s) { }

    @Override
    public void onError(Throwable t) { }

    @Override
    public void onComplete() { }
  }
}
