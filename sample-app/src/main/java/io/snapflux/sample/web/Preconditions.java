package io.snapflux.sample.web;

import io.vavr.collection.HashSet;
import io.vavr.collection.Set;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * HTTP conditional requests (RFC 9110 §13) over store versions: the entity tag of every
 * representation is the store's version, quoted ({@code "7"}).
 *
 * <p>Kept here, small, because the sample app was written alongside the starter's {@code
 * ConditionalRequests}; it follows the same rules: {@code If-None-Match} uses the weak comparison
 * (so {@code W/"7"} matches version 7), {@code If-Match} the strong one (a weak tag never
 * matches), {@code *} matches any current version, and lists are accepted in both.
 */
public final class Preconditions {

  private Preconditions() {}

  /** The entity tag of {@code version}: the version in double quotes. */
  public static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** Whether the request's {@code If-None-Match} matches {@code version}, so 304 is due. */
  public static boolean notModified(HttpHeaders headers, long version) {
    List<String> values = headers.getOrEmpty(HttpHeaders.IF_NONE_MATCH);
    for (String value : values) {
      for (String tag : value.split(",")) {
        String t = tag.trim();
        if (t.equals("*")) {
          return true;
        }
        if (t.startsWith("W/")) {
          t = t.substring(2);
        }
        if (t.equals(etag(version))) {
          return true;
        }
      }
    }
    return false;
  }

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
      return new IfMatch(false, HashSet.of(version), etag(version));
    }

    /** Whether {@code version} satisfies this precondition. */
    public boolean matches(long version) {
      return any || versions.contains(version);
    }
  }
}
