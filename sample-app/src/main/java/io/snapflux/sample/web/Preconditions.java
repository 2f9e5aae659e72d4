package io.snapflux.sample.web;

import io.vavr.collection.HashSet;
import io.vavr.collection.Set;
import io.snapflux.spring.web.ConditionalRequests;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * {@code If-Match} (RFC 9110 §13.1.1) over store versions, for writes planned by {@link
 * ConditionalWrite}. Reads use the starter's {@link ConditionalRequests} directly; its {@code
 * update} takes the cause up front and cannot report what the update function saw, which the
 * flag writes need (create or replace, 201 or 200), hence this small parser. Same rules: strong
 * comparison (a weak tag never matches), {@code *} matches any version, lists are accepted; a tag
 * that is not one of this store's versions matches nothing, so the write is refused with 412.
 */
public final class Preconditions {

  private Preconditions() {}

  /** The request's {@code If-Match}, parsed. */
  public static IfMatch ifMatch(HttpHeaders headers) {
    List<String> values = headers.getOrEmpty(HttpHeaders.IF_MATCH);
    if (values.isEmpty()) {
      return IfMatch.NONE;
    }
    Set<Long> versions = HashSet.empty();
    String raw = String.join(", ", values);
    for (String value : values) {
      for (String tag : value.split(",")) {
        String t = tag.trim();
        if (t.equals("*")) {
          return new IfMatch(true, HashSet.empty(), raw);
        }
        Long v = strongVersion(t);
        if (v != null) {
          versions = versions.add(v);
        }
      }
    }
    return new IfMatch(false, versions, raw);
  }

  private static @Nullable Long strongVersion(String tag) {
    if (tag.length() < 3 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"') {
      return null;
    }
    try {
      long v = Long.parseLong(tag.substring(1, tag.length() - 1));
      return v >= 0 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * A parsed {@code If-Match}: absent, {@code *}, or a set of versions (tags that are weak or not
   * versions of this store match nothing, so a header made only of them always fails).
   *
   * @param any whether the header was {@code *}
   * @param versions the strong version tags listed
   * @param header the header as received, or {@code null} when absent
   */
  public record IfMatch(boolean any, Set<Long> versions, @Nullable String header) {

    /** No {@code If-Match}: the write is unconditional. */
    public static final IfMatch NONE = new IfMatch(true, HashSet.empty(), null);

    /** The single version this precondition names, as a write's expected version. */
    public static IfMatch version(long version) {
      return new IfMatch(false, HashSet.of(version), ConditionalRequests.eTag(version));
    }

    /** Whether {@code version} satisfies this precondition. */
    public boolean matches(long version) {
      return any || versions.contains(version);
    }
  }
}
