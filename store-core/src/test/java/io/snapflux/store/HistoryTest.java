package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

final class HistoryTest {

  @Test
  void history_keepsTheLastNSnapshotsOldestFirst() {
    Store<Integer> store = Store.builder(0).history(3).build();
    for (int i = 0; i < 5; i++) {
      store.update(n -> n + 1);
    }

    assertThat(store.history().orElseThrow().versions().map(Snapshot::version)).containsExactly(3L, 4L, 5L);
    assertThat(store.history().orElseThrow().at(4)).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(4));
    assertThat(store.history().orElseThrow().at(2)).isEmpty();
    assertThat(store.history().orElseThrow().at(6)).isEmpty();
  }

  @Test
  void history_withoutHistoryEnabled_isAbsentByType() {
    Store<Integer> store = Store.of(0);
    store.update(n -> n + 1);

    assertThat(store.history()).isEmpty();
    assertThat(Store.builder(0).history(0).build().history()).isEmpty();
    assertThat(Store.builder(0).history(1).build().history()).isPresent();
  }

  @Test
  void undo_isANewVersionWithThePreviousStateAndAnUndoCause() {
    Store<String> store = Store.builder("a").history(10).build();
    store.update(s -> "b");
    store.update(s -> "c");

    Snapshot<String> undone = store.history().orElseThrow().undo(null);

    assertThat(undone.version()).isEqualTo(3);
    assertThat(undone.state()).isEqualTo("b");
    assertThat(undone.cause()).isEqualTo(new HistoryCause.Undo(2, 1));
    assertThat(store.history().orElseThrow().undo(null).state()).isEqualTo("a");
    assertThat(store.history().orElseThrow().canUndo()).isFalse();
    assertThat(store.history().orElseThrow().undo(null).version()).as("nothing left to undo: no new version").isEqualTo(4);
  }

  @Test
  void undoAndRedoIfVersion_withBy_recordWhoAskedInTheCause() {
    Store<String> store = Store.builder("a").history(10).build();
    store.update(s -> "b");

    Outcome<String> undone = store.history().orElseThrow().undoIfVersion(1, "alice");
    assertThat(undone.applied()).isTrue();
    assertThat(undone.snapshot().cause()).isEqualTo(new HistoryCause.Undo(1, 0, "alice"));
    assertThat(((HistoryCause) undone.snapshot().cause()).by()).isEqualTo("alice");

    Outcome<String> redone = store.history().orElseThrow().redoIfVersion(2, "bob");
    assertThat(redone.snapshot().cause()).isEqualTo(new HistoryCause.Redo(1, "bob"));
    assertThat(redone.snapshot().state()).isEqualTo("b");

    assertThat(store.history().orElseThrow().undoIfVersion(0, "carol").applied()).isFalse();
    assertThat(store.snapshot().version()).isEqualTo(3);
    assertThat(((HistoryCause) store.history().orElseThrow().undo(null).cause()).by()).isNull();
  }

  @Test
  void redo_restoresTheUndoneStateAndAnUpdateClearsRedo() {
    Store<String> store = Store.builder("a").history(10).build();
    store.update(s -> "b");
    store.history().orElseThrow().undo(null);

    Snapshot<String> redone = store.history().orElseThrow().redo(null);

    assertThat(redone.state()).isEqualTo("b");
    assertThat(redone.version()).isEqualTo(3);
    assertThat(redone.cause()).isEqualTo(new HistoryCause.Redo(1));
    store.history().orElseThrow().undo(null);
    assertThat(store.history().orElseThrow().canRedo()).isTrue();
    store.update(s -> "x");
    assertThat(store.history().orElseThrow().canRedo()).isFalse();
    assertThat(store.history().orElseThrow().redo(null).state()).isEqualTo("x");
  }

  @Test
  void undo_isValidatedLikeAnyChange() {
    boolean[] strict = {false};
    Store<Integer> store = Store.builder(1).history(5)
        .validator("no going back below 2 once strict", n -> !strict[0] || n >= 2).build();
    store.update(n -> 2);
    strict[0] = true;

    assertThatThrownBy(() -> store.history().orElseThrow().undo(null)).isInstanceOf(StateValidationException.class);
    assertThat(store.snapshot().state()).isEqualTo(2);
  }

  @Test
  void history_isPerStore() {
    Store<Integer> a = Store.builder(0).history(5).build();
    Store<Integer> b = Store.builder(100).history(5).build();
    a.update(n -> 1);
    b.update(n -> 101);

    a.history().orElseThrow().undo(null);

    assertThat(a.snapshot().state()).isZero();
    assertThat(b.snapshot().state()).isEqualTo(101);
    assertThat(b.history().orElseThrow().versions().map(Snapshot::state)).containsExactly(100, 101);
  }

  @Test
  void undoAndRedo_reachLosslessSubscribersAsOrdinaryVersions() {
    Store<Integer> store = Store.builder(0).history(5).build();

    StepVerifier.create(store.changes(Delivery.lossless(10)).map(Snapshot::state))
        .expectNext(0)
        .then(() -> store.update(n -> 7))
        .expectNext(7)
        .then(() -> store.history().orElseThrow().undo(null))
        .expectNext(0)
        .then(() -> store.history().orElseThrow().redo(null))
        .expectNext(7)
        .then(store::close)
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void builder_invalidHistorySize_isRejected() {
    assertThatThrownBy(() -> Store.builder(0).history(-1)).hasMessageContaining("history size");
  }

  @Test
  void undoIfVersion_currentVersion_undoes_staleVersion_conflictsAndChangesNothing() {
    Store<String> store = Store.builder("a").history(10).build();
    store.update(s -> "b");
    store.update(s -> "c");

    Outcome<String> stale = store.history().orElseThrow().undoIfVersion(1, null);
    assertThat(stale.applied()).isFalse();
    assertThat(stale.snapshot().version()).isEqualTo(2);
    assertThat(store.snapshot().state()).isEqualTo("c");

    Outcome<String> undone = store.history().orElseThrow().undoIfVersion(2, null);
    assertThat(undone.applied()).isTrue();
    assertThat(undone.snapshot().state()).isEqualTo("b");
    assertThat(store.history().orElseThrow().redoIfVersion(3, null).snapshot().state()).isEqualTo("c");
    assertThat(store.stats().versionConflicts()).isEqualTo(1);
  }
}
