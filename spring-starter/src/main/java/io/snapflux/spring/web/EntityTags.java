package io.snapflux.spring.web;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A parsed {@code If-Match} / {@code If-None-Match} field: {@code *}, or a list of entity-tags
 * (RFC 9110 §8.8.3, §13.1.1).
 *
 * <p>Parsing is strict about structure and lenient about one common mistake: an unquoted tag
 * ({@code If-Match: 5}) is read as the strong tag {@code "5"}, as Spring's own ETag parsing does.
 * An unterminated quote, an empty field, or {@code *} mixed with tags is malformed. A tag is
 * compared by the {@link VersionToken} it names; a tag that names none (a legacy bare version
 * {@code "7"}, {@code "abc"}) is well-formed and matches nothing.
 *
 * @param any whether the field is {@code *}
 * @param tags the entity-tags, in order
 */
record EntityTags(boolean any, List<Tag> tags) {

  /** One entity-tag: its opaque value without quotes, and whether it is weak ({@code W/}). */
  record Tag(String opaque, boolean weak) {

    /** The version token this tag names, or {@code null} (a legacy bare version, anything else). */
    @Nullable VersionToken token() {
      return VersionToken.parse(opaque);
    }
  }

  /** Thrown for a syntactically malformed field. */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Parses the values of one field (all its header lines).
   *
   * @param values the field lines
   * @return the parsed field, or {@code null} if the field is absent
   * @throws MalformedException if the field is malformed
   */
  static @Nullable EntityTags parse(List<String> values) throws MalformedException {
    if (values.isEmpty()) {
      return null;
    }
    boolean any = false;
    List<Tag> tags = new ArrayList<>();
    for (String value : values) {
      int i = 0;
      int n = value.length();
      while (i < n) {
        char c = value.charAt(i);
        if (c == ',' || c == ' ' || c == '\t') {
          i++;
        } else if (c == '*') {
          any = true;
          i++;
        } else {
          boolean weak = false;
          if (c == 'W' && i + 2 < n && value.charAt(i + 1) == '/' && value.charAt(i + 2) == '"') {
            weak = true;
            i += 2;
          }
          if (value.charAt(i) == '"') {
            int end = value.indexOf('"', i + 1);
            if (end < 0) {
              throw new MalformedException("unterminated entity-tag in " + value);
            }
            tags.add(new Tag(value.substring(i + 1, end), weak));
            i = end + 1;
          } else {
            int end = i;
            while (end < n && value.charAt(end) != ',' && value.charAt(end) != ' '
                && value.charAt(end) != '\t') {
              if (value.charAt(end) == '"') {
                throw new MalformedException("misplaced quote in " + value);
              }
              end++;
            }
            tags.add(new Tag(value.substring(i, end), false));
            i = end;
          }
        }
      }
    }
    if (any && !tags.isEmpty()) {
      throw new MalformedException("\"*\" cannot be combined with entity-tags");
    }
    if (!any && tags.isEmpty()) {
      throw new MalformedException("the field holds no entity-tag");
    }
    return new EntityTags(any, List.copyOf(tags));
  }

  /** Strong comparison (If-Match): a weak tag never matches, nor does a tag of another epoch. */
  boolean matchesStrongly(VersionToken current) {
    return any || tags.stream().anyMatch(t -> !t.weak() && current.equals(t.token()));
  }

  /**
   * Whether a strong tag names a version of {@code current}'s epoch from {@code changed} up to
   * {@code current}: a version at which an entity that last changed at {@code changed} was
   * already what it is now.
   */
  boolean matchesUnchangedSince(VersionToken changed, VersionToken current) {
    return any || tags.stream().anyMatch(t -> {
      VersionToken token = t.weak() ? null : t.token();
      return token != null && token.sameEpoch(current)
          && token.version() >= changed.version() && token.version() <= current.version();
    });
  }

  /** The newest version a strong tag of {@code epoch} names, or {@code -1} if none names one. */
  long newestStrongVersion(String epoch) {
    return tags.stream().filter(t -> !t.weak()).map(Tag::token)
        .filter(t -> t != null && t.epoch().equals(epoch))
        .mapToLong(t -> t.version()).max().orElse(-1);
  }

  /** Weak comparison (If-None-Match): weakness is ignored. */
  boolean matchesWeakly(VersionToken current) {
    return any || tags.stream().anyMatch(t -> current.equals(t.token()));
  }

  @Override
  public String toString() {
    return any ? "*" : String.join(", ",
        tags.stream().map(t -> (t.weak() ? "W/" : "") + '"' + t.opaque() + '"').toList());
  }
}
