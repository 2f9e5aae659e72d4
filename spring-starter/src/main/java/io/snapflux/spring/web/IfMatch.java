package io.snapflux.spring.web;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * The {@code If-Match} field of a request (RFC 9110 §13.1.1), parsed once: absent, {@code *}, or
 * a list of entity-tags, each of which names a store version ({@code "5"}) or nothing. Get one
 * with {@link ConditionalRequests#ifMatch(HttpHeaders)}; hand it to {@link
 * ConditionalRequests#modify} or {@link ConditionalRequests#commit}, or ask it directly whether a
 * version {@linkplain #matches(long) matches}.
 *
 * <p>Comparison is strong: a weak tag ({@code W/"5"}) never matches, nor does a tag that is no
 * version of a store ({@code "abc"}). An absent field and {@code *} match every version, since a
 * store always has a current state. Parsing follows {@link InvalidPreconditionException}: an
 * unquoted tag ({@code 5}) is read as {@code "5"}; a malformed field is refused with 400.
 *
 * <p>Immutable and thread-safe.
 */
public final class IfMatch {

  private static final IfMatch ABSENT = new IfMatch(null);

  private final @Nullable EntityTags tags;

  private IfMatch(@Nullable EntityTags tags) {
    this.tags = tags;
  }

  /**
   * Parses the request's {@code If-Match}.
   *
   * @throws InvalidPreconditionException if the field is malformed
   */
  static IfMatch of(HttpHeaders requestHeaders) {
    try {
      EntityTags tags = EntityTags.parse(requestHeaders.getOrEmpty(HttpHeaders.IF_MATCH));
      return tags == null ? ABSENT : new IfMatch(tags);
    } catch (EntityTags.MalformedException e) {
      throw new InvalidPreconditionException(HttpHeaders.IF_MATCH, e.getMessage());
    }
  }

  /** Whether the request has the field at all; without it a write is unconditional. */
  public boolean isPresent() {
    return tags != null;
  }

  /** Whether the field is {@code *}: any current state will do, so a write is unconditional. */
  public boolean isAny() {
    return tags != null && tags.any();
  }

  /**
   * Whether a store at {@code version} satisfies this precondition: the field is absent, is
   * {@code *}, or lists {@code "version"} as a strong tag.
   *
   * @param version a store version
   * @return {@code true} if a conditional write may proceed at that version
   */
  public boolean matches(long version) {
    return tags == null || tags.matchesStrongly(version);
  }

  /**
   * The newest version this precondition names with a strong tag, or {@code -1} when it names
   * none (absent, {@code *}, or only weak or non-version tags).
   */
  long newestVersion() {
    return tags == null || tags.any() ? -1 : tags.newestStrongVersion();
  }

  /** A failure at {@code currentVersion}: what {@link ConditionalRequests} throws for it. */
  PreconditionFailedException failed(String storeName, long currentVersion) {
    return new PreconditionFailedException(storeName, currentVersion, toString());
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof IfMatch other && Objects.equals(tags, other.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(tags);
  }

  /** The field in canonical form ({@code *} or the quoted tags, comma-separated); "" if absent. */
  @Override
  public String toString() {
    return tags == null ? "" : tags.toString();
  }
}
