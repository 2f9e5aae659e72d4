package io.snapflux.store;

/** The root of the exceptions a {@link Store} throws for its own reasons. */
public class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, naming the store
   */
  public StoreException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong, naming the store
   * @param cause the underlying failure
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
