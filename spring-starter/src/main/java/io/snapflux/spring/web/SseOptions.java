package io.snapflux.spring.web;

import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.spring.jackson.SnapfluxJacksonModule;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Options of {@link StoreSse}: the heartbeat period, the bookmark cadence, the JSON mapper and
 * whether changes are sent as JSON Patch deltas. Immutable; start from {@link #defaults()}. In a
 * Spring Boot application, inject the starter's {@code SseOptions} bean instead: it carries the
 * application's {@code JsonMapper} and the {@code snapflux.web.sse.*} properties.
 *
 * <pre>{@code
 * SseOptions options = SseOptions.defaults()
 *     .withHeartbeat(Duration.ofSeconds(5))
 *     .withBookmarks(20, Duration.ofSeconds(2))
 *     .withJsonPatch(objectMapper);
 * }</pre>
 *
 * @param heartbeat how often a comment line is sent to keep idle connections (and the proxies
 *     between) open; {@link Duration#ZERO} sends none
 * @param mapper turns states into JSON (the application's, so what clients parse matches the
 *     rest of its API); {@code null} for a mapper with the Vavr and Snapflux modules only
 * @param jsonPatch whether changes after the first event are sent as RFC 6902 JSON Patch deltas
 *     (needs {@code io.github.vishwakarma:zjsonpatch} 0.6 or later on the class path)
 * @param bookmarkVersions a stream that skipped this many versions since its last event sends a
 *     {@code bookmark} (at least 1)
 * @param bookmarkInterval a stream that skipped versions sends a {@code bookmark} at least this
 *     often; {@link Duration#ZERO} for none on a timer
 */
public record SseOptions(
    Duration heartbeat,
    @Nullable ObjectMapper mapper,
    boolean jsonPatch,
    int bookmarkVersions,
    Duration bookmarkInterval) {

  /** The default heartbeat period: 15 seconds. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
  /** The default number of skipped versions after which a bookmark is sent: 50. */
  public static final int DEFAULT_BOOKMARK_VERSIONS = 50;
  /** The default longest time a stream's resume point lags behind: 5 seconds. */
  public static final Duration DEFAULT_BOOKMARK_INTERVAL = Duration.ofSeconds(5);

  /** Checks the values. */
  public SseOptions {
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(bookmarkInterval, "bookmarkInterval");
    if (heartbeat.isNegative()) {
      throw new IllegalArgumentException("heartbeat must not be negative, was " + heartbeat);
    }
    if (bookmarkInterval.isNegative()) {
      throw new IllegalArgumentException(
          "bookmarkInterval must not be negative, was " + bookmarkInterval);
    }
    if (bookmarkVersions < 1) {
      throw new IllegalArgumentException(
          "bookmarkVersions must be at least 1, was " + bookmarkVersions);
    }
    if (jsonPatch
        && !ClassUtils.isPresent("com.flipkart.zjsonpatch.Jackson3JsonDiff",
            SseOptions.class.getClassLoader())) {
      throw new IllegalStateException("JSON Patch deltas need io.github.vishwakarma:zjsonpatch "
          + "(0.6 or later, the Jackson 3 one) on the class path");
    }
  }

  /** Heartbeat every 15 seconds, bookmarks every 50 skipped versions or 5 seconds, full states. */
  public static SseOptions defaults() {
    return new SseOptions(DEFAULT_HEARTBEAT, null, false, DEFAULT_BOOKMARK_VERSIONS,
        DEFAULT_BOOKMARK_INTERVAL);
  }

  /**
   * These options with another heartbeat period.
   *
   * @param period the period, {@link Duration#ZERO} for none
   * @return new options
   */
  public SseOptions withHeartbeat(Duration period) {
    return new SseOptions(period, mapper, jsonPatch, bookmarkVersions, bookmarkInterval);
  }

  /**
   * These options with another bookmark cadence.
   *
   * @param versions a bookmark after this many skipped versions (at least 1)
   * @param interval and at least this often while versions were skipped ({@link Duration#ZERO}
   *     for none on a timer)
   * @return new options
   */
  public SseOptions withBookmarks(int versions, Duration interval) {
    return new SseOptions(heartbeat, mapper, jsonPatch, versions, interval);
  }

  /**
   * These options, encoding with {@code mapper}.
   *
   * @param mapper turns states into JSON
   * @return new options
   */
  public SseOptions withMapper(ObjectMapper mapper) {
    return new SseOptions(heartbeat, Objects.requireNonNull(mapper, "mapper"), jsonPatch,
        bookmarkVersions, bookmarkInterval);
  }

  /**
   * These options, sending JSON Patch deltas between consecutive events after the first.
   *
   * @param mapper turns states into JSON trees; use the application's, so the trees match what
   *     clients parse
   * @return new options
   */
  public SseOptions withJsonPatch(ObjectMapper mapper) {
    return new SseOptions(heartbeat, Objects.requireNonNull(mapper, "mapper"), true,
        bookmarkVersions, bookmarkInterval);
  }

  /**
   * The mapper streams encode with: {@link #mapper()}, or a shared default one (Vavr and Snapflux
   * modules) when that is {@code null}. Hand it to {@link VersionedJson#of} so that {@code GET}s
   * share the streams' encodings.
   *
   * @return the mapper
   */
  public ObjectMapper encoder() {
    return mapper != null ? mapper : DefaultMapper.INSTANCE;
  }

  /** The mapper used when none is given, made on first use. */
  static final class DefaultMapper {
    static final ObjectMapper INSTANCE = JsonMapper.builder()
        .addModule(new VavrModule())
        .addModule(new SnapfluxJacksonModule())
        .build();

    private DefaultMapper() {}
  }
}
