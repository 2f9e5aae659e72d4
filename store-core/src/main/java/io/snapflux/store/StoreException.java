package io.snapflux.store;

import org.jspecify.annotations.Nullable;

/**
 * The root of the exceptions a {@link Store} throws for its own reasons. Every one names the store
 * it comes from ({@link #storeName()}), whatever the backend.
 */
public class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String storeName;

  /**
   * @param storeName the store the failure belongs to ({@code ""} if no store is known yet, as
   *     for an exception an interceptor throws before the store fills it in)
   * @param message what went wrong, naming the store
   */
  public StoreException(String storeName, String message) {
    super(message);
    this.storeName = java.util.Objects.requireNonNull(storeName, "storeName");
  }

  /**
   * @param storeName the store the failure belongs to
   * @param message what went wrong, naming the store
   * @param cause the underlying failure, or {@code null}
   */
  public StoreException(String storeName, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.storeName = java.util.Objects.requireNonNull(storeName, "storeName");
  }

  /** The name of the store this failure belongs to. */
  public String storeName() {
    return storeName;
  }
}
