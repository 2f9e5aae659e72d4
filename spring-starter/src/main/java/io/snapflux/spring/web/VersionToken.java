package io.snapflux.spring.web;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A version token of the Snapflux watch protocol ({@code docs/protocol.md}):
 * the store's epoch (one history of the store) and a version within it, written {@code
 * <epoch>.<version>}, e.g. {@code 9f2c41d07be3a5e8.42}. It is the {@code ETag} (quoted), the SSE
 * {@code id} and, as the fields {@code epoch} and {@code version}, part of every JSON document the
 * starter's web helpers produce. A version number alone names different states after a restart
 * of an in-memory store; a token never does.
 *
 * <pre>{@code
 * VersionToken token = VersionToken.of(store.snapshot(), store);
 * String eTag = token.eTag();                       // "9f2c41d07be3a5e8.42" (quoted)
 * VersionToken.parse("9f2c41d07be3a5e8.42");        // the same token
 * VersionToken.parse("42");                         // null: a legacy bare version, no token
 * }</pre>
 *
 * @param epoch the epoch: 1 to 64 characters out of {@code A-Z a-z 0-9 - _}
 * @param version the version within the epoch, not negative
 */
public record VersionToken(String epoch, long version) {

  /** The longest epoch a token may carry. */
  public static final int MAX_EPOCH_LENGTH = 64;

  /** Checks the parts. */
  public VersionToken {
    Objects.requireNonNull(epoch, "epoch");
    if (!isEpoch(epoch)) {
      throw new IllegalArgumentException("an epoch is 1 to " + MAX_EPOCH_LENGTH
          + " characters out of A-Z a-z 0-9 - _, was '" + epoch + "'");
    }
    if (version < 0) {
      throw new IllegalArgumentException("version must not be negative, was " + version);
    }
  }

  /**
   * The token of {@code snapshot}, a snapshot of {@code store}. This is the one place the starter
   * learns a store's epoch (see {@link Epochs}).
   *
   * @param snapshot a snapshot of the store
   * @param store the store
   * @return its token
   */
  public static VersionToken of(Snapshot<?> snapshot, Store<?> store) {
    return new VersionToken(Epochs.of(store), snapshot.version());
  }

  /**
   * Parses {@code <epoch>.<version>}.
   *
   * @param text the token as written in an SSE id or between an entity-tag's quotes
   * @return the token, or {@code null} if {@code text} is none (a legacy bare version such as
   *     {@code 7}, an empty string, anything else)
   */
  public static @Nullable VersionToken parse(@Nullable String text) {
    if (text == null) {
      return null;
    }
    int dot = text.lastIndexOf('.');
    if (dot <= 0 || dot == text.length() - 1 || text.length() - dot - 1 > 18) {
      return null;
    }
    String epoch = text.substring(0, dot);
    if (!isEpoch(epoch)) {
      return null;
    }
    long version = 0;
    for (int i = dot + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      version = version * 10 + (c - '0');
    }
    return new VersionToken(epoch, version);
  }

  private static boolean isEpoch(String epoch) {
    if (epoch.isEmpty() || epoch.length() > MAX_EPOCH_LENGTH) {
      return false;
    }
    for (int i = 0; i < epoch.length(); i++) {
      char c = epoch.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code other} belongs to the same epoch (its version is comparable to this one's). */
  public boolean sameEpoch(VersionToken other) {
    return epoch.equals(other.epoch);
  }

  /** The strong entity-tag: the token in double quotes. */
  public String eTag() {
    return "\"" + this + "\"";
  }

  /** {@code <epoch>.<version>}. */
  @Override
  public String toString() {
    return epoch + "." + version;
  }
}
