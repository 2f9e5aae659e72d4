package io.snapflux.store;

/** Thrown by an update to a store that has been {@linkplain Store#close() closed}. */
public final class StoreClosedException extends StoreException {

  private static final long serialVersionUID = 1L;

  private final String storeName;

  /**
   * @param storeName the closed store
   */
  public StoreClosedException(String storeName) {
    super("store '" + storeName + "' is closed; it accepts no more updates");
    this.storeName = storeName;
  }

  /** The name of the closed store. */
  public String storeName() {
    return storeName;
  }
}
