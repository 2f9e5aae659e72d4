package io.snapflux.spring.web;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * The {@code If-Match} field of a request (RFC 9110 §13.1.1), parsed once: absent, {@code *}, or
 * a list of entity-tags, each of which names a {@link VersionToken} ({@code "9f2c41d07be3a5e8.5"})
 * or nothing. Get one with {@link ConditionalRequests#ifMatch(HttpHeaders)}; hand it to {@link
 * ConditionalRequests#modify}, {@link ConditionalRequests#modifyEntity} or {@link
 * ConditionalRequests#commit}, or ask it directly whether a token {@linkplain
 * #matches(VersionToken) matches}.
 *
 * <p>Comparison is strong: a weak tag ({@code W/"e.5"}) never matches, nor does a tag that is no
 * version token ({@code "abc"}, a legacy bare version {@code "5"}) or a token of another epoch. An
 * absent field and {@code *} match every version, since a
 * store always has a current state. Parsing follows {@link InvalidPreconditionException}: an
 * unquoted tag ({@code e.5}) is read as {@code "e.5"}; a malformed field is refused with 400.
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
   * Whether a store whose current token is {@code current} satisfies this precondition: the field
   * is absent, is {@code *}, or lists {@code current} as a strong tag.
   *
   * @param current the store's current version token
   * @return {@code true} if a conditional write may proceed at that version
   */
  public boolean matches(VersionToken current) {
    return tags == null || tags.matchesStrongly(current);
  }

  /**
   * Whether this precondition is satisfied for an entity that last changed at {@code changed},
   * the store being at {@code current} (protocol rule R9): the field is absent, is {@code *}, or
   * lists a strong tag of the current epoch whose version is from {@code changed.version()} to
   * {@code current.version()}, a version at which the entity was already what it is now.
   *
   * @param changed the token of the version at which the entity last changed
   * @param current the store's current token
   * @return {@code true} if a conditional write of the entity may proceed
   */
  public boolean matchesEntity(VersionToken changed, VersionToken current) {
    return tags == null || tags.matchesUnchangedSince(changed, current);
  }

  /**
   * The newest version of {@code epoch} this precondition names with a strong tag, or {@code -1}
   * when it names none (absent, {@code *}, or only weak, foreign or legacy tags).
   */
  long newestVersion(String epoch) {
    return tags == null || tags.any() ? -1 : tags.newestStrongVersion(epoch);
  }

  /** A failure at {@code current}: what {@link ConditionalRequests} throws for it. */
  PreconditionFailedException failed(String storeName, VersionToken current) {
    return new PreconditionFailedException(storeName, current, toString());
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
