package io.snapflux.redis;

import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.store.HistoryCause;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a commit's cause travels in a stream entry (field {@code c}): as JSON, encoded as the
 * Spring starter's SSE events encode causes (strings, numbers, booleans, records and enums as
 * their JSON; anything else as its {@code toString()} in a JSON string). Undo and redo causes
 * ({@link HistoryCause}) carry a marker field so every instance reads them back as {@link
 * HistoryCause} again: undo and redo are derived from them (see {@link RedisStore}).
 *
 * <p>Decoding: a JSON string becomes a {@link String}, a {@link HistoryCause} its record (with
 * {@code by} decoded the same way), anything else a Jackson {@link JsonNode} tree. Bytes that
 * are not JSON (written by a version that stored {@code toString()}) become that text.
 */
final class CauseJson {

  /** The marker field of an undo or redo cause: {@code "undo"} or {@code "redo"}. */
  static final String HISTORY = "@snapflux";

  private static final JsonMapper MAPPER =
      JsonMapper.builder().findAndAddModules().addModule(new VavrModule()).build();

  private CauseJson() {}

  /**
   * Initializes this class (its mapper finds Jackson modules through {@code ServiceLoader}, which
   * reads jar files): called when a store is built, so that it never happens on the first commit,
   * which may run on a non-blocking (Reactor) thread.
   */
  static void load() {
    // Calling a static method runs the static initializer once; nothing else to do.
  }

  /** The cause as JSON bytes. */
  static byte[] encode(Object cause) {
    return MAPPER.writeValueAsBytes(tree(cause));
  }

  private static JsonNode tree(@Nullable Object cause) {
    if (cause == null) {
      return MAPPER.getNodeFactory().nullNode();
    }
    if (cause instanceof HistoryCause h) {
      ObjectNode node = MAPPER.createObjectNode();
      if (h instanceof HistoryCause.Undo u) {
        node.put(HISTORY, "undo");
        node.put("undoneVersion", u.undoneVersion());
      } else {
        node.put(HISTORY, "redo");
      }
      node.put("restoredVersion", h.restoredVersion());
      node.set("by", tree(h.by()));
      return node;
    }
    if (cause instanceof JsonNode node) {
      return node;
    }
    if (cause instanceof CharSequence || cause instanceof Number || cause instanceof Boolean
        || cause instanceof Record || cause instanceof Enum<?>) {
      try {
        return MAPPER.valueToTree(cause);
      } catch (IllegalArgumentException | JacksonException e) {
        // fall through: an unserializable cause is still worth its text
      }
    }
    return MAPPER.getNodeFactory().stringNode(cause.toString());
  }

  /** The cause read back from {@link #encode(Object)}'s bytes (or an older entry's text). */
  static @Nullable Object decode(byte[] bytes) {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return value(node);
  }

  private static @Nullable Object value(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isString()) {
      return node.asString();
    }
    if (node.isObject() && node.get(HISTORY) != null && node.get("restoredVersion") != null) {
      String kind = node.get(HISTORY).asString();
      long restored = node.get("restoredVersion").asLong();
      Object by = value(node.get("by"));
      if ("undo".equals(kind) && node.get("undoneVersion") != null) {
        return new HistoryCause.Undo(node.get("undoneVersion").asLong(), restored, by);
      }
      if ("redo".equals(kind)) {
        return new HistoryCause.Redo(restored, by);
      }
    }
    return node;
  }
}
