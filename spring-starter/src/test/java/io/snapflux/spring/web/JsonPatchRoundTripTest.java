package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.flipkart.zjsonpatch.Jackson3JsonDiff;
import com.flipkart.zjsonpatch.Jackson3JsonPatch;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Patch library the SSE {@code patch} events use (zjsonpatch 0.6, on Jackson 3): for
 * generated documents {@code a} and {@code b}, applying {@code diff(a, b)} to {@code a} gives
 * {@code b}, and leaves {@code a} itself unchanged.
 */
final class JsonPatchRoundTripTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void diffApplied_toGeneratedDocuments_givesTheTarget() {
    Random random = new Random(12);
    for (int i = 0; i < 500; i++) {
      JsonNode a = document(random, 3);
      JsonNode b = random.nextInt(4) == 0 ? a.deepCopy() : mutate(random, a.deepCopy(), 3);
      JsonNode before = a.deepCopy();

      JsonNode patch = Jackson3JsonDiff.asJson(a, b);

      assertThat(Jackson3JsonPatch.apply(patch, a)).as("document %d, patch %s", i, patch)
          .isEqualTo(b);
      assertThat(a).as("apply copies").isEqualTo(before);
    }
  }

  private static JsonNode document(Random random, int depth) {
    ObjectNode object = NODES.objectNode();
    int fields = random.nextInt(5);
    for (int f = 0; f < fields; f++) {
      object.set("k" + random.nextInt(6), value(random, depth - 1));
    }
    return object;
  }

  private static JsonNode value(Random random, int depth) {
    int kind = random.nextInt(depth <= 0 ? 4 : 6);
    return switch (kind) {
      case 0 -> NODES.numberNode(random.nextInt(10));
      case 1 -> NODES.stringNode("s" + random.nextInt(5));
      case 2 -> NODES.booleanNode(random.nextBoolean());
      case 3 -> NODES.nullNode();
      case 4 -> document(random, depth);
      default -> {
        ArrayNode array = NODES.arrayNode();
        int items = random.nextInt(5);
        for (int i = 0; i < items; i++) {
          array.add(value(random, depth - 1));
        }
        yield array;
      }
    };
  }

  /** Adds, removes, replaces or moves around a few members and elements of {@code node}. */
  private static JsonNode mutate(Random random, JsonNode node, int depth) {
    if (node instanceof ObjectNode object) {
      if (random.nextBoolean()) {
        object.set("k" + random.nextInt(8), value(random, depth - 1));
      }
      if (!object.isEmpty() && random.nextBoolean()) {
        object.remove(object.propertyNames().iterator().next());
      }
      for (String name : java.util.List.copyOf(object.propertyNames())) {
        if (random.nextInt(3) == 0) {
          object.set(name, mutate(random, object.get(name), depth - 1));
        }
      }
      return object;
    }
    if (node instanceof ArrayNode array) {
      if (random.nextBoolean()) {
        array.insert(random.nextInt(array.size() + 1), value(random, depth - 1));
      }
      if (!array.isEmpty() && random.nextBoolean()) {
        array.remove(random.nextInt(array.size()));
      }
      return array;
    }
    return random.nextBoolean() ? value(random, depth - 1) : node;
  }
}
