package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.SignalType;

/**
 * 8 writers × 100,000 increments while conflated subscribers check that versions strictly
 * increase and the final value arrives, and lossless subscribers check that every version
 * 1..800,000 arrives exactly once, in order (kotlinx {@code StateFlowStressTest} shape).
 */
final class StoreStressTest {

  private static final int WRITERS = 8;
  private static final int INCREMENTS = 100_000;
  private static final int TOTAL = WRITERS * INCREMENTS;

  @Test
  void concurrentIncrements_areAllCommitted_andEverySubscriberSeesWhatItsDeliveryPromises()
      throws Exception {
    Store<Integer> store = Store.builder(0).name("stress").build();
    List<ConflatedChecker> conflated = new ArrayList<>();
    List<LosslessChecker> lossless = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ConflatedChecker c = new ConflatedChecker(i == 0 ? Long.MAX_VALUE : 1);
      store.changes().subscribe(c);
      conflated.add(c);
      LosslessChecker l = new LosslessChecker();
      store.changes(Delivery.lossless(TOTAL + 1)).subscribe(l);
      lossless.add(l);
    }

    CyclicBarrier start = new CyclicBarrier(WRITERS);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < INCREMENTS; i++) {
          store.update(n -> n + 1);
        }
      }, "writer-" + w);
      t.start();
      writers.add(t);
    }
    for (Thread t : writers) {
      t.join(Duration.ofMinutes(2).toMillis());
      assertThat(t.isAlive()).as("writer finished").isFalse();
    }

    assertThat(store.snapshot().version()).isEqualTo(TOTAL);
    assertThat(store.snapshot().state()).isEqualTo(TOTAL);
    store.close();

    for (ConflatedChecker c : conflated) {
      c.assertCompletedCleanlyAt(TOTAL, "conflated");
      assertThat(c.lastState).isEqualTo(TOTAL);
    }
    for (LosslessChecker l : lossless) {
      l.assertCompletedCleanlyAt(TOTAL, "lossless");
      assertThat(l.count).isEqualTo(TOTAL + 1); // versions 0..800,000
    }
  }

  /**
   * Counts the deliveries that break the subclass's invariant; records the error and the
   * termination. Fields are written on the delivering thread and read after {@link #done}.
   */
  private abstract static class Checker extends BaseSubscriber<Snapshot<Integer>> {
    final CountDownLatch done = new CountDownLatch(1);
    volatile Throwable error;
    long lastVersion = -1;
    long violations;

    void assertCompletedCleanlyAt(long version, String delivery) throws InterruptedException {
      assertThat(done.await(1, TimeUnit.MINUTES)).as(delivery + " completed").isTrue();
      assertThat(error).isNull();
      assertThat(violations).isZero();
      assertThat(lastVersion).isEqualTo(version);
    }

    @Override
    protected void hookOnError(Throwable t) {
      error = t;
    }

    @Override
    protected void hookFinally(SignalType type) {
      done.countDown();
    }
  }

  /** Strictly increasing versions; state equals version (every commit is +1). */
  private static final class ConflatedChecker extends Checker {
    final long batch;
    int lastState = -1;

    ConflatedChecker(long batch) {
      this.batch = batch;
    }

    @Override
    protected void hookOnSubscribe(Subscription s) {
      s.request(batch);
    }

    @Override
    protected void hookOnNext(Snapshot<Integer> s) {
      if (s.version() <= lastVersion || s.state() != s.version()) {
        violations++;
      }
      lastVersion = s.version();
      lastState = s.state();
      if (batch != Long.MAX_VALUE) {
        request(1);
      }
    }
  }

  /** Every version exactly once, in order. */
  private static final class LosslessChecker extends Checker {
    long count;

    @Override
    protected void hookOnNext(Snapshot<Integer> s) {
      if (lastVersion >= 0 && s.version() != lastVersion + 1) {
        violations++;
      }
      lastVersion = s.version();
      count++;
    }
  }
}
