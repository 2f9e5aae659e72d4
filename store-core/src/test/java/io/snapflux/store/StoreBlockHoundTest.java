package io.snapflux.store;

import static io.snapflux.store.BlockHoundSupport.blockingCalls;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Nothing in the store blocks a non-blocking thread: subscribing, updating (contended, through
 * the backoff), closing and delivering on Reactor's parallel and single schedulers, under
 * BlockHound.
 *
 * <p>Runs in a forked JVM of its own (surefire execution {@code blockhound}, tag {@code
 * blockhound}), because BlockHound instruments the JDK for the rest of the JVM's life and needs
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods} on JDK 13+. The test's own waiting ({@code
 * block()}, StepVerifier) happens on the JUnit thread, which BlockHound allows to block.
 */
@Tag("blockhound")
final class StoreBlockHoundTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @BeforeAll
  static void installBlockHound() {
    BlockHoundSupport.install();
  }

  @AfterEach
  void clearBlockingCalls() {
    BlockHoundSupport.clearBlockingCalls();
  }

  @Test
  void blockHound_sleepOnParallelThread_isDetected() {
    BlockHoundSupport.assertSleepOnParallelIsDetected(TIMEOUT);
  }

  @Test
  void subscribeUpdateClose_onParallelAndSingle_neverBlock() {
    for (Scheduler scheduler : List.of(Schedulers.parallel(), Schedulers.single())) {
      Store<Integer> store = Store.builder(0).deliverOn(scheduler).build();
      // Subscribed on the scheduler, delivered on its workers.
      StepVerifier conflated = StepVerifier.create(
              store.changes().map(Snapshot::version).subscribeOn(scheduler).last())
          .expectNext(200L)
          .expectComplete()
          .verifyLater();
      StepVerifier lossless = StepVerifier.create(
              store.changes(Delivery.lossless(1_000)).map(Snapshot::version)
                  .subscribeOn(scheduler).collectList())
          .assertNext(versions -> {
            assertThat(versions).last().isEqualTo(200L);
            assertThat(versions).isSortedAccordingTo(Long::compare);
            assertThat(versions).hasSize((int) (201 - versions.get(0)));
          })
          .expectComplete()
          .verifyLater();

      // Updated and closed from a task on the scheduler.
      Mono.fromRunnable(() -> {
        for (int i = 0; i < 200; i++) {
          store.update(s -> s + 1);
        }
        store.close();
      }).subscribeOn(scheduler).block(TIMEOUT);

      conflated.verify(TIMEOUT);
      lossless.verify(TIMEOUT);
      // A subscriber of the closed store gets the final value and completion, on the scheduler.
      StepVerifier.create(store.select(s -> s / 10).subscribeOn(scheduler))
          .expectNext(20)
          .expectComplete()
          .verify(TIMEOUT);
    }
    assertThat(blockingCalls()).isEmpty();
  }

  @Test
  void contendedUpdates_onParallelThreadsWithBackoff_neverBlock() {
    // No plain spins: every lost race goes through the randomized exponential backoff.
    Store<Long> store = Store.builder(0L).backoff(new Backoff(0, 6)).build();
    int writers = Math.max(4, Schedulers.DEFAULT_POOL_SIZE * 2);
    int perWriter = 20_000;
    AtomicLong lastSeen = new AtomicLong(-1);
    store.changes().subscribeOn(Schedulers.parallel())
        .subscribe(s -> lastSeen.accumulateAndGet(s.version(), Math::max));

    Flux.range(0, writers)
        .flatMap(w -> Mono.fromRunnable(() -> {
          for (int i = 0; i < perWriter; i++) {
            store.update(s -> s + 1);
          }
        }).subscribeOn(Schedulers.parallel()))
        .then(Mono.fromRunnable(store::close).subscribeOn(Schedulers.single()))
        .block(TIMEOUT);

    long total = (long) writers * perWriter;
    assertThat(store.snapshot().state()).isEqualTo(total);
    assertThat(store.stats().casRetries())
        .as("the writers really contended, so the backoff ran")
        .isPositive();
    StepVerifier.create(store.changes().map(Snapshot::version)).expectNext(total)
        .expectComplete().verify(TIMEOUT);
    assertThat(blockingCalls()).isEmpty();
  }

  @Test
  void awaitVersionAndUpdateFromSubscriber_onParallel_neverBlock() {
    Store<Integer> store = Store.of(0);
    // A subscriber that updates the store from onNext (reentrancy), on a delivery worker.
    store.changes().subscribeOn(Schedulers.parallel())
        .takeWhile(s -> s.state() < 50)
        .subscribe(s -> store.update(x -> x < 50 ? x + 1 : x));

    StepVerifier.create(Stores.awaitVersion(store, 50).subscribeOn(Schedulers.parallel()))
        .assertNext(s -> assertThat(s.state()).isEqualTo(50))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(blockingCalls()).isEmpty();
  }

  @Test
  void asyncWritesAndAsyncUndo_onParallel_neverBlockAndCompleteWithoutAThreadHop() {
    Store<Integer> store = Store.builder(0).history(10).build();
    java.util.Set<String> completedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.Set<String> subscribedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Mono<Long> writes = Flux.range(0, 100)
        .flatMap(i -> Mono.defer(() -> {
              subscribedOn.add(Thread.currentThread().getName());
              return store.async().update(n -> n + 1);
            })
            .doOnNext(s -> completedOn.add(Thread.currentThread().getName()))
            .subscribeOn(Schedulers.parallel()))
        .then(store.async().updateIfVersion(100, "cond", n -> n + 1)
            .subscribeOn(Schedulers.parallel()))
        .then(store.async().compareAndSet(101, 500).subscribeOn(Schedulers.parallel()))
        .then(store.history().orElseThrow().async().undoIfVersion(102, "ann")
            .subscribeOn(Schedulers.parallel()))
        .map(o -> o.snapshot().version());

    StepVerifier.create(writes).expectNext(103L).expectComplete().verify(TIMEOUT);
    assertThat(store.snapshot().state()).isEqualTo(101);
    assertThat(completedOn).as("memory completes on the subscribing thread")
        .isSubsetOf(subscribedOn);
    assertThat(blockingCalls()).isEmpty();
  }
}
