package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import reactor.test.util.RaceTestUtils;

/**
 * Two-thread races between the store's operations, each repeated many times with {@link
 * RaceTestUtils#race(Runnable, Runnable)}, each asserting the invariant that must hold whichever
 * side wins. Every round uses a fresh store and waits on {@link Recorder}s, never sleeps.
 */
final class StoreRaceTest {

  /** Rounds per race; raise with -Dsnapflux.raceRounds=N (in argLine) for a longer soak. */
  private static final int ROUNDS = Integer.getInteger("snapflux.raceRounds", 5_000);

  private static Store<Integer> newStore() {
    return Store.builder(0).name("race").build();
  }

  @Test
  void subscribeVsUpdate_conflated_subscriberAlwaysGetsTheFinalSnapshot() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Store<Integer> store = newStore();
      Recorder<Integer> sub = Recorder.unbounded();

      RaceTestUtils.race(() -> store.changes().subscribe(sub), () -> store.update(s -> s + 1));

      // No lost wake-up: the final snapshot arrives without any further commit or close.
      assertThat(sub.awaitVersion(1)).as("round %d: %s", round, sub).isTrue();
      assertThat(sub.versions()).as("round %d", round).isIn(
          List.of(0L, 1L), List.of(1L));
      assertThat(sub.violations()).isEmpty();
      store.close();
    }
  }

  @Test
  void subscribeVsUpdate_lossless_subscriberSeesEveryVersionFromWhereItStarted() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Store<Integer> store = newStore();
      Recorder<Integer> sub = Recorder.unbounded();

      RaceTestUtils.race(
          () -> store.changes(Delivery.lossless(16)).subscribe(sub),
          () -> {
            store.update(s -> s + 1);
            store.update(s -> s + 1);
          });

      assertThat(sub.awaitVersion(2)).as("round %d: %s", round, sub).isTrue();
      long first = sub.versions().get(0);
      assertThat(sub.versions()).as("round %d: no gap, no repeat", round)
          .containsExactlyElementsOf(LongStream.rangeClosed(first, 2).boxed().toList());
      assertThat(sub.violations()).isEmpty();
      store.close();
    }
  }

  @Test
  void cancelVsDelivery_cancelledSubscriberIsDroppedAndOthersStillGetTheFinalSnapshot()
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Store<Integer> store = newStore();
      Recorder<Integer> cancelled = Recorder.unbounded();
      Recorder<Integer> other = Recorder.unbounded();
      store.changes().subscribe(cancelled);
      store.changes().subscribe(other);

      RaceTestUtils.race(() -> store.update(s -> s + 1), cancelled::cancel);

      // The final snapshot is delivered or the subscriber was cancelled, never neither.
      assertThat(other.awaitVersion(1)).as("round %d: %s", round, other).isTrue();
      assertThat(store.stats().subscribers()).as("round %d", round).isEqualTo(1);
      assertThat(cancelled.isTerminated()).as("cancel is not a terminal signal").isFalse();
      assertThat(cancelled.violations()).isEmpty();
      store.close();
      assertThat(other.awaitTerminal()).isTrue();
      assertThat(other.completed()).isTrue();
      assertThat(cancelled.isTerminated()).as("no completion after cancel").isFalse();
    }
  }

  @Test
  void closeVsUpdate_eitherUpdateCommittedAndIsDeliveredBeforeCompletion_orItThrewAndNothingChanged()
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Store<Integer> store = newStore();
      Recorder<Integer> conflated = Recorder.unbounded();
      Recorder<Integer> lossless = Recorder.unbounded();
      store.changes().subscribe(conflated);
      store.changes(Delivery.lossless(16)).subscribe(lossless);
      AtomicReference<Object> outcome = new AtomicReference<>();

      RaceTestUtils.race(store::close, () -> {
        try {
          outcome.set(store.update(s -> s + 1));
        } catch (StoreClosedException e) {
          outcome.set(e);
        }
      });

      assertThat(store.isClosed()).isTrue();
      long finalVersion = store.snapshot().version();
      if (outcome.get() instanceof Snapshot<?> committed) {
        assertThat(committed.version()).isEqualTo(1);
        assertThat(finalVersion).isEqualTo(1);
        assertThat(store.snapshot().state()).isEqualTo(1);
      } else {
        assertThat(outcome.get()).isInstanceOf(StoreClosedException.class);
        assertThat(finalVersion).as("a refused update changes nothing").isZero();
        assertThat(store.snapshot().state()).isZero();
      }
      for (Recorder<Integer> sub : List.of(conflated, lossless)) {
        assertThat(sub.awaitTerminal()).as("round %d: %s", round, sub).isTrue();
        assertThat(sub.completed()).as("round %d: %s", round, sub).isTrue();
        assertThat(sub.last()).as("round %d: final snapshot before completion", round)
            .isEqualTo(finalVersion);
        assertThat(sub.violations()).isEmpty();
      }
      assertThat(lossless.versions()).containsExactlyElementsOf(
          LongStream.rangeClosed(0, finalVersion).boxed().toList());
      assertThat(store.stats().subscribers()).isZero();
    }
  }

  @Test
  void closeVsSubscribe_subscriberAlwaysGetsTheFinalSnapshotThenCompletion() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Store<Integer> store = newStore();
      store.update(s -> s + 1);
      Recorder<Integer> conflated = Recorder.unbounded();
      Recorder<Integer> lossless = Recorder.unbounded();

      RaceTestUtils.race(store::close, () -> {
        store.changes().subscribe(conflated);
        store.changes(Delivery.lossless(16)).subscribe(lossless);
      });

      for (Recorder<Integer> sub : List.of(conflated, lossless)) {
        assertThat(sub.awaitTerminal()).as("round %d: %s", round, sub).isTrue();
        assertThat(sub.completed()).as("round %d: %s", round, sub).isTrue();
        assertThat(sub.versions()).as("round %d", round).containsExactly(1L);
        assertThat(sub.violations()).isEmpty();
      }
      assertThat(store.stats().subscribers()).as("nothing left subscribed").isZero();
    }
  }

  @Test
  void losslessOverflowVsRequest_everyVersionInOrderOrAPrefixThenOneLagError() throws Exception {
    int maxLag = 4;
    int commits = maxLag + 1;
    int overflowed = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Store<Integer> store = newStore();
      Recorder<Integer> sub = new Recorder<>(0);
      store.changes(Delivery.lossless(maxLag)).subscribe(sub);

      RaceTestUtils.race(
          () -> {
            for (int i = 0; i < commits; i++) {
              store.update(s -> s + 1);
            }
          },
          () -> sub.request(Long.MAX_VALUE));

      // Either it kept up (all versions 0..commits), or it fell behind and got one typed error.
      sub.awaitVersion(commits);
      assertThat(sub.last() == commits || sub.error() != null).as("round %d: %s", round, sub)
          .isTrue();
      List<Long> seen = sub.versions();
      assertThat(seen).as("round %d: a gap-free prefix", round)
          .containsExactlyElementsOf(LongStream.range(0, seen.size()).boxed().toList());
      if (sub.error() != null) {
        overflowed++;
        assertThat(sub.error()).isInstanceOf(SubscriberLagException.class);
        assertThat(store.stats().subscribers()).as("nothing held for it").isZero();
        assertThat(store.stats().maxLosslessLag()).isZero();
      } else {
        assertThat(seen).hasSize(commits + 1);
        store.close();
        assertThat(sub.awaitTerminal()).isTrue();
        assertThat(sub.completed()).isTrue();
      }
      assertThat(sub.violations()).isEmpty();
    }
    // Not an invariant, just evidence that both outcomes are exercised on this machine.
    System.out.println("lossless overflow vs request: overflowed in " + overflowed + "/" + ROUNDS);
  }

  @Test
  void losslessResyncVsRequest_versionsIncreaseGapsOnlyAtCountedResyncsAndTheFinalOneArrives()
      throws Exception {
    int maxLag = 4;
    int commits = 3 * maxLag;
    long resynced = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Store<Integer> store = newStore();
      Recorder<Integer> sub = new Recorder<>(0);
      store.changes(Delivery.lossless(maxLag).resyncOnOverflow()).subscribe(sub);

      RaceTestUtils.race(
          () -> {
            for (int i = 0; i < commits; i++) {
              store.update(s -> s + 1);
            }
          },
          () -> sub.request(Long.MAX_VALUE));

      assertThat(sub.awaitVersion(commits)).as("round %d: %s", round, sub).isTrue();
      store.close();
      assertThat(sub.awaitTerminal()).isTrue();
      assertThat(sub.completed()).as("round %d: a resync is not an error: %s", round, sub)
          .isTrue();
      List<Long> seen = sub.versions();
      long gaps = 0;
      for (int i = 1; i < seen.size(); i++) {
        if (seen.get(i) != seen.get(i - 1) + 1) {
          gaps++;
        }
      }
      assertThat(gaps).as("round %d: every gap is a counted resync: %s", round, seen)
          .isLessThanOrEqualTo(store.stats().lagOverflows());
      assertThat(seen.get(seen.size() - 1)).isEqualTo(commits);
      assertThat(sub.violations()).as("versions strictly increase").isEmpty();
      resynced += store.stats().lagOverflows() > 0 ? 1 : 0;
    }
    // Not an invariant, just evidence that resyncs happen on this machine.
    System.out.println("lossless resync vs request: resynced in " + resynced + "/" + ROUNDS);
  }
}
