package io.snapflux.spring.web;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.ObjectMapper;

/**
 * Options of {@link StoreSse}: the heartbeat period and whether changes are sent as JSON Patch
 * deltas. Immutable; start from {@link #defaults()}.
 *
 * <pre>{@code
 * SseOptions options = SseOptions.defaults()
 *     .withHeartbeat(Duration.ofSeconds(5))
 *     .withJsonPatch(objectMapper);
 * }</pre>
 *
 * @param heartbeat how often a comment line is sent to keep idle connections (and the proxies
 *     between) open; {@link Duration#ZERO} sends none
 * @param jsonPatchMapper when not {@code null}, changes after the first event are sent as RFC 6902
 *     JSON Patch deltas computed on trees made with this (Jackson 3) mapper (needs {@code
 *     io.github.vishwakarma:zjsonpatch} 0.6 or later on the class path)
 */
public record SseOptions(Duration heartbeat, @Nullable ObjectMapper jsonPatchMapper) {

  /** The default heartbeat period: 15 seconds. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);

  /** Checks the values. */
  public SseOptions {
    Objects.requireNonNull(heartbeat, "heartbeat");
    if (heartbeat.isNegative()) {
      throw new IllegalArgumentException("heartbeat must not be negative, was " + heartbeat);
    }
    if (jsonPatchMapper != null
        && !ClassUtils.isPresent("com.flipkart.zjsonpatch.Jackson3JsonDiff",
            SseOptions.class.getClassLoader())) {
      throw new IllegalStateException("JSON Patch deltas need io.github.vishwakarma:zjsonpatch "
          + "(0.6 or later, the Jackson 3 one) on the class path");
    }
  }

  /** Heartbeat every 15 seconds, full states. */
  public static SseOptions defaults() {
    return new SseOptions(DEFAULT_HEARTBEAT, null);
  }

  /**
   * These options with another heartbeat period.
   *
   * @param period the period, {@link Duration#ZERO} for none
   * @return new options
   */
  public SseOptions withHeartbeat(Duration period) {
    return new SseOptions(period, jsonPatchMapper);
  }

  /**
   * These options, sending JSON Patch deltas between consecutive events after the first.
   *
   * @param mapper turns states into JSON trees; use the application's, so the trees match what
   *     clients parse
   * @return new options
   */
  public SseOptions withJsonPatch(ObjectMapper mapper) {
    return new SseOptions(heartbeat, Objects.requireNonNull(mapper, "mapper"));
  }
}
