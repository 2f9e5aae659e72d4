package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Lossless delivery from rings when writers are delayed between their CAS and their ring write
 * (simulated: the test CASes heads itself and never publishes them), and when a replica's
 * version jumps.
 */
final class RingDeliveryTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The store's private HEAD handle: a writer that CASes and is then preempted for good. */
  private static final VarHandle HEAD;

  static {
    try {
      HEAD = MethodHandles.privateLookupIn(AtomicStore.class, MethodHandles.lookup())
          .findVarHandle(AtomicStore.class, "head", Snapshot.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static <S> void casAndStall(AtomicStore<S> store, S state) {
    Snapshot<S> current = store.head();
    Snapshot<S> next = new Snapshot<>(current.version() + 1, state, null, 0,
        current.epoch, current.seq + 1, current.undo, current);
    assertThat(HEAD.compareAndSet(store, current, next)).isTrue();
  }

  @Test
  void manyWritersStalledAfterTheirCas_losslessSubscriberStillGetsEveryVersionInOrder() {
    AtomicStore<Integer> store = (AtomicStore<Integer>) Store.builder(0)
        .deliverOn(Schedulers.immediate()).build();
    Recorder<Integer> sub = Recorder.unbounded();
    store.changes(Delivery.lossless(200)).subscribe(sub);

    for (int i = 1; i <= 100; i++) {
      casAndStall(store, i); // 100 writers preempted between CAS and ring write
    }
    store.update(n -> n + 1); // version 101: its writer helps every stalled predecessor

    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> sub.versions().size() == 102);
    assertThat(sub.versions())
        .containsExactlyElementsOf(LongStream.rangeClosed(0, 101).boxed().toList());
    assertThat(sub.violations()).isEmpty();
  }

  @Test
  void writersStalledAfterTheirCas_historyAndAtStillSeeTheirVersions() {
    AtomicStore<Integer> store = (AtomicStore<Integer>) Store.builder(0).history(8).build();
    casAndStall(store, 1);
    casAndStall(store, 2);

    assertThat(store.history().orElseThrow().at(1)).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(1));
    assertThat(store.history().orElseThrow().versions().map(Snapshot::version)).containsExactly(0L, 1L, 2L);
    store.update(n -> n + 1);
    assertThat(store.history().orElseThrow().versions().map(Snapshot::version)).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void replicaVersionJumpLargerThanMaxLag_losslessSubscriberSeesTheGapWithoutError() {
    Replica<Integer> replica = Replica.of("jump", Snapshot.of(0, 0, null, 0),
        Schedulers.immediate());
    StepVerifier.create(replica.changes(Delivery.lossless(4)))
        .expectNextMatches(s -> s.version() == 0)
        .then(() -> replica.advance(Snapshot.of(1, 1, null, 0)))
        .expectNextMatches(s -> s.version() == 1)
        .then(() -> replica.advance(Snapshot.of(1_000, 2, null, 0)))
        .expectNextMatches(s -> s.version() == 1_000)
        .then(() -> replica.advance(Snapshot.of(1_001, 3, null, 0)))
        .expectNextMatches(s -> s.version() == 1_001)
        .then(replica::close)
        .verifyComplete();
  }
}
