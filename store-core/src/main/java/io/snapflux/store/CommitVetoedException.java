package io.snapflux.store;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by an {@link Interceptor} to veto a change. Nothing was committed: the store and its
 * subscribers are exactly as before the update.
 */
public final class CommitVetoedException extends StoreException {

  private static final long serialVersionUID = 1L;

  /**
   * For interceptors: the store that refuses the change rethrows it with its name ({@link
   * #storeName()}).
   *
   * @param reason why the change is refused
   */
  public CommitVetoedException(String reason) {
    super("", reason);
  }

  /**
   * @param storeName the store that refused the change
   * @param reason why the change is refused
   * @param cause the interceptor's own exception, or {@code null}
   */
  public CommitVetoedException(String storeName, String reason, @Nullable Throwable cause) {
    super(storeName, reason, cause);
  }
}
