package io.snapflux.store.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.store.Equivalence;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import io.vavr.collection.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** HistoryReplay reads an inspector export and replays it, one update per exported version. */
final class HistoryReplayTest {

  record Board(String title, List<String> items) {}

  private static final JsonMapper JSON = JsonMapper.builder().addModule(new VavrModule()).build();
  private static final TypeRef<Board> TYPE = TypeRef.of(Board.class);

  private static String export(String versions, long to) {
    return """
        {"format":"snapflux-history/1","store":"board","epoch":"e1","from":3,"to":%d,
         "base":{"title":"plan","items":["a"]},
         "versions":[%s]}
        """.formatted(to, versions);
  }

  private static final String TWO = """
      {"version":4,"time":"2026-12-01T10:00:00Z","cause":{"action":"rename","by":"bob"},
       "patch":[{"op":"replace","path":"/title","value":"ship"}]},
      {"version":5,"time":"2026-12-01T10:00:01Z","cause":"add b",
       "patch":[{"op":"add","path":"/items/1","value":"b"}]}
      """;

  @Test
  void replay_appliesEachVersionAsOneUpdateWithItsCause() {
    HistoryReplay replay = HistoryReplay.read(export(TWO, 5), JSON);
    assertThat(replay.store()).isEqualTo("board");
    assertThat(replay.epoch()).isEqualTo("e1");
    assertThat(replay.from()).isEqualTo(3);
    assertThat(replay.versions()).extracting(HistoryReplay.Version::version).containsExactly(4L, 5L);
    Store<Board> store = Store.builder(replay.base(TYPE)).history(10).build();

    Snapshot<Board> last = replay.replay(store, TYPE);

    assertThat(last.version()).isEqualTo(2);
    assertThat(last.state()).isEqualTo(new Board("ship", List.of("a", "b")));
    assertThat(last.cause()).isEqualTo("add b");
    assertThat(store.history().orElseThrow().at(1).orElseThrow().cause())
        .isEqualTo(Map.of("action", "rename", "by", "bob"));
  }

  @Test
  void replay_storeNotAtTheBase_failsAndChangesNothing() {
    HistoryReplay replay = HistoryReplay.read(export(TWO, 5), JSON);
    Store<Board> store = Store.of(new Board("other", List.of()));
    assertThatThrownBy(() -> replay.replay(store, TYPE))
        .isInstanceOf(AssertionError.class).hasMessageContaining("base state");
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void replay_emptyPatchUnderEquality_commitsNoVersion_failsNamingTheVersion() {
    String noop = """
        {"version":4,"time":"t","cause":null,"patch":[]}
        """;
    HistoryReplay replay = HistoryReplay.read(export(noop, 4), JSON);
    // Under equality an unchanged state commits no version, so the replay drifts: refused.
    Store<Board> store =
        Store.builder(replay.base(TYPE)).equivalence(Equivalence.equality()).build();
    assertThatThrownBy(() -> replay.replay(store, TYPE))
        .isInstanceOf(AssertionError.class).hasMessageContaining("exported version 4");
  }

  @Test
  void replay_patchThatDoesNotApply_failsNamingTheVersion() {
    String bad = """
        {"version":4,"time":"t","patch":[{"op":"remove","path":"/items/7"}]}
        """;
    HistoryReplay replay = HistoryReplay.read(export(bad, 4), JSON);
    Store<Board> store = Store.of(replay.base(TYPE));
    assertThatThrownBy(() -> replay.replay(store, TYPE))
        .isInstanceOf(AssertionError.class).hasMessageContaining("version 4 does not apply");
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void read_inconsistentExports_areRefusedNamingTheProblem() {
    assertThatThrownBy(() -> HistoryReplay.read(export(TWO, 5).replace("history/1", "x"), JSON))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format");
    assertThatThrownBy(() -> HistoryReplay.read(export(TWO, 6), JSON))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end at 5");
    assertThatThrownBy(() -> HistoryReplay.read(export(TWO.replace("\"version\":5", "\"version\":7"), 7), JSON))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without gaps");
    assertThatThrownBy(() -> HistoryReplay.read("{", JSON))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
  }
}
