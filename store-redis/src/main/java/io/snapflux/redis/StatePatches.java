package io.snapflux.redis;

import com.flipkart.zjsonpatch.Jackson3JsonDiff;
import com.flipkart.zjsonpatch.Jackson3JsonPatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON Patches (RFC 6902, zjsonpatch on Jackson 3) between two encoded states, for stream entries
 * that carry a delta instead of the full state. Works on the codec's bytes, so only for codecs
 * that write JSON: {@link #diff} throws on anything else and the writer then sends full states.
 */
final class StatePatches {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private StatePatches() {}

  /**
   * The patch from {@code from} to {@code to}, both JSON.
   *
   * @throws tools.jackson.core.JacksonException if either is not JSON
   */
  static byte[] diff(byte[] from, byte[] to) {
    return MAPPER.writeValueAsBytes(Jackson3JsonDiff.asJson(MAPPER.readTree(from), MAPPER.readTree(to)));
  }

  /**
   * {@code patch} applied to {@code base}, as JSON bytes.
   *
   * @throws RuntimeException if the patch is not JSON or does not apply to the base
   */
  static byte[] apply(byte[] base, byte[] patch) {
    JsonNode next = Jackson3JsonPatch.apply(MAPPER.readTree(patch), MAPPER.readTree(base));
    return MAPPER.writeValueAsBytes(next);
  }
}
