package io.snapflux.store;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a validator rejects the state an update would commit. Nothing was committed: the
 * store and its subscribers are exactly as before the update.
 */
public final class StateValidationException extends StoreException {

  private static final long serialVersionUID = 1L;

  private final String validator;

  /**
   * @param storeName the store the update was made to
   * @param validator the name of the validator that rejected the state
   * @param cause what the validator threw, or {@code null} if it simply returned {@code false}
   */
  public StateValidationException(String storeName, String validator, @Nullable Throwable cause) {
    super(storeName, message(storeName, validator, cause), cause);
    this.validator = validator;
  }

  private static String message(String storeName, String validator, @Nullable Throwable cause) {
    return cause == null
        ? "store '" + storeName + "' rejected the new state: " + validator
        : "store '" + storeName + "': validator '" + validator + "' failed: " + cause;
  }


  /** The name (the message) of the validator that rejected the state. */
  public String validator() {
    return validator;
  }
}
