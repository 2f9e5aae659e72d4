package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vavr.Tuple;
import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The behaviour every {@link Store} implementation must have, whatever its backend. Extend it
 * once per implementation (Vavr's {@code AbstractMapTest} shape) and implement the factories.
 *
 * <p>States used here are JSON-friendly (integers, strings, Vavr lists) so that backends that
 * serialize the state can run the same suite.
 */
public abstract class StoreContractTest {

  /** A generous bound for asynchronous deliveries on a loaded 2-core machine. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final java.util.List<Store<?>> created = new CopyOnWriteArrayList<>();

  /**
   * A new store of the implementation under test, at version 0 with {@code initial}.
   *
   * @param initial the initial state
   * @param <S> the state type
   * @return the store
   */
  protected abstract <S> Store<S> createStore(S initial);

  /**
   * A new store whose states must satisfy {@code check}, described by {@code description}.
   *
   * @param initial the initial state
   * @param description the validator's description
   * @param check the validator
   * @param <S> the state type
   * @return the store
   */
  protected abstract <S> Store<S> createValidatedStore(
      S initial, String description, Predicate<? super S> check);

  /**
   * A new store whose state has the declared {@code type}, at version 0 with {@code initial}. A
   * backend that encodes the state must encode and decode with {@code type}, never with the
   * runtime class of {@code initial}.
   *
   * @param type the declared state type
   * @param initial the initial state, an instance of {@code type}
   * @param <S> the state type
   * @return the store
   */
  protected abstract <S> Store<S> createStore(TypeRef<S> type, S initial);

  /**
   * The state of {@code store} as another instance of it decodes it: the file backend closes
   * {@code store} and reopens its directory, Redis opens a second instance of the same name. The
   * default, for the heap-only store, is {@code store} itself.
   *
   * @param store a store made by {@link #createStore(TypeRef, Object)}
   * @param type its declared state type
   * @param initial its initial state
   * @param <S> the state type
   * @return a store at the same version and state
   */
  protected <S> Store<S> reopen(Store<S> store, TypeRef<S> type, S initial) {
    return store;
  }

  /**
   * A new store keeping the last {@code size} versions, with the {@link History} capability, or
   * empty if the backend has no history (then the history tests are skipped, and {@link
   * #history_absentForABackendWithout} checks that the capability is absent).
   *
   * @param initial the initial state
   * @param size the history size
   * @param <S> the state type
   * @return the store, or empty for a backend without history
   */
  protected <S> java.util.Optional<Store<S>> createStoreWithHistory(S initial, int size) {
    return java.util.Optional.empty();
  }

  protected final <S> Store<S> newStore(S initial) {
    return track(createStore(initial));
  }

  protected final <S> Store<S> track(Store<S> store) {
    created.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    created.forEach(Store::close);
  }

  // --- versions and updates -------------------------------------------------------------------

  @Test
  void snapshot_newStore_isVersionZeroWithInitialState() {
    Store<Integer> store = newStore(7);

    assertThat(store.snapshot().version()).isZero();
    assertThat(store.snapshot().state()).isEqualTo(7);
    assertThat(store.snapshot().state()).isEqualTo(7);
  }

  @Test
  void update_commitsNextVersion() {
    Store<Integer> store = newStore(0);

    Snapshot<Integer> first = store.update(n -> n + 1);
    Snapshot<Integer> second = store.update(n -> n + 10);

    assertThat(first.version()).isEqualTo(1);
    assertThat(first.state()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.state()).isEqualTo(11);
    assertThat(store.snapshot()).isEqualTo(second);
  }

  @Test
  void update_identityFunction_doesNotPublish() {
    Store<Integer> store = newStore(1);
    java.util.List<Long> seen = new CopyOnWriteArrayList<>();
    store.changes().subscribe(s -> seen.add(s.version()));

    Snapshot<Integer> result = store.update(n -> n);
    store.update(n -> n + 1);

    assertThat(result.version()).isZero();
    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> seen.contains(1L));
    assertThat(seen).containsExactly(0L, 1L);
  }

  @Test
  void update_withCause_recordsCauseInSnapshot() {
    Store<Integer> store = newStore(0);

    Snapshot<Integer> s = store.update("increment", n -> n + 1);

    assertThat(s.cause()).isEqualTo("increment");
    assertThat(store.snapshot().cause()).isEqualTo("increment");
  }

  @Test
  void updateAndGet_returnsNewState_getAndUpdate_returnsPrevious() {
    Store<Integer> store = newStore(5);

    assertThat(Stores.updateAndGet(store, n -> n * 2)).isEqualTo(10);
    assertThat(Stores.getAndUpdate(store, n -> n + 1)).isEqualTo(10);
    assertThat(store.snapshot().state()).isEqualTo(11);
    assertThat(store.snapshot().version()).isEqualTo(2);
  }

  @Test
  void modify_commitsStateAndReturnsResult() {
    Store<List<String>> store = newStore(List.of("a", "b"));

    String popped = store.modify(l -> Tuple.of(l.tail(), l.head()));

    assertThat(popped).isEqualTo("a");
    assertThat(store.snapshot().state()).containsExactly("b");
    assertThat(store.snapshot().version()).isEqualTo(1);
  }

  @Test
  void update_functionThrows_propagatesAndChangesNothing() {
    Store<Integer> store = newStore(1);
    IllegalStateException boom = new IllegalStateException("boom");

    assertThatThrownBy(() -> store.update(n -> {
      throw boom;
    })).isSameAs(boom);

    assertThat(store.snapshot().version()).isZero();
    assertThat(store.snapshot().state()).isEqualTo(1);
  }

  @Test
  void update_nullResult_isRejectedWithClearMessage() {
    Store<Integer> store = newStore(1);

    assertThatThrownBy(() -> store.update(n -> null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("never null");
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void validator_rejectsState_throwsTypedExceptionAndChangesNothing() {
    Store<Integer> store = track(createValidatedStore(0, "must not be negative", n -> n >= 0));

    assertThatThrownBy(() -> store.update(n -> n - 1))
        .isInstanceOf(StateValidationException.class)
        .hasMessageContaining("must not be negative");
    assertThat(store.snapshot().version()).isZero();
    assertThat(store.stats().validationRejections()).isEqualTo(1);

    assertThat(store.update(n -> n + 1).version()).isEqualTo(1);
  }

  // --- declared state types --------------------------------------------------------------------

  /** A record, so that a backend decoding with an erased type would return JSON maps instead. */
  public record Item(String name, int quantity) {}

  /** A record holding a Vavr list: its component keeps its generic type. */
  public record Basket(String owner, List<Item> items) {}

  @Test
  void update_emptyVavrListDeclaredType_commitsAndDecodesAsDeclared() {
    TypeRef<List<Item>> type = new TypeRef<>() {};
    Store<List<Item>> store = track(createStore(type, List.empty()));

    store.update(items -> items.append(new Item("pear", 2)));
    Snapshot<List<Item>> last = store.update(items -> items.append(new Item("fig", 1)));

    assertThat(last.version()).isEqualTo(2);
    assertThat(last.state()).containsExactly(new Item("pear", 2), new Item("fig", 1));
    Store<List<Item>> other = track(reopen(store, type, List.empty()));
    assertThat(other.snapshot().version()).isEqualTo(2);
    assertThat(other.snapshot().state()).containsExactly(new Item("pear", 2), new Item("fig", 1));
    assertThat(other.snapshot().state().head()).isInstanceOf(Item.class);
    assertThat(other.update(List::tail).state()).containsExactly(new Item("fig", 1));
  }

  @Test
  void update_emptyVavrHashMapDeclaredType_commitsAndDecodesAsDeclared() {
    TypeRef<HashMap<String, Item>> type = new TypeRef<>() {};
    Store<HashMap<String, Item>> store = track(createStore(type, HashMap.empty()));

    Snapshot<HashMap<String, Item>> last = store.update(m -> m.put("p", new Item("pear", 2)));

    assertThat(last.state()).isEqualTo(HashMap.of("p", new Item("pear", 2)));
    Store<HashMap<String, Item>> other = track(reopen(store, type, HashMap.empty()));
    assertThat(other.snapshot().version()).isEqualTo(1);
    assertThat(other.snapshot().state().get("p").get()).isInstanceOf(Item.class).isEqualTo(new Item("pear", 2));
    assertThat(other.update(m -> m.remove("p")).state()).isEmpty();
  }

  @Test
  void update_recordWithEmptyVavrList_commitsAndDecodesAsDeclared() {
    TypeRef<Basket> type = TypeRef.of(Basket.class);
    Basket empty = new Basket("ann", List.empty());
    Store<Basket> store = track(createStore(type, empty));

    Snapshot<Basket> last =
        store.update(b -> new Basket(b.owner(), b.items().prepend(new Item("fig", 1))));

    assertThat(last.state()).isEqualTo(new Basket("ann", List.of(new Item("fig", 1))));
    Store<Basket> other = track(reopen(store, type, empty));
    assertThat(other.snapshot().state()).isEqualTo(new Basket("ann", List.of(new Item("fig", 1))));
    assertThat(other.snapshot().state().items().head()).isInstanceOf(Item.class);
    assertThat(other.update(b -> new Basket(b.owner(), List.empty())).state()).isEqualTo(empty);
  }

  // --- compare-and-set ----------------------------------------------------------------------

  @Test
  void compareAndSet_currentVersion_commits() {
    Store<String> store = newStore("a");

    assertThat(store.compareAndSet(0, "b")).isTrue();

    assertThat(store.snapshot().version()).isEqualTo(1);
    assertThat(store.snapshot().state()).isEqualTo("b");
  }

  @Test
  void compareAndSet_staleVersion_returnsFalseAndKeepsState() {
    Store<String> store = newStore("a");
    store.update(s -> "b");

    assertThat(store.compareAndSet(0, "c")).isFalse();

    assertThat(store.snapshot().state()).isEqualTo("b");
    assertThat(store.snapshot().version()).isEqualTo(1);
    assertThat(store.stats().versionConflicts()).isEqualTo(1);
  }

  @Test
  void compareAndSet_repeatedState_isStillAbaFree() {
    Store<String> store = newStore("a");
    store.update(s -> "b");
    store.update(s -> "a"); // same value as version 0, different version

    assertThat(store.compareAndSet(0, "z")).isFalse();
    assertThat(store.compareAndSet(2, "z")).isTrue();
    assertThat(store.snapshot().version()).isEqualTo(3);
  }

  @Test
  void compareAndSet_negativeVersion_isRejected() {
    Store<String> store = newStore("a");

    assertThatThrownBy(() -> store.compareAndSet(-1, "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expectedVersion");
    assertThat(store.snapshot().state()).isEqualTo("a");
  }

  @Test
  void updateIfVersion_match_appliesOnce() {
    Store<Integer> store = newStore(1);
    AtomicInteger calls = new AtomicInteger();

    Outcome<Integer> outcome = store.updateIfVersion(0, "double", n -> {
      calls.incrementAndGet();
      return n * 2;
    });

    assertThat(outcome.applied()).isTrue();
    assertThat(outcome.snapshot().version()).isEqualTo(1);
    assertThat(outcome.snapshot().state()).isEqualTo(2);
    assertThat(outcome.snapshot().cause()).isEqualTo("double");
    assertThat(calls).hasValue(1);
  }

  @Test
  void updateIfVersion_conflict_reportsCurrentSnapshotAndDoesNotRun() {
    Store<Integer> store = newStore(1);
    store.update(n -> 5);

    Outcome<Integer> outcome = store.updateIfVersion(0, n -> {
      throw new AssertionError("must not run on a conflict");
    });

    assertThat(outcome).isInstanceOf(Outcome.Conflict.class);
    assertThat(outcome.applied()).isFalse();
    assertThat(outcome.snapshot().version()).isEqualTo(1);
    assertThat(outcome.snapshot().state()).isEqualTo(5);
  }

  // --- changes() ------------------------------------------------------------------------------

  @Test
  void changes_newSubscriber_firstReceivesCurrentSnapshot() {
    Store<Integer> store = newStore(0);
    store.update(n -> 42);

    StepVerifier.create(store.changes())
        .assertNext(s -> {
          assertThat(s.version()).isEqualTo(1);
          assertThat(s.state()).isEqualTo(42);
        })
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void changes_neverEmitsWithoutDemand() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(store.changes(), 0)
        .expectSubscription()
        .then(() -> store.update(n -> n + 1))
        .expectNoEvent(Duration.ofMillis(200))
        .thenRequest(1)
        .assertNext(s -> assertThat(s.version()).isEqualTo(1))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void changes_conflated_deliversNewestWhenDemandArrives() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(store.changes(), 1)
        .assertNext(s -> assertThat(s.version()).isZero())
        .then(() -> {
          for (int i = 0; i < 10; i++) {
            store.update(n -> n + 1);
          }
        })
        .thenRequest(1)
        .assertNext(s -> {
          assertThat(s.version()).isEqualTo(10);
          assertThat(s.state()).isEqualTo(10);
        })
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void changes_lossless_deliversEveryVersionInOrder() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(store.changes(Delivery.lossless(100)).map(Snapshot::version), 1)
        .expectNext(0L)
        .then(() -> {
          for (int i = 0; i < 20; i++) {
            store.update(n -> n + 1);
          }
        })
        .thenRequest(Long.MAX_VALUE)
        .expectNextSequence(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList())
        .then(store::close)
        .verifyComplete();
  }

  @Test
  void changes_losslessOverflow_failsWithTypedError() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(store.changes(Delivery.lossless(3)), 1)
        .expectNextCount(1)
        .then(() -> {
          for (int i = 0; i < 5; i++) {
            store.update(n -> n + 1);
          }
        })
        .thenRequest(1)
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(SubscriberLagException.class)
            .hasMessageContaining("maxLag 3"))
        .verify(TIMEOUT);
    org.awaitility.Awaitility.await().atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(store.stats().subscribers()).isZero());
  }

  @Test
  void stats_countSubscribersByDeliveryMode_andTheLosslessLag() {
    Store<Integer> store = newStore(0);
    reactor.core.Disposable conflated = store.changes().subscribe();
    java.util.concurrent.atomic.AtomicReference<org.reactivestreams.Subscription> held =
        new java.util.concurrent.atomic.AtomicReference<>();
    reactor.core.Disposable lossless = store.changes(Delivery.lossless(100))
        .subscribe(s -> { }, e -> { }, () -> { }, held::set); // requests nothing: it lags
    org.awaitility.Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
      StoreStats stats = store.stats();
      assertThat(stats.subscribers()).isEqualTo(2);
      assertThat(stats.losslessSubscribers()).isEqualTo(1);
    });
    store.update(n -> n + 1);
    store.update(n -> n + 1);
    org.awaitility.Awaitility.await().atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(store.stats().maxLosslessLag()).isGreaterThanOrEqualTo(2));
    lossless.dispose();
    org.awaitility.Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
      StoreStats stats = store.stats();
      assertThat(stats.subscribers()).isEqualTo(1);
      assertThat(stats.losslessSubscribers()).isZero();
    });
    conflated.dispose();
    org.awaitility.Awaitility.await().atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(store.stats().subscribers()).isZero());
  }

  @Test
  void changes_losslessOverflowWithResync_jumpsVisiblyToNewest() {
    Store<Integer> store = newStore(0);
    java.util.List<Long> versions = new CopyOnWriteArrayList<>();
    reactor.core.publisher.BaseSubscriber<Snapshot<Integer>> subscriber =
        new reactor.core.publisher.BaseSubscriber<>() {
          @Override
          protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
            s.request(1);
          }

          @Override
          protected void hookOnNext(Snapshot<Integer> s) {
            versions.add(s.version());
          }
        };
    store.changes(Delivery.lossless(3).resyncOnOverflow()).subscribe(subscriber);

    for (int i = 0; i < 5; i++) {
      store.update(n -> n + 1); // no demand: falls 5 behind, past maxLag 3
    }
    subscriber.request(Long.MAX_VALUE);
    store.update(n -> n + 1);
    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> versions.contains(6L));
    subscriber.dispose();

    // 0, then a visible jump to the newest version at delivery (5: the burst was over before
    // the request), then lossless again from there.
    assertThat(versions.get(0)).isZero();
    assertThat(versions.get(1)).isEqualTo(5L);
    for (int i = 2; i < versions.size(); i++) {
      assertThat(versions.get(i)).isEqualTo(versions.get(i - 1) + 1);
    }
    assertThat(versions).endsWith(6L);
    assertThat(store.stats().lagOverflows()).isEqualTo(1);
  }

  @Test
  void changes_subscriberThatThrows_failsAloneAndOthersContinue() {
    Store<Integer> store = newStore(0);
    java.util.List<Throwable> errors = new CopyOnWriteArrayList<>();
    store.changes().skip(1).subscribe(s -> {
      throw new IllegalStateException("bad subscriber");
    }, errors::add);

    StepVerifier.create(store.changes().map(Snapshot::version).filter(v -> v == 2), 1)
        .then(() -> store.update(n -> n + 1))
        .then(() -> store.update(n -> n + 1))
        .expectNext(2L)
        .thenCancel()
        .verify(TIMEOUT);

    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> !errors.isEmpty());
    assertThat(errors.get(0)).hasMessage("bad subscriber");
    assertThat(store.snapshot().version()).isEqualTo(2);
  }

  @Test
  void changes_updateFromInsideSubscriber_neitherDeadlocksNorRecurses() {
    Store<Integer> store = newStore(0);
    store.changes()
        .filter(s -> s.state() < 50)
        .subscribe(s -> store.update(n -> n + 1));

    StepVerifier.create(store.changes().filter(s -> s.state() == 50).next())
        .assertNext(s -> assertThat(s.version()).isEqualTo(50))
        .verifyComplete();
  }

  @Test
  void select_emitsSelectedValueThenOnlyChanges() {
    Store<List<String>> store = newStore(List.of("a"));

    StepVerifier.create(store.select(List::size))
        .expectNext(1)
        .then(() -> store.update(l -> l.prepend("b")))
        .expectNext(2)
        .then(() -> store.update(l -> l.update(0, "c"))) // size unchanged: no emission
        .then(() -> store.update(l -> l.prepend("d")))
        .expectNext(3)
        .then(store::close)
        .verifyComplete();
  }

  @Test
  void select_throwingSelector_failsOnlyThatSubscriber() {
    Store<Integer> store = newStore(0);
    Flux<Integer> failing = store.select(n -> {
      if (n == 1) {
        throw new IllegalArgumentException("selector failed");
      }
      return n;
    });

    StepVerifier.create(failing)
        .expectNext(0)
        .then(() -> store.update(n -> 1))
        .expectErrorMessage("selector failed")
        .verify(TIMEOUT);
    assertThat(store.update(n -> 2).version()).isEqualTo(2);
  }

  // --- awaiting ------------------------------------------------------------------------------

  @Test
  void awaitVersion_completesWhenVersionReached() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(Stores.awaitVersion(store, 3))
        .then(() -> {
          for (int i = 0; i < 3; i++) {
            store.update(n -> n + 1);
          }
        })
        .assertNext(s -> assertThat(s.version()).isGreaterThanOrEqualTo(3))
        .verifyComplete();
  }

  @Test
  void await_predicateAlreadyTrue_completesImmediately() {
    Store<Integer> store = newStore(9);

    StepVerifier.create(Stores.await(store, n -> n > 5))
        .assertNext(s -> assertThat(s.state()).isEqualTo(9))
        .verifyComplete();
  }

  @Test
  void awaitVersion_storeClosedFirst_failsWithClosedException() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(Stores.awaitVersion(store, 5))
        .then(store::close)
        .expectError(StoreClosedException.class)
        .verify(TIMEOUT);
  }

  // --- close ----------------------------------------------------------------------------------

  @Test
  void close_completesSubscribersAfterFinalSnapshot() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(store.changes().map(Snapshot::version))
        .expectNext(0L)
        .then(() -> store.update(n -> n + 1))
        .expectNext(1L)
        .then(store::close)
        .verifyComplete();
  }

  @Test
  void close_updatesAfterwardsFailWithClearException() {
    Store<Integer> store = newStore(0);
    store.close();

    assertThatThrownBy(() -> store.update(n -> n + 1))
        .isInstanceOf(StoreClosedException.class)
        .hasMessageContaining("closed");
    assertThat(store.isClosed()).isTrue();
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void close_laterSubscriberGetsFinalSnapshotAndCompletion() {
    Store<Integer> store = newStore(0);
    store.update(n -> 3);
    store.close();

    StepVerifier.create(store.changes())
        .assertNext(s -> assertThat(s.state()).isEqualTo(3))
        .verifyComplete();
    StepVerifier.create(store.changes(Delivery.lossless(5)))
        .assertNext(s -> assertThat(s.version()).isEqualTo(1))
        .verifyComplete();
  }

  @Test
  void close_isIdempotent() {
    Store<Integer> store = newStore(0);
    store.close();
    store.close();

    assertThat(store.isClosed()).isTrue();
  }

  // --- async writes: the same writes, as a Mono ----------------------------------------------

  @Test
  void async_update_completesWithTheCommittedSnapshot_andNothingBeforeSubscription() {
    Store<Integer> store = newStore(0);
    reactor.core.publisher.Mono<Snapshot<Integer>> lazy = store.async().update("inc", n -> n + 1);
    assertThat(store.snapshot().version()).as("lazy: nothing before subscription").isZero();

    StepVerifier.create(lazy)
        .assertNext(s -> {
          assertThat(s.version()).isEqualTo(1);
          assertThat(s.state()).isEqualTo(1);
          assertThat(s.cause()).isEqualTo("inc");
        })
        .verifyComplete();
    assertThat(store.snapshot().version()).isEqualTo(1);
  }

  @Test
  void async_updateIfVersion_appliesOnTheExpectedVersion_andReportsAConflictOtherwise() {
    Store<Integer> store = newStore(0);
    store.update(n -> 5);

    StepVerifier.create(store.async().updateIfVersion(0, null, n -> 100))
        .assertNext(o -> {
          assertThat(o).isInstanceOf(Outcome.Conflict.class);
          assertThat(o.snapshot().version()).isEqualTo(1);
        })
        .verifyComplete();
    StepVerifier.create(store.async().updateIfVersion(1, "set", n -> n + 1))
        .assertNext(o -> {
          assertThat(o.applied()).isTrue();
          assertThat(o.snapshot().state()).isEqualTo(6);
        })
        .verifyComplete();
    assertThat(store.snapshot().state()).isEqualTo(6);
  }

  @Test
  void async_compareAndSetAndModify_behaveAsTheirSynchronousForms() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(store.async().compareAndSet(0, 7)).expectNext(true).verifyComplete();
    StepVerifier.create(store.async().compareAndSet(0, 9)).expectNext(false).verifyComplete();
    StepVerifier.create(store.async().modify(n -> Tuple.of(n + 1, "was " + n)))
        .expectNext("was 7")
        .verifyComplete();
    assertThat(store.snapshot().state()).isEqualTo(8);
    assertThat(store.snapshot().version()).isEqualTo(2);
  }

  @Test
  void async_update_failsAsTheSynchronousUpdateWould_andChangesNothing() {
    Store<Integer> store = track(createValidatedStore(0, "non-negative", n -> n >= 0));

    StepVerifier.create(store.async().update(n -> -1))
        .expectError(StateValidationException.class)
        .verify(TIMEOUT);
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void async_update_onANonBlockingThread_completes() {
    Store<Integer> store = newStore(0);

    StepVerifier.create(store.async().update(n -> n + 1)
            .subscribeOn(reactor.core.scheduler.Schedulers.parallel()))
        .assertNext(s -> assertThat(s.version()).isEqualTo(1))
        .verifyComplete();
  }

  // --- epoch ------------------------------------------------------------------------------------

  @Test
  void epoch_isSharedByTheVersionsOfOneStore_andNeverEmpty() {
    Store<Integer> store = newStore(0);
    String epoch = store.snapshot().epoch();
    Snapshot<Integer> v1 = store.update(n -> n + 1);
    Snapshot<Integer> v2 = store.update(n -> n + 1);

    assertThat(epoch).isNotEmpty();
    assertThat(v1.epoch()).isEqualTo(epoch);
    assertThat(v2.epoch()).isEqualTo(epoch);
    assertThat(store.snapshot().epoch()).isEqualTo(epoch);
  }

  @Test
  void epoch_ofAnotherNewStore_differs() {
    Store<Integer> a = newStore(0);
    Store<Integer> b = newStore(0);

    assertThat(a.snapshot().epoch()).isNotEqualTo(b.snapshot().epoch());
  }

  @Test
  void epoch_ofAnotherInstanceOfTheSameStore_isTheSame() {
    TypeRef<Integer> type = TypeRef.of(Integer.class);
    Store<Integer> store = track(createStore(type, 0));
    store.update(n -> n + 1);
    String epoch = store.snapshot().epoch();

    Store<Integer> other = track(reopen(store, type, 0));

    assertThat(other.snapshot().version()).isEqualTo(1);
    assertThat(other.snapshot().epoch()).isEqualTo(epoch);
  }

  // --- history capability -------------------------------------------------------------------

  private Store<Integer> historyStore(int size) {
    java.util.Optional<Store<Integer>> store = createStoreWithHistory(0, size);
    org.junit.jupiter.api.Assumptions.assumeTrue(store.isPresent(), "backend without history");
    return track(store.get());
  }

  @Test
  void history_absentForABackendWithout() {
    org.junit.jupiter.api.Assumptions.assumeTrue(createStoreWithHistory(0, 1).map(s -> {
      s.close();
      return false;
    }).orElse(true), "backend with history");
    assertThat(newStore(0).history()).isEmpty();
  }

  @Test
  void history_keepsTheLastVersions_oldestFirst() {
    Store<Integer> store = historyStore(3);
    for (int i = 0; i < 5; i++) {
      store.update(n -> n + 1);
    }
    History<Integer> h = store.history().orElseThrow();

    assertThat(h.versions().map(Snapshot::version)).containsExactly(3L, 4L, 5L);
    assertThat(h.at(4)).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(4));
    assertThat(h.at(2)).isEmpty();
    assertThat(h.at(6)).isEmpty();
  }

  @Test
  void history_undoAndRedo_areNewVersionsNamingWhoAsked() {
    Store<Integer> store = historyStore(5);
    store.update(n -> 1);
    store.update(n -> 2);
    History<Integer> h = store.history().orElseThrow();

    assertThat(h.canRedo()).isFalse();
    Snapshot<Integer> undone = h.undo("ann");
    assertThat(undone.version()).isEqualTo(3);
    assertThat(undone.state()).isEqualTo(1);
    assertThat(undone.cause()).isInstanceOfSatisfying(HistoryCause.Undo.class,
        c -> assertThat(c.by()).isEqualTo("ann"));
    assertThat(h.canRedo()).isTrue();
    Snapshot<Integer> redone = h.redo("bob");
    assertThat(redone.version()).isEqualTo(4);
    assertThat(redone.state()).isEqualTo(2);
    assertThat(store.snapshot().state()).isEqualTo(2);
  }

  @Test
  void history_undoWithNothingToUndo_returnsTheCurrentSnapshot() {
    Store<Integer> store = historyStore(5);

    assertThat(store.history().orElseThrow().canUndo()).isFalse();
    assertThat(store.history().orElseThrow().undo(null).version()).isZero();
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void history_undoIfVersion_conflictsOnAStaleVersion_andUndoesNothing() {
    Store<Integer> store = historyStore(5);
    store.update(n -> 1);
    store.update(n -> 2);
    History<Integer> h = store.history().orElseThrow();

    Outcome<Integer> stale = h.undoIfVersion(1, "ann");
    assertThat(stale).isInstanceOf(Outcome.Conflict.class);
    assertThat(store.snapshot().version()).isEqualTo(2);
    Outcome<Integer> current = h.undoIfVersion(2, "ann");
    assertThat(current.applied()).isTrue();
    assertThat(current.snapshot().state()).isEqualTo(1);
    assertThat(h.redoIfVersion(2, null)).isInstanceOf(Outcome.Conflict.class);
    assertThat(h.redoIfVersion(3, null).snapshot().state()).isEqualTo(2);
  }

  @Test
  void history_asyncUndoIfVersion_completesWithTheOutcome() {
    Store<Integer> store = historyStore(5);
    store.update(n -> 1);
    AsyncHistory<Integer> async = store.history().orElseThrow().async();

    StepVerifier.create(async.undoIfVersion(0, "ann"))
        .assertNext(o -> assertThat(o).isInstanceOf(Outcome.Conflict.class))
        .verifyComplete();
    StepVerifier.create(async.undoIfVersion(1, "ann")
            .subscribeOn(reactor.core.scheduler.Schedulers.parallel()))
        .assertNext(o -> {
          assertThat(o.applied()).isTrue();
          assertThat(o.snapshot().version()).isEqualTo(2);
          assertThat(o.snapshot().state()).isZero();
        })
        .verifyComplete();
    StepVerifier.create(async.redoIfVersion(2, null))
        .assertNext(o -> assertThat(o.snapshot().state()).isEqualTo(1))
        .verifyComplete();
  }

  @Test
  void history_versionsAfterAnUndo_shareTheStoreEpoch() {
    Store<Integer> store = historyStore(5);
    store.update(n -> 1);
    History<Integer> h = store.history().orElseThrow();
    h.undo(null);

    assertThat(store.snapshot().state()).isZero();
    assertThat(h.versions().last().version()).isEqualTo(2);
    assertThat(h.versions().last().epoch()).isEqualTo(store.snapshot().epoch());
  }
}
