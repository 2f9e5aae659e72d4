package io.snapflux.spring.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The conflict rule of revert: which pairs of changed paths conflict. */
final class InspectorRevertTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static Inspector.Touch touch(String op, String path, String from, String to) {
    JsonNode patch = JSON.readTree("[{\"op\":\"" + op + "\",\"path\":\"" + path + "\"}]");
    List<Inspector.Touch> touches = new ArrayList<>();
    Inspector.touches(patch, touches, JSON.readTree(from), JSON.readTree(to));
    return touches.get(0);
  }

  private static final String DOC = "{\"a\":{\"b\":1,\"c\":2},\"items\":[{\"n\":1},{\"n\":2},{\"n\":3}],"
      + "\"byId\":{\"0\":\"x\",\"1\":\"y\"}}";

  @Test
  void samePath_parent_child_conflict() {
    Inspector.Touch b = touch("replace", "/a/b", DOC, DOC);
    assertThat(b.conflictsWith(touch("replace", "/a/b", DOC, DOC))).isTrue();
    assertThat(b.conflictsWith(touch("replace", "/a", DOC, DOC))).isTrue();
    assertThat(touch("replace", "/a", DOC, DOC).conflictsWith(b)).isTrue();
    assertThat(b.conflictsWith(touch("remove", "", DOC, DOC))).isTrue();
  }

  @Test
  void siblings_andPrefixesOfNames_doNotConflict() {
    Inspector.Touch b = touch("replace", "/a/b", DOC, DOC);
    assertThat(b.conflictsWith(touch("replace", "/a/c", DOC, DOC))).isFalse();
    assertThat(touch("replace", "/a/b", DOC, DOC)
        .conflictsWith(touch("replace", "/a/bb", DOC, DOC))).isFalse();
    assertThat(touch("replace", "/items/0/n", DOC, DOC)
        .conflictsWith(touch("replace", "/items/2/n", DOC, DOC))).isFalse();
  }

  @Test
  void insertOrRemoveInAnArray_conflictsWithEveryChangeInsideIt() {
    Inspector.Touch removeFirst = touch("remove", "/items/0", DOC, DOC);
    assertThat(removeFirst.shiftedArray()).containsExactly("items");
    assertThat(removeFirst.conflictsWith(touch("replace", "/items/2/n", DOC, DOC))).isTrue();
    assertThat(touch("replace", "/items/2/n", DOC, DOC).conflictsWith(removeFirst)).isTrue();
    assertThat(touch("add", "/items/-", DOC, DOC)
        .conflictsWith(touch("replace", "/items/1", DOC, DOC))).isTrue();
    assertThat(removeFirst.conflictsWith(touch("replace", "/a/b", DOC, DOC))).isFalse();
  }

  @Test
  void numericKeysOfAnObject_areNoArray() {
    Inspector.Touch remove = touch("remove", "/byId/0", DOC, DOC);
    assertThat(remove.shiftedArray()).isNull();
    assertThat(remove.conflictsWith(touch("replace", "/byId/1", DOC, DOC))).isFalse();
  }

  @Test
  void pointers_unescapeTokens_andRejectNonPointers() {
    assertThat(Inspector.segments("/a~1b/c~0d/")).containsExactly("a/b", "c~d", "");
    assertThat(Inspector.segments("")).isEmpty();
    assertThatThrownBy(() -> Inspector.segments("a")).isInstanceOf(IllegalArgumentException.class);
  }
}
