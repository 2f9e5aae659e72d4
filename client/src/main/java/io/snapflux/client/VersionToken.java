package io.snapflux.client;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A version token of the Snapflux watch protocol ({@code docs/protocol.md} §1): {@code
 * <epoch>.<version>}, naming one state of one history of a store. Epochs are compared as opaque
 * strings; versions only within one epoch.
 *
 * @param epoch the history the version belongs to (1 to 64 of {@code A-Z a-z 0-9 - _})
 * @param version the version within the epoch, not negative
 */
public record VersionToken(String epoch, long version) {

  private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException if the epoch is not 1 to 64 of {@code A-Z a-z 0-9 - _}, or
   *     the version is negative
   */
  public VersionToken {
    Objects.requireNonNull(epoch, "epoch");
    if (!EPOCH.matcher(epoch).matches()) {
      throw new IllegalArgumentException(
          "An epoch is 1 to 64 of A-Z a-z 0-9 - _, was '" + abbreviate(epoch) + "'");
    }
    if (version < 0) {
      throw new IllegalArgumentException("A version is not negative, was " + version);
    }
  }

  /**
   * Parses a bare token ({@code e.42}), as an SSE id or {@code Last-Event-ID} carries it.
   *
   * @param text the token, or {@code null}
   * @return the token, or {@code null} if {@code text} is null or not a token (e.g. a legacy bare
   *     version)
   */
  public static @Nullable VersionToken parse(@Nullable String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    int dot = t.lastIndexOf('.');
    if (dot <= 0) {
      return null;
    }
    String epoch = t.substring(0, dot);
    String version = t.substring(dot + 1);
    if (!EPOCH.matcher(epoch).matches() || !VERSION.matcher(version).matches()) {
      return null;
    }
    return new VersionToken(epoch, Long.parseLong(version));
  }

  /**
   * Parses an entity-tag ({@code "e.42"}, or a weak {@code W/"e.42"} whose token is returned).
   *
   * @param eTag an {@code ETag} header value, or {@code null}
   * @return the token it quotes, or {@code null} if there is none
   */
  public static @Nullable VersionToken fromETag(@Nullable String eTag) {
    if (eTag == null) {
      return null;
    }
    String t = eTag.trim();
    if (t.startsWith("W/")) {
      t = t.substring(2);
    }
    if (t.length() < 2 || t.charAt(0) != '"' || t.charAt(t.length() - 1) != '"') {
      return null;
    }
    return parse(t.substring(1, t.length() - 1));
  }

  /**
   * This token as a strong entity-tag, for {@code If-Match} and {@code If-None-Match}.
   *
   * @return {@code "<epoch>.<version>"} with the quotes
   */
  public String eTag() {
    return '"' + toString() + '"';
  }

  /**
   * Whether this token names a later state than {@code other} of the same history.
   *
   * @param other another token
   * @return true if both have the same epoch and this version is greater
   */
  public boolean isNewerThan(VersionToken other) {
    return epoch.equals(other.epoch) && version > other.version;
  }

  /** The bare token, {@code <epoch>.<version>}. */
  @Override
  public String toString() {
    return epoch + "." + version;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
