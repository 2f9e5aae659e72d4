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
 * An unterminated quote, an empty field, or {@code *} mixed with tags is malformed.
 *
 * @param any whether the field is {@code *}
 * @param tags the entity-tags, in order
 */
record EntityTags(boolean any, List<Tag> tags) {

  /** One entity-tag: its opaque value without quotes, and whether it is weak ({@code W/}). */
  record Tag(String opaque, boolean weak) {

    /** The version this tag names, or {@code -1} if it names none of ours. */
    long version() {
      if (opaque.isEmpty() || opaque.length() > 18) {
        return -1;
      }
      for (int i = 0; i < opaque.length(); i++) {
        if (opaque.charAt(i) < '0' || opaque.charAt(i) > '9') {
          return -1;
        }
      }
      return Long.parseLong(opaque);
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

  /** Strong comparison (If-Match): a weak tag never matches. */
  boolean matchesStrongly(long version) {
    return any || tags.stream().anyMatch(t -> !t.weak() && t.version() == version);
  }

  /** The newest version a strong tag names, or {@code -1} if none names one. */
  long newestStrongVersion() {
    return tags.stream().filter(t -> !t.weak()).mapToLong(Tag::version).max().orElse(-1);
  }

  /** Weak comparison (If-None-Match): weakness is ignored. */
  boolean matchesWeakly(long version) {
    return any || tags.stream().anyMatch(t -> t.version() == version);
  }

  @Override
  public String toString() {
    return any ? "*" : String.join(", ",
        tags.stream().map(t -> (t.weak() ? "W/" : "") + '"' + t.opaque() + '"').toList());
  }
}
