package io.snapflux.store;

/**
 * Thrown after an update whose effects failed. The change itself <b>was committed</b> and is not
 * rolled back; {@link #committed()} is the snapshot the effects ran for. The first failure is the
 * cause, later ones are suppressed.
 */
public final class EffectException extends StoreException {

  private static final long serialVersionUID = 1L;

  private final transient Snapshot<?> committed;

  /**
   * @param storeName the store whose change it was
   * @param committed the committed snapshot
   * @param cause the first effect failure
   */
  public EffectException(String storeName, Snapshot<?> committed, Throwable cause) {
    super(storeName, "an effect failed after version " + committed.version()
        + " was committed (the commit stands): " + cause, cause);
    this.committed = committed;
  }

  /** The committed snapshot the effects ran for. */
  public Snapshot<?> committed() {
    return committed;
  }
}
