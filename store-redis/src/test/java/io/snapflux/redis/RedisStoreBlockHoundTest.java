package io.snapflux.redis;

import static io.snapflux.store.BlockHoundSupport.blockingCalls;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.snapflux.store.BlockHoundSupport;
import io.snapflux.store.Delivery;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Stores;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The reactive write path never blocks a non-blocking thread, neither Reactor's parallel
 * scheduler (where the first attempt runs when subscribed there) nor Lettuce's Netty event loops
 * (where retries, decoding and read-your-writes run), even under contention between two
 * instances. Runs in a forked JVM of its own (surefire execution {@code blockhound}).
 */
@Tag("blockhound")
final class RedisStoreBlockHoundTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static RedisServerProcess server;

  @BeforeAll
  static void installBlockHound() throws IOException {
    BlockHoundSupport.install();
    server = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    server.stop();
  }

  @Test
  void blockHound_sleepOnParallelThread_isDetected() {
    BlockHoundSupport.assertSleepOnParallelIsDetected(TIMEOUT);
  }

  @Test
  void asyncWrites_contendedByTwoInstances_neverBlock() {
    String name = "blockhound-" + UUID.randomUUID();
    try (RedisStore<Integer> a = instance(name); RedisStore<Integer> b = instance(name)) {
      StepVerifier lossless = StepVerifier.create(b.changes(Delivery.lossless(1_000))
              .map(Snapshot::version).takeUntil(v -> v == 400).count())
          .expectNext(401L)
          .expectComplete()
          .verifyLater();

      Flux<Snapshot<Integer>> writes = Flux.merge(
          Flux.range(0, 200).concatMap(i -> a.async().update(n -> n + 1))
              .subscribeOn(Schedulers.parallel()),
          Flux.range(0, 200).concatMap(i -> b.async().update(n -> n + 1))
              .subscribeOn(Schedulers.parallel()));
      // A's replica reaches B's last commit through the stream, shortly after B's write returns.
      StepVerifier.create(writes.then(Stores.awaitVersion(a, 400)).map(Snapshot::state))
          .expectNext(400)
          .verifyComplete();
      StepVerifier.create(b.async().compareAndSet(400, 1_000).subscribeOn(Schedulers.parallel()))
          .expectNext(true)
          .verifyComplete();
      StepVerifier.create(a.async().updateIfVersion(0, null, n -> n).subscribeOn(Schedulers.parallel()))
          .assertNext(o -> assertThat(o).isInstanceOf(Outcome.Conflict.class))
          .verifyComplete();
      lossless.verify(TIMEOUT);
    }
    assertThat(blockingCalls()).isEmpty();
  }

  @Test
  void asyncUndoAndRedo_contendedByTwoInstances_neverBlock() {
    String name = "blockhound-history-" + UUID.randomUUID();
    try (RedisStore<Integer> a = instance(name, 50); RedisStore<Integer> b = instance(name, 50)) {
      // A writes; B undoes at whatever version it saw, often behind A: conflicts, re-planning on
      // a base filled in from the stream (on Lettuce's event loop), and the undo's commit.
      Flux<Object> writes = Flux.merge(
          Flux.range(0, 100).concatMap(i -> a.async().update(n -> n + 1))
              .subscribeOn(Schedulers.parallel()),
          Flux.range(0, 100).concatMap(i -> Mono.defer(() -> b.history().orElseThrow().async()
                  .undoIfVersion(b.snapshot().version(), "b")))
              .subscribeOn(Schedulers.parallel()));
      StepVerifier.create(writes.then()).verifyComplete();
      long v = a.snapshot().version();
      StepVerifier.create(Stores.awaitVersion(b, v).then(Mono.defer(() ->
              b.history().orElseThrow().async().redoIfVersion(b.snapshot().version(), null)))
              .subscribeOn(Schedulers.parallel()))
          .assertNext(o -> assertThat(o.snapshot().version()).isGreaterThanOrEqualTo(v))
          .verifyComplete();
    }
    assertThat(blockingCalls()).isEmpty();
  }

  private static RedisStore<Integer> instance(String name) {
    return instance(name, 0);
  }

  private static RedisStore<Integer> instance(String name, int history) {
    return RedisStore.builder(name, 0)
        .history(history)
        .uri(RedisURI.create(server.uri()))
        .type(Integer.class)
        .deliverOn(Schedulers.parallel())
        .writeTimeout(Duration.ofSeconds(20))
        .build();
  }
}
