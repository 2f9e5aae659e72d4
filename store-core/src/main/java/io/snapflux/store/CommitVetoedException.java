package io.snapflux.store;

/**
 * Thrown by an {@link Interceptor} to veto a change. Nothing was committed: the store and its
 * subscribers are exactly as before the update.
 */
public final class CommitVetoedException extends StoreException {

  private static final long serialVersionUID = 1L;

  /**
   * @param reason why the change is refused
   */
  public CommitVetoedException(String reason) {
    super(reason);
  }
}
