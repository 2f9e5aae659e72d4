package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vavr.collection.List;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Reducers and actions, change events, effects after commit, interceptors, batching. */
final class ActionsAndEffectsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  sealed interface CounterAction permits Add, Reset {}

  record Add(int amount) implements CounterAction {}

  record Reset() implements CounterAction {}

  static int reduce(int state, CounterAction action) {
    if (action instanceof Add add) {
      return state + add.amount();
    }
    return 0;
  }

  @Test
  void dispatch_appliesReducerAndRecordsActionAsCause() {
    ActionStore<Integer, CounterAction> store =
        Store.builder(0).build(ActionsAndEffectsTest::reduce);

    Snapshot<Integer> s = store.dispatch(new Add(5));

    assertThat(s.state()).isEqualTo(5);
    assertThat(s.version()).isEqualTo(1);
    assertThat(s.cause()).isEqualTo(new Add(5));
  }

  @Test
  void dispatchAll_isOneCommitWithOneEmission() {
    ActionStore<Integer, CounterAction> store =
        Store.builder(0).build(ActionsAndEffectsTest::reduce);

    StepVerifier.create(store.changes(Delivery.lossless(10)))
        .assertNext(s -> assertThat(s.version()).isZero())
        .then(() -> store.dispatchAll(List.of(new Add(1), new Add(2), new Add(3))))
        .assertNext(s -> {
          assertThat(s.version()).isEqualTo(1);
          assertThat(s.state()).isEqualTo(6);
          assertThat(s.cause()).isEqualTo(List.of(new Add(1), new Add(2), new Add(3)));
        })
        .then(store::close)
        .verifyComplete();
  }

  @Test
  void dispatch_nullAction_isRejected() {
    ActionStore<Integer, CounterAction> store =
        Store.builder(0).build(ActionsAndEffectsTest::reduce);

    assertThatThrownBy(() -> store.dispatch(null)).hasMessageContaining("action");
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void updateAll_appliesFunctionsInOrderAsOneVersion() {
    Store<String> store = Store.of("");

    Snapshot<String> s = Stores.updateAll(store, "batch", List.of(x -> x + "a", x -> x + "b"));

    assertThat(s.state()).isEqualTo("ab");
    assertThat(s.version()).isEqualTo(1);
    assertThat(s.cause()).isEqualTo("batch");
  }

  @Test
  void changeEvents_carryBeforeAfterAndCause() {
    Store<Integer> store = Store.of(0);

    StepVerifier.create(Stores.changeEvents(store))
        .then(() -> store.update("inc", n -> n + 1))
        .assertNext(c -> {
          assertThat(c.before().version()).isZero();
          assertThat(c.after().version()).isEqualTo(1);
          assertThat(c.after().state()).isEqualTo(1);
          assertThat(c.cause()).isEqualTo("inc");
          assertThat(c.contiguous()).isTrue();
        })
        .then(() -> store.update("double", n -> n * 2))
        .assertNext(c -> assertThat(c.before().state()).isEqualTo(1))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void effects_runOnceForTheWinningAttemptOnly() {
    Store<Integer> store = Store.of(0);
    AtomicInteger attempts = new AtomicInteger();
    java.util.List<Long> effectVersions = new CopyOnWriteArrayList<>();

    Snapshot<Integer> s = Stores.updateWithEffects(store, "with effect", n -> {
      if (attempts.incrementAndGet() == 1) {
        store.update(x -> x + 100); // a concurrent writer wins this attempt's race
      }
      return Effects.of(n + 1, committed -> effectVersions.add(committed.version()));
    });

    assertThat(attempts).hasValue(2);
    assertThat(s.version()).isEqualTo(2);
    assertThat(s.state()).isEqualTo(101);
    assertThat(effectVersions).containsExactly(2L);
  }

  @Test
  void effects_notRunWhenNothingIsCommitted() {
    Store<Integer> store = Store.of(0);
    AtomicInteger ran = new AtomicInteger();

    Stores.updateWithEffects(store, null, n -> Effects.of(n, c -> ran.incrementAndGet()));

    assertThat(ran).hasValue(0);
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void effects_failure_isReportedAndCommitStands() {
    Store<Integer> store = Store.of(0);
    AtomicInteger laterEffect = new AtomicInteger();

    assertThatThrownBy(() -> Stores.updateWithEffects(store, null, n -> Effects.<Integer>none(n + 1)
            .andThen(c -> {
              throw new IllegalStateException("mail server down");
            })
            .andThen(c -> laterEffect.incrementAndGet())))
        .isInstanceOfSatisfying(EffectException.class, e -> {
          assertThat(e.committed().version()).isEqualTo(1);
          assertThat(e).hasMessageContaining("commit stands").hasRootCauseMessage("mail server down");
        });
    assertThat(store.snapshot().state()).isEqualTo(1);
    assertThat(laterEffect).hasValue(1);
  }

  @Test
  void interceptor_beforeCommit_canVetoAndNothingChanges() {
    Store<Integer> store = Store.builder(0)
        .interceptor(new Interceptor<>() {
          @Override
          public void beforeCommit(Snapshot<Integer> current, Integer proposed, Object cause) {
            if ("forbidden".equals(cause)) {
              throw new CommitVetoedException("forbidden changes are not allowed");
            }
          }
        })
        .build();

    assertThatThrownBy(() -> store.update("forbidden", n -> n + 1))
        .isInstanceOf(CommitVetoedException.class)
        .hasMessageContaining("not allowed");
    assertThat(store.snapshot().version()).isZero();
    assertThat(store.update("fine", n -> n + 1).version()).isEqualTo(1);
  }

  @Test
  void interceptor_afterCommit_runsOncePerVersionInOrderOfChain() throws InterruptedException {
    java.util.List<String> calls = new CopyOnWriteArrayList<>();
    AtomicInteger afterCount = new AtomicInteger();
    Store<Integer> store = Store.builder(0)
        .interceptor(new Interceptor<>() {
          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            afterCount.incrementAndGet();
            if (committed.version() == 1) {
              calls.add("first:" + previous.version() + "->" + committed.version());
            }
          }
        })
        .interceptor(new Interceptor<>() {
          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            if (committed.version() == 1) {
              calls.add("second");
            }
            throw new IllegalStateException("audit log unavailable"); // logged, commit stands
          }
        })
        .build();

    Thread[] writers = new Thread[4];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = new Thread(() -> {
        for (int j = 0; j < 1_000; j++) {
          store.update(n -> n + 1);
        }
      });
      writers[i].start();
    }
    for (Thread w : writers) {
      w.join();
    }

    assertThat(store.snapshot().state()).isEqualTo(4_000);
    assertThat(afterCount).hasValue(4_000);
    assertThat(calls).containsExactly("first:0->1", "second");
  }
}
