package io.snapflux.spring.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The watch protocol's settings, bound from {@code snapflux.web.*}; the starter turns them into
 * its {@link SseOptions} bean and exposes them as a bean for handlers that long-poll.
 *
 * @param sse the event streams' settings
 * @param longPoll long polling's settings
 */
@ConfigurationProperties("snapflux.web")
public record SnapfluxWebProperties(@DefaultValue Sse sse, @DefaultValue LongPoll longPoll) {

  /**
   * Event streams ({@code snapflux.web.sse.*}).
   *
   * @param heartbeat the heartbeat period ({@code 0} for none)
   * @param bookmarkVersions a bookmark after this many skipped versions
   * @param bookmarkInterval a bookmark at least this often while versions were skipped ({@code 0}
   *     for none on a timer)
   * @param jsonPatch whether changes are sent as JSON Patch deltas (needs zjsonpatch)
   */
  public record Sse(
      @DefaultValue("15s") Duration heartbeat,
      @DefaultValue("50") int bookmarkVersions,
      @DefaultValue("5s") Duration bookmarkInterval,
      @DefaultValue("false") boolean jsonPatch) {

    /** Checks the values through {@link SseOptions}, naming the property of a bad one. */
    public Sse {
      try {
        new SseOptions(heartbeat, null, false, bookmarkVersions, bookmarkInterval);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("snapflux.web.sse: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Long polling ({@code snapflux.web.long-poll.*}).
   *
   * @param maxWait the longest {@code Prefer: wait} granted; longer requests get this
   */
  public record LongPoll(@DefaultValue("30s") Duration maxWait) {

    /** Checks the value. */
    public LongPoll {
      if (maxWait.isNegative()) {
        throw new IllegalArgumentException(
            "snapflux.web.long-poll.max-wait must not be negative, was " + maxWait);
      }
    }
  }
}
