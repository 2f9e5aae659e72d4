package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vavr.Tuple;
import io.vavr.Tuple2;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Bad input, from callers and from subscribers: each is a clear error naming the problem, and
 * nothing changes for anyone else. Every test runs next to two witnesses (a conflated and a
 * lossless subscriber) and checks afterwards, in {@link #nothingChangedForAnyoneElse()}, that the
 * store's version did not move unless the test committed, that neither witness saw an error, and
 * that both still receive a later version (the lossless one without a gap).
 */
final class StoreBadInputTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Store<Integer> store;
  private Recorder<Integer> conflatedWitness;
  private Recorder<Integer> losslessWitness;
  private long versionBefore;

  @BeforeEach
  void subscribeWitnesses() {
    store = Store.builder(0)
        .name("bad-input")
        .validator("state must not be negative", s -> s >= 0)
        .build();
    store.update(s -> s + 1);
    conflatedWitness = Recorder.unbounded();
    losslessWitness = Recorder.unbounded();
    store.changes().subscribe(conflatedWitness);
    store.changes(Delivery.lossless(64)).subscribe(losslessWitness);
    versionBefore = store.snapshot().version();
  }

  @AfterEach
  void nothingChangedForAnyoneElse() throws InterruptedException {
    long after = store.snapshot().version();
    assertThat(after).as("the bad input committed nothing").isEqualTo(versionBefore);
    Snapshot<Integer> next = store.update(s -> s + 1);
    for (Recorder<Integer> witness : List.of(conflatedWitness, losslessWitness)) {
      assertThat(witness.awaitVersion(next.version()))
          .as("a witness still receives later versions: %s", witness).isTrue();
      assertThat(witness.isTerminated()).as("%s", witness).isFalse();
      assertThat(witness.violations()).isEmpty();
    }
    long first = losslessWitness.versions().get(0);
    assertThat(losslessWitness.versions()).containsExactlyElementsOf(
        LongStream.rangeClosed(first, next.version()).boxed().toList());
    store.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Null states

  @Test
  void of_nullInitialState_isRejectedWithClearMessage() {
    assertThatThrownBy(() -> Store.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("initial state")
        .hasMessageContaining("never null");
  }

  @Test
  void update_functionReturnsNull_isRejectedNamingTheStore() {
    assertThatThrownBy(() -> store.update(s -> null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("update function returned null")
        .hasMessageContaining("bad-input");
  }

  @Test
  void compareAndSet_nullState_isRejectedBeforeLookingAtTheVersion() {
    assertThatThrownBy(() -> store.compareAndSet(versionBefore, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("never null");
    assertThatThrownBy(() -> store.compareAndSet(versionBefore + 5, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void updateIfVersion_functionReturnsNull_isRejected() {
    assertThatThrownBy(() -> store.updateIfVersion(versionBefore, s -> null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void modify_nullPairOrNullState_isRejected() {
    assertThatThrownBy(() -> store.modify(s -> null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("modify function returned null");
    Function<Integer, Tuple2<Integer, String>> nullState = s -> Tuple.of(null, "result");
    assertThatThrownBy(() -> store.modify(nullState))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void nullFunctionsAndDelivery_areRejectedNamingTheParameter() {
    assertThatThrownBy(() -> store.update(null)).hasMessageContaining("fn");
    assertThatThrownBy(() -> Stores.getAndUpdate(store, null)).hasMessageContaining("fn");
    assertThatThrownBy(() -> store.modify(null)).hasMessageContaining("fn");
    assertThatThrownBy(() -> store.updateIfVersion(0, null)).hasMessageContaining("fn");
    assertThatThrownBy(() -> store.changes(null)).hasMessageContaining("delivery");
  }

  // ---------------------------------------------------------------------------------------------
  // Throwing functions and validators

  @Test
  void update_functionThrows_callerGetsThatExceptionAndNothingChanges() {
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(() -> store.update(s -> {
      throw boom;
    })).isSameAs(boom);
    assertThatThrownBy(() -> Stores.getAndUpdate(store, s -> {
      throw boom;
    })).isSameAs(boom);
    assertThatThrownBy(() -> store.modify(s -> {
      throw boom;
    })).isSameAs(boom);
    assertThatThrownBy(() -> store.updateIfVersion(versionBefore, s -> {
      throw boom;
    })).isSameAs(boom);
  }

  @Test
  void validator_rejects_typedExceptionNamesStoreAndValidator() {
    assertThatThrownBy(() -> store.update(s -> -1))
        .isInstanceOfSatisfying(StateValidationException.class, e -> {
          assertThat(e.validator()).isEqualTo("state must not be negative");
          assertThat(e.storeName()).isEqualTo("bad-input");
        })
        .hasMessageContaining("state must not be negative");
    assertThatThrownBy(() -> store.compareAndSet(versionBefore, -1))
        .isInstanceOf(StateValidationException.class);
  }

  @Test
  void validator_throws_typedExceptionCarriesTheCause() {
    Store<Integer> other = Store.builder(0)
        .name("throwing-validator")
        .validator("must be checkable", s -> {
          if (s == 7) {
            throw new ArithmeticException("cannot check 7");
          }
          return true;
        })
        .build();
    assertThatThrownBy(() -> other.update(s -> 7))
        .isInstanceOf(StateValidationException.class)
        .hasMessageContaining("must be checkable")
        .hasMessageContaining("cannot check 7")
        .hasCauseInstanceOf(ArithmeticException.class);
    assertThat(other.snapshot().version()).isZero();
    other.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Throwing selectors and subscribers

  @Test
  void select_selectorThrows_failsOnlyThatSubscriber() {
    RuntimeException boom = new RuntimeException("selector failed");
    Flux<Integer> failing = store.select(s -> {
      if (s >= 2) {
        throw boom;
      }
      return s;
    });
    StepVerifier.create(failing)
        .expectNext(1)
        .then(() -> store.update(s -> s + 1))
        .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
        .verify(TIMEOUT);
    versionBefore = store.snapshot().version(); // that update was ours, not the selector's
  }

  @Test
  void select_nullSelector_isRejectedAtOnceNamingTheParameter() {
    assertThatThrownBy(() -> store.select(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("selector");
  }

  @Test
  void subscriberOnNextThrows_thatSubscriberGetsOnErrorAndIsDropped() throws InterruptedException {
    for (Delivery delivery : List.of(Delivery.conflated(), Delivery.lossless(8))) {
      IllegalStateException boom = new IllegalStateException("subscriber failed");
      Recorder<Integer> throwing = Recorder.throwingOnNext(boom);
      int before = store.stats().subscribers();
      store.changes(delivery).subscribe(throwing);

      assertThat(throwing.awaitTerminal()).isTrue();
      assertThat(throwing.error()).as("%s", delivery).isSameAs(boom);
      assertThat(throwing.versions()).containsExactly(versionBefore);
      assertThat(throwing.violations()).isEmpty();
      assertThat(store.stats().subscribers()).as("dropped").isEqualTo(before);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bad demand and bad settings

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void request_nonPositive_signalsIllegalArgumentExceptionPerRule309(long n)
      throws InterruptedException {
    for (Delivery delivery : List.of(Delivery.conflated(), Delivery.lossless(8))) {
      Recorder<Integer> bad = new Recorder<>(0);
      int before = store.stats().subscribers();
      store.changes(delivery).subscribe(bad);

      bad.request(n);

      assertThat(bad.awaitTerminal()).isTrue();
      assertThat(bad.error())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("§3.9")
          .hasMessageContaining("requested " + n)
          .hasMessageContaining("bad-input");
      assertThat(bad.versions()).as("no element without demand").isEmpty();
      assertThat(store.stats().subscribers()).as("dropped").isEqualTo(before);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void lossless_nonPositiveMaxLag_isRejectedWithClearMessage(int maxLag) {
    assertThatThrownBy(() -> Delivery.lossless(maxLag))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLag must be positive, was " + maxLag);
  }

  @Test
  void versionChecks_negativeExpectedVersion_areRejected() {
    assertThatThrownBy(() -> store.compareAndSet(-1, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expectedVersion must be >= 0");
    assertThatThrownBy(() -> store.updateIfVersion(-1, s -> s + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expectedVersion must be >= 0");
  }
}
