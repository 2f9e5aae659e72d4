package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

final class ReplicaTest {

  @Test
  void advance_newerSnapshot_isInstalledAndStaleOneIgnored() {
    Replica<String> replica =
        Replica.of("r", Snapshot.of(5, "five", null, 0), Schedulers.parallel());

    assertThat(replica.advance(Snapshot.of(6, "six", "remote", 0))).isTrue();
    assertThat(replica.advance(Snapshot.of(6, "other six", null, 0))).isFalse();
    assertThat(replica.advance(Snapshot.of(3, "old", null, 0))).isFalse();

    assertThat(replica.snapshot().version()).isEqualTo(6);
    assertThat(replica.snapshot().state()).isEqualTo("six");
    assertThat(replica.snapshot().cause()).isEqualTo("remote");
  }

  @Test
  void changes_lossless_seesEveryVersionAndAJumpAsAGap() {
    Replica<Integer> replica = Replica.of("r", Snapshot.of(0, 0, null, 0), Schedulers.parallel());

    StepVerifier.create(replica.changes(Delivery.lossless(100)).map(Snapshot::version))
        .expectNext(0L)
        .then(() -> {
          replica.advance(Snapshot.of(1, 1, null, 0));
          replica.advance(Snapshot.of(2, 2, null, 0));
          replica.advance(Snapshot.of(7, 7, null, 0));
        })
        .expectNext(1L, 2L, 7L)
        .then(replica::close)
        .verifyComplete();
  }

  @Test
  void advance_afterClose_throws() {
    Replica<Integer> replica = Replica.of("r", Snapshot.of(0, 0, null, 0), Schedulers.parallel());
    replica.close();

    assertThatThrownBy(() -> replica.advance(Snapshot.of(1, 1, null, 0)))
        .isInstanceOf(StoreClosedException.class);
    assertThat(replica.isClosed()).isTrue();
  }

  @Test
  void builder_initialVersion_startsThere() {
    Store<String> store = Store.builder("restored").initialVersion(41).build();

    assertThat(store.snapshot().version()).isEqualTo(41);
    assertThat(store.update(s -> "next").version()).isEqualTo(42);
    assertThatThrownBy(() -> Store.builder("x").initialVersion(-1))
        .hasMessageContaining("initialVersion");
    StepVerifier.create(store.changes().map(Snapshot::version).take(1))
        .expectNext(42L).verifyComplete();
    store.close();
  }

  @Test
  void options_startingAt_keepsOptionsAndStartsExactlyAtTheSnapshot() {
    StoreBuilder<Integer> options = Store.builder(0).name("restored")
        .validator("non-negative", n -> n >= 0).history(5);
    Snapshot<Integer> persisted = Snapshot.of(17, 42, "persisted cause", 1_000L);

    Store<Integer> store = Backend.memory().create(options.options().startingAt(persisted));

    assertThat(store.snapshot()).isEqualTo(persisted);
    assertThat(store.name()).isEqualTo("restored");
    assertThatThrownBy(() -> store.update(n -> -1)).isInstanceOf(StateValidationException.class);
    store.update(n -> n + 1);
    assertThat(store.history().orElseThrow().undo(null).state()).isEqualTo(42);
    assertThat(options.options().initial()).isZero();
  }
}
