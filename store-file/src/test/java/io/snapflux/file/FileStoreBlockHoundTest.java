package io.snapflux.file;

import static io.snapflux.store.BlockHoundSupport.blockingCalls;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.store.BlockHoundSupport;
import io.snapflux.store.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * A file store never blocks a Reactor non-blocking thread: reactive durable commits, ASYNC
 * updates and subscriptions run on {@code parallel} under BlockHound; a SYNC blocking update
 * there is refused before it could block. Runs in its own forked JVM (surefire execution {@code
 * blockhound}), like store-core's BlockHound test.
 */
@Tag("blockhound")
final class FileStoreBlockHoundTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @BeforeAll
  static void installBlockHound() {
    BlockHoundSupport.install();
  }

  @AfterEach
  void noBlockingCalls() {
    assertThat(blockingCalls()).isEmpty();
  }

  @Test
  void blockHound_sleepOnParallelThread_isDetected() {
    BlockHoundSupport.assertSleepOnParallelIsDetected(TIMEOUT);
  }

  @Test
  void sync_asyncUpdateFromManyParallelSubscribers_neverBlocks() {
    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir).build()) {
      Flux<Snapshot<Integer>> commits = Flux.range(0, 200)
          .flatMap(i -> store.async().update(n -> n + 1).subscribeOn(Schedulers.parallel()));

      StepVerifier.create(commits.map(Snapshot::version).reduce(Math::max))
          .expectNext(200L)
          .verifyComplete();
      StepVerifier.create(store.durableChanges().filter(s -> s.version() == 200).next()
              .subscribeOn(Schedulers.parallel()))
          .expectNextCount(1)
          .verifyComplete();
      assertThat(store.durableVersion()).isEqualTo(200);
    }
  }

  @Test
  void sync_asyncConditionalWritesAndAsyncUndo_onParallel_neverBlockAndAreDurable() {
    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir)
        .storeOptions(b -> b.history(10)).build()) {
      Mono<Long> writes = store.async().updateIfVersion(0, "cond", n -> n + 1)
          .subscribeOn(Schedulers.parallel())
          .then(store.async().compareAndSet(1, 5).subscribeOn(Schedulers.parallel()))
          .then(store.history().orElseThrow().async().undoIfVersion(2, "ann")
              .subscribeOn(Schedulers.parallel()))
          .map(o -> o.snapshot().version());

      StepVerifier.create(writes).expectNext(3L).verifyComplete();
      assertThat(store.durableVersion()).as("acknowledged means durable (SYNC)").isEqualTo(3);
      assertThat(store.snapshot().state()).isEqualTo(1);
    }
  }

  @Test
  void sync_blockingUpdateOnParallel_isRefusedNotBlocked() {
    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir).build()) {
      StepVerifier.create(Mono.fromCallable(() -> store.update(n -> n + 1))
              .subscribeOn(Schedulers.parallel()))
          .expectError(IllegalStateException.class)
          .verify(TIMEOUT);
    }
  }

  @Test
  void async_updatesAndSubscriptionsOnParallel_neverBlock() {
    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir)
        .durability(Durability.ASYNC).flushInterval(Duration.ofMillis(10)).build()) {
      Mono<Long> updates = Flux.range(0, 200)
          .flatMap(i -> Mono.fromCallable(() -> i % 2 == 0
              ? store.update(n -> n + 1).version()
              : store.modify(n -> io.vavr.Tuple.of(n + 1, 0L)))
              .subscribeOn(Schedulers.parallel()))
          .then(Mono.fromCallable(() -> store.snapshot().version()))
          .flatMap(v -> ((JournaledStore<?>) store).awaitDurable(v));

      StepVerifier.create(updates).expectNext(200L).verifyComplete();
    }
  }
}
